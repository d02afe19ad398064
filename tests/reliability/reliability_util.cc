#include "tests/reliability/reliability_util.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "core/endian_coding.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {

namespace {

// fork + execv `argv` in `cwd` with the test author set and MVC naming the binary;
// stdout/stderr to `log_path` (or /dev/null).
pid_t Spawn(const std::string& cwd, std::vector<std::string> argv, const std::string& log_path) {
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0) _exit(127);
    int fd = log_path.empty() ? ::open("/dev/null", O_WRONLY)
                              : ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> ptrs;
    for (std::string& a : argv) ptrs.push_back(a.data());
    ptrs.push_back(nullptr);
    ::setenv("MVC", MVC_BINARY, 1);
    ::setenv("MVC_AUTHOR_NAME", "Test User", 1);
    ::setenv("MVC_AUTHOR_EMAIL", "test@example.com", 1);
    ::execv(ptrs[0], ptrs.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

pid_t SpawnMvc(const std::string& cwd, const std::vector<std::string>& args, const std::string& log_path) {
  std::vector<std::string> argv = {MVC_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return Spawn(cwd, std::move(argv), log_path);
}

pid_t SpawnShell(const std::string& cwd, const std::string& script, const std::string& log_path) {
  return Spawn(cwd, {"/bin/sh", "-c", script}, log_path);
}

int WaitExit(pid_t pid) {
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool KillAfter(pid_t pid, std::chrono::microseconds delay, std::chrono::microseconds* finished_after) {
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + delay;
  int status = 0;
  // Poll so that a process that finishes early is reaped (and not killed) on time.
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (finished_after) {
        *finished_after =
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
      }
      return false;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  ::kill(pid, SIGKILL);
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

std::string RevParse(const std::string& work, const std::string& rev) {
  RunResult r = RunMvc(work, {"rev-parse", rev});
  if (r.exit_code != 0) return "";
  std::string id = r.out;
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
  return id;
}

bool HasVerb(const std::string& verb) {
  // `mvc VERB --help` for an unknown verb prints the top-level help (also exit 0).
  RunResult r = RunMvc("/", {verb, "--help"});
  return r.exit_code == 0 && r.out.find(" " + verb + " ") != std::string::npos &&
         r.out.find("SUBCOMMAND") == std::string::npos;
}

Bytes MakeVersion(const std::string& source_path, uint32_t seed) {
  Bytes bytes = ReadFileBytes(source_path);
  if (seed == 0) return bytes;
  REQUIRE(bytes.size() >= 8);
  uint64_t header = DecodeFixed64(bytes.data());
  REQUIRE(8 + header <= bytes.size());
  // Element widths here are 2 (bf16) or 4 (f32); byte 0 of an element is the low
  // mantissa byte in little-endian for both, and the data section starts aligned.
  uint8_t x = static_cast<uint8_t>((seed * 2654435761u) >> 24) | 1;
  for (uint64_t off = 8 + header; off < bytes.size(); off += 4096) bytes[off] ^= x;
  return bytes;
}

std::string CheckoutMatches(const std::string& work, const std::string& rev, const std::string& path,
                            const Bytes& expected) {
  RunResult r = RunMvc(work, {"checkout", "--force", rev});
  if (r.exit_code != 0) return "checkout " + rev + " failed (" + std::to_string(r.exit_code) + "): " + r.err;
  if (ReadFileBytes(work + "/" + path) != expected) return "checkout " + rev + ": " + path + " differs";
  return "";
}

RunResult FsckIfAvailable(const std::string& work) {
  static bool have = HasVerb("fsck");
  if (!have) return RunResult{};
  return RunMvc(work, {"fsck"});
}

void FlipBytes(const std::string& path, const std::vector<uint64_t>& offsets) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f.good());
  uint8_t k = 0;
  for (uint64_t off : offsets) {
    f.seekg(static_cast<std::streamoff>(off));
    char c = 0;
    f.read(&c, 1);
    REQUIRE(f.good());
    c = static_cast<char>(c ^ (0xFF ^ (k++ & 0x7F)));
    f.seekp(static_cast<std::streamoff>(off));
    f.write(&c, 1);
  }
  f.flush();
  REQUIRE(f.good());
}

}  // namespace mvc::testing
