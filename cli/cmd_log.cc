// mvc log: the commit history, newest first.
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"

namespace mvc::cli {

void AddLog(CLI::App& sub, Action& run) {
  struct Args {
    std::string revision = "HEAD";
    size_t max_count = 0;
    bool oneline = false;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  sub.add_option("revision", args->revision, "Where to start (default HEAD)");
  sub.add_option("-n,--max-count", args->max_count, "Show at most this many commits");
  sub.add_flag("--oneline", args->oneline, "One line per commit");
  sub.add_flag("--json", args->json, "Machine-readable output");
  sub.callback([&run, args] {
    run = [args]() -> Status {
      MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
      MVC_ASSIGN_OR_RETURN(std::vector<LogEntry> entries, repo->Log(args->revision, args->max_count));
      if (args->json) {
        nlohmann::json out = nlohmann::json::array();
        for (const LogEntry& e : entries) {
          nlohmann::json parents = nlohmann::json::array();
          for (const GitId& p : e.commit.parents) parents.push_back(p.ToHex());
          out.push_back({{"commit", e.commit.id.ToHex()}, {"parents", parents}, {"author", e.commit.author.name},
                         {"email", e.commit.author.email}, {"time", e.commit.author.time_seconds},
                         {"message", e.commit.message}, {"refs", e.refs}, {"model_bytes", e.raw_bytes},
                         {"stored_bytes", e.stored_bytes}});
        }
        PrintJson(out);
        return Status::Ok();
      }
      for (const LogEntry& e : entries) {
        std::string refs;
        for (const std::string& r : e.refs) refs += (refs.empty() ? "" : ", ") + r;
        std::string subject = e.commit.message.substr(0, e.commit.message.find('\n'));
        if (args->oneline) {
          std::cout << e.commit.id.ShortHex(12) << (refs.empty() ? "" : " (" + refs + ")") << " " << subject
                    << "  [+" << HumanBytes(e.stored_bytes) << "]\n";
          continue;
        }
        std::cout << "commit " << e.commit.id.ToHex() << (refs.empty() ? "" : " (" + refs + ")") << "\n"
                  << "Author: " << e.commit.author.name << " <" << e.commit.author.email << ">\n"
                  << "Date:   " << FormatTime(e.commit.author.time_seconds, e.commit.author.offset_minutes) << "\n"
                  << "Stored: +" << HumanBytes(e.stored_bytes) << " for " << HumanBytes(e.raw_bytes)
                  << " of models\n\n";
        std::string message = e.commit.message;
        size_t pos = 0;
        while (pos < message.size()) {
          size_t nl = message.find('\n', pos);
          if (nl == std::string::npos) nl = message.size();
          std::cout << "    " << message.substr(pos, nl - pos) << "\n";
          pos = nl + 1;
        }
        std::cout << "\n";
      }
      return Status::Ok();
    };
  });
}

}  // namespace mvc::cli
