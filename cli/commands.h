// cli/commands.h: the table of mvc's commands (git's command-list.txt).
//
// Each command lives in its own cmd_<verb>.cc and exposes one Add function that
// declares its options on a CLI11 subcommand and sets `run` to the action. To add a
// command, see cli/README.md.
#ifndef MVC_CLI_COMMANDS_H_
#define MVC_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <string_view>

#include "core/status.h"

namespace mvc::cli {

// The action of the parsed subcommand; set by its Add function's callback.
using Action = std::function<Status()>;

struct Command {
  std::string_view name;
  bool plumbing;             // low-level, composable; listed apart in --help
  std::string_view summary;  // one line for `mvc --help`
  void (*add)(CLI::App& sub, Action& run);
};

void AddInit(CLI::App&, Action&);
void AddCommit(CLI::App&, Action&);
void AddCheckout(CLI::App&, Action&);
void AddLog(CLI::App&, Action&);
void AddBranch(CLI::App&, Action&);
void AddTag(CLI::App&, Action&);
void AddShow(CLI::App&, Action&);
void AddStatus(CLI::App&, Action&);
void AddLsTensors(CLI::App&, Action&);
void AddConfig(CLI::App&, Action&);
void AddRevParse(CLI::App&, Action&);
void AddCatObject(CLI::App&, Action&);
void AddFsck(CLI::App&, Action&);
void AddGc(CLI::App&, Action&);
void AddStats(CLI::App&, Action&);
void AddCat(CLI::App&, Action&);
void AddExport(CLI::App&, Action&);
void AddDiff(CLI::App&, Action&);
void AddMergeBase(CLI::App&, Action&);

inline constexpr Command kCommands[] = {
    {"init", false, "Create an empty repository in the current directory", AddInit},
    {"commit", false, "Record the worktree's models and files as a new commit", AddCommit},
    {"checkout", false, "Switch the worktree to a branch or commit, byte for byte", AddCheckout},
    {"log", false, "Show the commit history", AddLog},
    {"branch", false, "List, create or delete branches", AddBranch},
    {"tag", false, "List, create or delete tags", AddTag},
    {"show", false, "Show a commit: files, tensors, encodings, stored sizes", AddShow},
    {"status", false, "Show which files differ from HEAD", AddStatus},
    {"ls-tensors", false, "List the tensors of a commit", AddLsTensors},
    {"config", false, "Get or set a repository setting (user.name, user.email)", AddConfig},
    {"rev-parse", true, "Print the commit id a revision names", AddRevParse},
    {"cat-object", true, "Print a stored object's header, or its raw bytes", AddCatObject},
    {"fsck", false, "Verify every reachable object; name what is missing or corrupt", AddFsck},
    {"gc", false, "Delete objects no ref or reflog can reach, compact the store", AddGc},
    {"stats", false, "Logical and physical size, dedup and codec breakdown", AddStats},
    {"cat", false, "Print a tensor of a commit, or write it as .npy", AddCat},
    {"export", false, "Write a commit's files into a directory (worktree untouched)", AddExport},
    {"diff", false, "Compare two versions tensor by tensor and layer by layer", AddDiff},
    {"merge-base", true, "Print the best common ancestor of two commits", AddMergeBase},
};

}  // namespace mvc::cli

#endif  // MVC_CLI_COMMANDS_H_
