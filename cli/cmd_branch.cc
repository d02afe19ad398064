// mvc branch: list, create or delete branches.
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"

namespace mvc::cli {

void AddBranch(CLI::App& sub, Action& run) {
  struct Args {
    std::string name;
    std::string start = "HEAD";
    bool remove = false;
    bool force = false;
  };
  auto args = std::make_shared<Args>();
  sub.add_option("name", args->name, "Branch to create (or delete with -d); none lists branches");
  sub.add_option("start", args->start, "Commit the new branch points at (default HEAD)");
  sub.add_flag("-d,--delete", args->remove, "Delete the branch");
  sub.add_flag("-f,--force", args->force, "Move an existing branch");
  sub.callback([&run, args] {
    run = [args]() -> Status {
      MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
      if (args->name.empty()) {
        MVC_ASSIGN_OR_RETURN(History::Head head, repo->history().ReadHead());
        MVC_ASSIGN_OR_RETURN(auto refs, repo->history().ListRefs("refs/heads/"));
        for (const auto& [ref, id] : refs) {
          std::string name = ref.substr(std::string("refs/heads/").size());
          std::cout << (name == head.branch ? "* " : "  ") << name << "  " << id.ShortHex(12) << "\n";
        }
        if (refs.empty() && !head.branch.empty()) std::cout << "* " << head.branch << " (no commits yet)\n";
        return Status::Ok();
      }
      if (args->remove) {
        MVC_RETURN_IF_ERROR(repo->DeleteBranch(args->name));
        std::cout << "Deleted branch " << args->name << "\n";
        return Status::Ok();
      }
      return repo->CreateBranch(args->name, args->start, args->force);
    };
  });
}

}  // namespace mvc::cli
