// mvc merge-base: print the best common ancestor of two commits (git merge-base).
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"

namespace mvc::cli {

void AddMergeBase(CLI::App& sub, Action& run) {
  struct Args {
    std::string a, b;
  };
  auto args = std::make_shared<Args>();
  sub.add_option("A", args->a, "First revision")->required();
  sub.add_option("B", args->b, "Second revision")->required();
  sub.callback([&run, args] {
    run = [args]() -> Status {
      MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
      MVC_ASSIGN_OR_RETURN(GitId a, repo->ResolveCommit(args->a));
      MVC_ASSIGN_OR_RETURN(GitId b, repo->ResolveCommit(args->b));
      MVC_ASSIGN_OR_RETURN(std::optional<GitId> base, repo->history().MergeBase(a, b));
      // Unrelated histories: exit 1, as git does (here with a message naming both).
      if (!base) return Status::NotFound("no merge base of '" + args->a + "' and '" + args->b + "'");
      std::cout << base->ToHex() << "\n";
      return Status::Ok();
    };
  });
}

}  // namespace mvc::cli
