// mvc init: create `.mvc/` in the current directory.
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"

namespace mvc::cli {

void AddInit(CLI::App& sub, Action& run) {
  auto dir = std::make_shared<std::string>(".");
  sub.add_option("directory", *dir, "Where to create the repository (default: here)");
  sub.callback([&run, dir] {
    run = [dir]() -> Status {
      MVC_ASSIGN_OR_RETURN(auto repo, Repository::Init(*dir));
      std::cout << "Initialized empty mvc repository in " << repo->mvc_dir() << "\n";
      return Status::Ok();
    };
  });
}

}  // namespace mvc::cli
