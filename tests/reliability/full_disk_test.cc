// Full disk: a repository on a small tmpfs volume, filled with ballast so that a
// commit of a 13 MB checkpoint runs out of space at different points (object store,
// git objects). Each run: exit 1 with a "no space" error, HEAD unchanged, the old
// version checks out byte for byte, fsck clean, and once space is freed the same
// commit lands. Needs root (mount); skipped with a message otherwise.
#include <doctest/doctest.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "tests/reliability/reliability_util.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {
namespace {

namespace fs = std::filesystem;

// A tmpfs mounted for the guard's lifetime; unmounted (lazily if busy) in all cases.
class TmpfsMount {
 public:
  TmpfsMount(const std::string& dir, const std::string& size) : dir_(dir) {
    mounted_ = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
    if (!mounted_) error_ = std::strerror(errno);
  }
  ~TmpfsMount() {
    if (mounted_ && ::umount2(dir_.c_str(), 0) != 0) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string dir_;
  bool mounted_ = false;
  std::string error_;
};

uint64_t FreeBytes(const std::string& dir) {
  struct statvfs s;
  REQUIRE(::statvfs(dir.c_str(), &s) == 0);
  return static_cast<uint64_t>(s.f_bavail) * s.f_frsize;
}

TEST_CASE("a commit onto a full disk fails with a no-space error and leaves the repository consistent") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: the full-disk test mounts a tmpfs and needs root");
    return;
  }
  const std::string small = SharedDataPath("pairs/bert_tiny_sst2.safetensors");
  const std::string big = SharedDataPath("run/step_000180.weights.f32.safetensors");
  const Bytes small_bytes = ReadFileBytes(small);
  const Bytes big_bytes = ReadFileBytes(big);
  // Free space left before the big commit: less than its 13 MB model needs in the
  // store, at different points of the commit.
  const uint64_t leave[] = {64 << 10, 512 << 10, 2 << 20, 6 << 20};
  int runs = 0, consistent = 0;
  for (uint64_t left : leave) {
    TempDir dir;
    const std::string mnt = dir.path() + "/vol";
    fs::create_directories(mnt);
    TmpfsMount mount(mnt, "40m");
    if (!mount.mounted()) {
      MESSAGE("skipped: cannot mount a tmpfs here (" << mount.error() << ")");
      return;
    }
    INFO("free space before the commit: " << left << " bytes");
    const std::string work = mnt + "/w";
    fs::create_directories(work);
    WriteFileBytes(work + "/model.safetensors", small_bytes);
    REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
    REQUIRE(RunMvc(work, {"commit", "-m", "small"}).exit_code == 0);
    const std::string head = RevParse(work, "HEAD");
    WriteFileBytes(work + "/model.safetensors", big_bytes);
    uint64_t free_now = FreeBytes(mnt);
    REQUIRE(free_now > left);
    {
      Bytes ballast(free_now - left, 0xA5);
      WriteFileBytes(mnt + "/ballast", ballast);
    }
    runs++;
    RunResult r = RunMvc(work, {"commit", "-m", "big"});
    CHECK(r.exit_code == 1);
    bool says_no_space = r.err.find("o space left on device") != std::string::npos;
    CHECK_MESSAGE(says_no_space, r.err);
    bool ok = r.exit_code == 1 && says_no_space;
    std::string now = RevParse(work, "HEAD");
    CHECK(now == head);
    ok = ok && now == head;
    RunResult status = RunMvc(work, {"status", "--porcelain"});
    CHECK_MESSAGE(status.exit_code == 0, status.err);
    ok = ok && status.exit_code == 0;
    RunResult fsck = FsckIfAvailable(work);
    if (fsck.exit_code != -1) {
      CHECK_MESSAGE(fsck.exit_code == 0, fsck.out << fsck.err);
      ok = ok && fsck.exit_code == 0;
    }
    // Free the space: the old version checks out, and the same commit now lands.
    fs::remove(mnt + "/ballast");
    std::string problem = CheckoutMatches(work, "main", "model.safetensors", small_bytes);
    CHECK_MESSAGE(problem.empty(), problem);
    ok = ok && problem.empty();
    WriteFileBytes(work + "/model.safetensors", big_bytes);
    RunResult again = RunMvc(work, {"commit", "-m", "big"});
    CHECK_MESSAGE(again.exit_code == 0, again.err);
    ok = ok && again.exit_code == 0;
    problem = CheckoutMatches(work, "HEAD~1", "model.safetensors", small_bytes);
    CHECK_MESSAGE(problem.empty(), problem);
    problem += CheckoutMatches(work, "main", "model.safetensors", big_bytes);
    CHECK_MESSAGE(problem.empty(), problem);
    ok = ok && problem.empty();
    consistent += ok;
  }
  std::cout << "full disk: " << runs << " runs, " << consistent << " left a consistent repository" << std::endl;
  CHECK(consistent == runs);
}

}  // namespace
}  // namespace mvc::testing
