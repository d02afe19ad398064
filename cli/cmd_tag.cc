// mvc tag: list, create or delete tags (lightweight, like `git tag NAME`).
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"

namespace mvc::cli {

void AddTag(CLI::App& sub, Action& run) {
  struct Args {
    std::string name;
    std::string revision = "HEAD";
    bool remove = false;
    bool force = false;
  };
  auto args = std::make_shared<Args>();
  sub.add_option("name", args->name, "Tag to create (or delete with -d); none lists tags");
  sub.add_option("revision", args->revision, "Commit to tag (default HEAD)");
  sub.add_flag("-d,--delete", args->remove, "Delete the tag");
  sub.add_flag("-f,--force", args->force, "Replace an existing tag");
  sub.callback([&run, args] {
    run = [args]() -> Status {
      MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
      if (args->name.empty()) {
        MVC_ASSIGN_OR_RETURN(auto refs, repo->history().ListRefs("refs/tags/"));
        for (const auto& [ref, id] : refs) std::cout << ref.substr(std::string("refs/tags/").size()) << "\n";
        return Status::Ok();
      }
      if (args->remove) {
        MVC_RETURN_IF_ERROR(repo->DeleteTag(args->name));
        std::cout << "Deleted tag " << args->name << "\n";
        return Status::Ok();
      }
      return repo->CreateTag(args->name, args->revision, args->force);
    };
  });
}

}  // namespace mvc::cli
