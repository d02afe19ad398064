// cli/output.h: what every command shares: opening the repository from the current
// directory, printing errors, human byte counts, JSON output and a progress bar.
//
//   MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
//   Progress progress("commit");              // draws on stderr only when it is a TTY
//   options.progress = progress.Callback();
#ifndef MVC_CLI_OUTPUT_H_
#define MVC_CLI_OUTPUT_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "refs/repository.h"

namespace mvc::cli {

// The repository containing the current directory (or $MVC_DIR's worktree).
Result<std::unique_ptr<Repository>> OpenRepository();

// "1.5 MB" (decimal units, as `du --si`); exact bytes below 1 kB.
std::string HumanBytes(uint64_t bytes);

// "71.3%" of `whole` (or "-" when whole is 0).
std::string Percent(uint64_t part, uint64_t whole);

// Prints a JSON value on stdout, one document.
void PrintJson(const nlohmann::json& value);

// "2026-11-23 09:42:38 +0000".
std::string FormatTime(int64_t seconds, int offset_minutes);

// "[4, 4096]".
std::string FormatShape(const std::vector<uint64_t>& shape);

// A one-line progress bar on stderr, drawn only when stderr is a terminal and the
// operation has run for more than a second; thread-safe.
class Progress {
 public:
  Progress();
  ~Progress();  // clears the line
  ProgressCallback Callback();

 private:
  void Update(const std::string& what, uint64_t done, uint64_t total);
  std::mutex mu_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace mvc::cli

#endif  // MVC_CLI_OUTPUT_H_
