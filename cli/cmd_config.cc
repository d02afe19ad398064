// mvc config: get or set a repository setting.
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"

namespace mvc::cli {

void AddConfig(CLI::App& sub, Action& run) {
  struct Args {
    std::string key;
    std::string value;
    bool has_value = false;
  };
  auto args = std::make_shared<Args>();
  sub.add_option("key", args->key, "Setting, e.g. user.name")->required();
  sub.add_option("value", args->value, "New value (omit to print the current one)");
  sub.callback([&run, args, &sub] {
    args->has_value = sub.count("value") > 0;
    run = [args]() -> Status {
      MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
      if (args->has_value) return repo->history().SetConfig(args->key, args->value);
      MVC_ASSIGN_OR_RETURN(std::optional<std::string> value, repo->history().GetConfig(args->key));
      if (!value) return Status::NotFound("config key '" + args->key + "' is not set");
      std::cout << *value << "\n";
      return Status::Ok();
    };
  });
}

}  // namespace mvc::cli
