// Concurrency: several `mvc commit` processes on one repository at once, with readers
// (`log`, `status`, `show`) running throughout. Every commit either lands or fails with
// "repository is locked" after a bounded wait; the number of new commits in the log is
// the number of commits that exited 0 (no lost commit); readers never fail otherwise;
// every version committed checks out.
//
// Committers: MVC_CONCURRENT_COMMITTERS (default 4), each making MVC_COMMITS_EACH (3).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "tests/reliability/reliability_util.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {
namespace {

namespace fs = std::filesystem;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

std::string ReadText(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  std::string line;
  while (std::getline(s, line)) out.push_back(line);
  return out;
}

TEST_CASE("parallel committers and readers: every commit lands or fails with a clear lock error") {
  const int committers = EnvInt("MVC_CONCURRENT_COMMITTERS", 4);
  const int each = EnvInt("MVC_COMMITS_EACH", 3);
  TempDir dir;
  const std::string work = dir.path() + "/w";
  const std::string scratch = dir.path() + "/scratch";
  fs::create_directories(work);
  fs::create_directories(scratch);
  WriteFileBytes(work + "/model.safetensors", ReadFileBytes(SharedDataPath("pairs/bert_tiny_sst2.safetensors")));
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  REQUIRE(RunMvc(work, {"commit", "-m", "base"}).exit_code == 0);
  const std::string base = RevParse(work, "HEAD");

  // Each committer replaces its own text file atomically (written outside the
  // worktree, renamed in) and commits; committer 0 also swaps the model between the
  // two fine-tunes the same way, so some commits store real tensors.
  std::vector<pid_t> pids;
  for (int i = 0; i < committers; ++i) {
    std::ostringstream script;
    script << "i=" << i << "; j=0; while [ $j -lt " << each << " ]; do j=$((j+1)); "
           << "echo \"p$i c$j\" > " << scratch << "/p$i.tmp && mv " << scratch << "/p$i.tmp p$i.txt; ";
    if (i == 0) {
      script << "if [ $((j % 2)) -eq 1 ]; then m=emotion; else m=sst2; fi; cp "
             << SharedDataPath("pairs/bert_tiny_") << "$m.safetensors " << scratch
             << "/m.tmp && mv " << scratch << "/m.tmp model.safetensors; ";
    }
    script << "\"$MVC\" commit --allow-empty -m \"p$i c$j\" >/dev/null 2>" << scratch << "/err$i.$j; "
           << "echo \"exit $? p$i c$j\"; cat " << scratch << "/err$i.$j; done";
    pids.push_back(SpawnShell(work, script.str(), scratch + "/committer" + std::to_string(i) + ".log"));
  }
  // Readers, until the committers are done.
  std::string reader_script =
      "n=0; while [ ! -e " + scratch + "/stop ]; do n=$((n+1)); "
      "for v in log status show; do \"$MVC\" $v >/dev/null 2>" + scratch + "/rerr; "
      "echo \"exit $? $v\"; cat " + scratch + "/rerr; done; done";
  pid_t reader = SpawnShell(work, reader_script, scratch + "/reader.log");
  for (pid_t p : pids) CHECK(WaitExit(p) == 0);
  WriteFileBytes(scratch + "/stop", {});
  CHECK(WaitExit(reader) == 0);

  int landed = 0, locked = 0, other = 0;
  std::set<std::string> messages;
  for (int i = 0; i < committers; ++i) {
    for (const std::string& line : Lines(ReadText(scratch + "/committer" + std::to_string(i) + ".log"))) {
      if (line.rfind("exit 0 ", 0) == 0) {
        landed++;
        messages.insert(line.substr(7));
      } else if (line.rfind("exit ", 0) == 0) {
        other++;  // until its error line is seen
      } else if (line.find("repository is locked") != std::string::npos) {
        locked++;
        other--;
      } else if (!line.empty()) {
        FAIL_CHECK("committer " << i << ": " << line);
      }
    }
  }
  int reads = 0, read_failures = 0, read_locked = 0;
  for (const std::string& line : Lines(ReadText(scratch + "/reader.log"))) {
    if (line.rfind("exit 0 ", 0) == 0) {
      reads++;
    } else if (line.rfind("exit ", 0) == 0) {
      read_failures++;
    } else if (line.find("repository is locked") != std::string::npos) {
      read_locked++;
    } else if (!line.empty()) {
      FAIL_CHECK("reader: " << line);
    }
  }
  CHECK(other == 0);
  CHECK(read_failures == read_locked);

  // No lost commit: the log holds the base plus exactly the commits that exited 0,
  // each once, on one first-parent chain.
  RunResult log = RunMvc(work, {"log", "--oneline"});
  REQUIRE(log.exit_code == 0);
  std::vector<std::string> entries = Lines(log.out);
  CHECK(static_cast<int>(entries.size()) == landed + 1);
  for (const std::string& m : messages) {
    CHECK_MESSAGE(log.out.find(m) != std::string::npos, "commit '" << m << "' exited 0 but is not in the log");
  }
  CHECK(RevParse(work, "HEAD~" + std::to_string(landed)) == base);
  RunResult fsck = FsckIfAvailable(work);
  if (fsck.exit_code != -1) CHECK_MESSAGE(fsck.exit_code == 0, fsck.out << fsck.err);
  // Every commit's model is one of the two fine-tunes, byte for byte.
  const Bytes sst2 = ReadFileBytes(SharedDataPath("pairs/bert_tiny_sst2.safetensors"));
  const Bytes emotion = ReadFileBytes(SharedDataPath("pairs/bert_tiny_emotion.safetensors"));
  int checked = 0;
  for (int k = 0; k <= landed; ++k) {
    RunResult co = RunMvc(work, {"checkout", "--force", "main~" + std::to_string(k)});
    CHECK_MESSAGE(co.exit_code == 0, co.err);
    Bytes got = ReadFileBytes(work + "/model.safetensors");
    CHECK((got == sst2 || got == emotion));
    checked++;
  }
  std::cout << "concurrency: " << committers << " committers x " << each << " commits: " << landed << " landed, "
            << locked << " refused with 'repository is locked', 0 lost; " << reads << " reads ok, " << read_locked
            << " refused as locked; " << checked << " versions checked out" << std::endl;
}

TEST_CASE("a commit waiting on a held lock gives up after MVC_LOCK_TIMEOUT_MS with a clear error") {
  TempDir dir;
  const std::string work = dir.path();
  WriteFileBytes(work + "/model.safetensors", ReadFileBytes(SharedDataPath("pairs/bert_tiny_sst2.safetensors")));
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  REQUIRE(RunMvc(work, {"commit", "-m", "base"}).exit_code == 0);
  const std::string head = RevParse(work, "HEAD");
  int fd = ::open((work + "/.mvc/lock").c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX) == 0);
  ::setenv("MVC_LOCK_TIMEOUT_MS", "300", 1);
  auto t0 = std::chrono::steady_clock::now();
  RunResult r = RunMvc(work, {"commit", "--allow-empty", "-m", "blocked"});
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  ::unsetenv("MVC_LOCK_TIMEOUT_MS");
  ::close(fd);
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.err.find("repository is locked") != std::string::npos, r.err);
  CHECK(ms >= 300);
  CHECK(ms < 5000);
  CHECK(RevParse(work, "HEAD") == head);
  // Released: the same commit now lands.
  CHECK(RunMvc(work, {"commit", "--allow-empty", "-m", "unblocked"}).exit_code == 0);
  CHECK(RevParse(work, "HEAD~1") == head);
}

}  // namespace
}  // namespace mvc::testing
