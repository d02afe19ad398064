// mvc rev-parse: print the full commit id a revision names (plumbing).
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"

namespace mvc::cli {

void AddRevParse(CLI::App& sub, Action& run) {
  auto revision = std::make_shared<std::string>();
  sub.add_option("revision", *revision, "HEAD, main~2, a tag, a short id...")->required();
  sub.callback([&run, revision] {
    run = [revision]() -> Status {
      MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
      MVC_ASSIGN_OR_RETURN(GitId id, repo->ResolveCommit(*revision));
      std::cout << id.ToHex() << "\n";
      return Status::Ok();
    };
  });
}

}  // namespace mvc::cli
