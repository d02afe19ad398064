// mvc status: which files differ from HEAD.
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"

namespace mvc::cli {

namespace {

const char* ChangeName(FileChange c) {
  switch (c) {
    case FileChange::kModified: return "modified";
    case FileChange::kAdded: return "new file";
    case FileChange::kDeleted: return "deleted";
    case FileChange::kUnchanged: return "unchanged";
  }
  return "?";
}

const char* PorcelainCode(FileChange c) {
  switch (c) {
    case FileChange::kModified: return " M";
    case FileChange::kAdded: return "??";
    case FileChange::kDeleted: return " D";
    case FileChange::kUnchanged: return "  ";
  }
  return "  ";
}

}  // namespace

void AddStatus(CLI::App& sub, Action& run) {
  struct Args {
    bool json = false;
    bool porcelain = false;
  };
  auto args = std::make_shared<Args>();
  sub.add_flag("--json", args->json, "Machine-readable output");
  sub.add_flag("--porcelain", args->porcelain, "Stable two-letter codes, one file per line (v1)");
  sub.callback([&run, args] {
    run = [args]() -> Status {
      MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
      MVC_ASSIGN_OR_RETURN(WorktreeStatusResult r, repo->WorktreeStatus());
      if (args->json) {
        nlohmann::json files = nlohmann::json::array();
        for (const StatusEntry& e : r.entries) files.push_back({{"path", e.path}, {"change", ChangeName(e.change)}});
        PrintJson({{"branch", r.branch}, {"head", r.head ? nlohmann::json(r.head->ToHex()) : nlohmann::json(nullptr)},
                   {"clean", r.entries.empty()}, {"files", files}});
        return Status::Ok();
      }
      if (args->porcelain) {
        for (const StatusEntry& e : r.entries) std::cout << PorcelainCode(e.change) << " " << e.path << "\n";
        return Status::Ok();
      }
      if (r.branch.empty()) {
        std::cout << "HEAD detached at " << (r.head ? r.head->ShortHex(12) : "?") << "\n";
      } else {
        std::cout << "On branch " << r.branch << (r.head ? "" : " (no commits yet)") << "\n";
      }
      if (r.entries.empty()) {
        std::cout << "nothing to commit, worktree clean\n";
        return Status::Ok();
      }
      for (const StatusEntry& e : r.entries) std::cout << "  " << ChangeName(e.change) << ":  " << e.path << "\n";
      return Status::Ok();
    };
  });
}

}  // namespace mvc::cli
