// tests/cli/cli_runner.h: runs the built `mvc` binary in a directory and captures
// its exit code, stdout and stderr, for end-to-end tests of each verb.
//
//   TempDir dir;
//   RunResult r = RunMvc(dir.path(), {"init"});
//   CHECK(r.exit_code == 0);
#ifndef MVC_TESTS_CLI_CLI_RUNNER_H_
#define MVC_TESTS_CLI_CLI_RUNNER_H_

#include <string>
#include <vector>

namespace mvc::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs MVC_BINARY with `args` in `cwd` (no shell; arguments passed verbatim).
RunResult RunMvc(const std::string& cwd, const std::vector<std::string>& args);

// Copies a file, creating parent directories.
void CopyFile(const std::string& from, const std::string& to);

// True when the two files have identical bytes.
bool SameBytes(const std::string& a, const std::string& b);

}  // namespace mvc::testing

#endif  // MVC_TESTS_CLI_CLI_RUNNER_H_
