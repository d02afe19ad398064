// cli/exit_codes.h: mvc's exit codes (docs/cli.md, "Exit codes").
//
// 0 success; 1 the user's input or repository state is wrong (bad file, unknown
// revision, dirty worktree, corrupt store); 2 mvc itself failed (a bug).
#ifndef MVC_CLI_EXIT_CODES_H_
#define MVC_CLI_EXIT_CODES_H_

#include "core/status.h"

namespace mvc::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUserError = 1;
inline constexpr int kExitInternal = 2;

inline int ExitCodeFor(const Status& s) {
  if (s.ok()) return kExitOk;
  return s.code() == StatusCode::kInternal ? kExitInternal : kExitUserError;
}

}  // namespace mvc::cli

#endif  // MVC_CLI_EXIT_CODES_H_
