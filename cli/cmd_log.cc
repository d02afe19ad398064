// mvc log: the commit history, newest first.
#include <algorithm>
#include <iostream>
#include <map>
#include <set>

#include "cli/commands.h"
#include "cli/output.h"

namespace mvc::cli {

namespace {

// Children before parents, newest first among the ready ones (git's --topo-order).
std::vector<const LogEntry*> TopoOrder(const std::vector<LogEntry>& entries) {
  std::map<GitId, const LogEntry*> by_id;
  for (const LogEntry& e : entries) by_id[e.commit.id] = &e;
  std::map<GitId, int> children;
  for (const LogEntry& e : entries) {
    for (const GitId& p : e.commit.parents) if (by_id.count(p)) children[p]++;
  }
  auto newer = [](const LogEntry* a, const LogEntry* b) {
    return a->commit.committer.time_seconds < b->commit.committer.time_seconds;
  };
  std::vector<const LogEntry*> ready, out;
  for (const LogEntry& e : entries) if (children[e.commit.id] == 0) ready.push_back(&e);
  while (!ready.empty()) {
    std::make_heap(ready.begin(), ready.end(), newer);
    std::pop_heap(ready.begin(), ready.end(), newer);
    const LogEntry* e = ready.back();
    ready.pop_back();
    out.push_back(e);
    for (const GitId& p : e->commit.parents) {
      if (by_id.count(p) && --children[p] == 0) ready.push_back(by_id[p]);
    }
  }
  return out;
}

// Draws one column per line of history being followed; a branch point joins its
// columns with "|/". mvc makes no merge commits, so columns only ever join.
void PrintGraph(const std::vector<LogEntry>& entries) {
  std::vector<GitId> columns;  // the commit each column waits for
  for (const LogEntry* e : TopoOrder(entries)) {
    std::vector<size_t> mine;
    for (size_t i = 0; i < columns.size(); ++i) if (columns[i] == e->commit.id) mine.push_back(i);
    if (mine.empty()) {
      columns.push_back(e->commit.id);
      mine.push_back(columns.size() - 1);
    }
    if (mine.size() > 1) {
      // A branch point: the columns that wait for it join the first one ("|/").
      std::string join(2 * columns.size() - 1, ' ');
      for (size_t i = 0; i < columns.size(); ++i) {
        bool joining = std::find(mine.begin() + 1, mine.end(), i) != mine.end();
        join[joining ? 2 * i - 1 : 2 * i] = joining ? '/' : '|';
      }
      std::cout << join.substr(0, join.find_last_not_of(' ') + 1) << "\n";
      for (size_t k = mine.size(); k-- > 1;) columns.erase(columns.begin() + static_cast<long>(mine[k]));
    }
    std::string line;
    for (size_t i = 0; i < columns.size(); ++i) line += (i ? " " : "") + std::string(i == mine[0] ? "*" : "|");
    std::string refs;
    for (const std::string& r : e->refs) refs += (refs.empty() ? "" : ", ") + r;
    std::cout << line << " " << e->commit.id.ShortHex(12) << (refs.empty() ? "" : " (" + refs + ")") << " "
              << e->commit.message.substr(0, e->commit.message.find('\n')) << "  [+" << HumanBytes(e->stored_bytes)
              << "]\n";
    if (e->commit.parents.empty()) {
      columns.erase(columns.begin() + static_cast<long>(mine[0]));
    } else {
      columns[mine[0]] = e->commit.parents[0];
    }
  }
}

}  // namespace

void AddLog(CLI::App& sub, Action& run) {
  struct Args {
    std::string revision = "HEAD";
    size_t max_count = 0;
    bool oneline = false;
    bool graph = false;
    bool all = false;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  sub.add_option("revision", args->revision, "Where to start (default HEAD)");
  sub.add_option("-n,--max-count", args->max_count, "Show at most this many commits");
  sub.add_flag("--oneline", args->oneline, "One line per commit");
  sub.add_flag("--graph", args->graph, "Draw the branch structure (one line per commit)");
  sub.add_flag("--all", args->all, "Start from every branch and tag, not only the revision");
  sub.add_flag("--json", args->json, "Machine-readable output");
  sub.callback([&run, args] {
    run = [args]() -> Status {
      MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
      std::vector<LogEntry> entries;
      if (args->all) {
        std::set<GitId> seen;
        for (const char* prefix : {"refs/heads/", "refs/tags/"}) {
          MVC_ASSIGN_OR_RETURN(auto refs, repo->history().ListRefs(prefix));
          for (const auto& [name, id] : refs) {
            MVC_ASSIGN_OR_RETURN(std::vector<LogEntry> more, repo->Log(id.ToHex(), args->max_count));
            for (LogEntry& e : more) if (seen.insert(e.commit.id).second) entries.push_back(std::move(e));
          }
        }
      } else {
        MVC_ASSIGN_OR_RETURN(entries, repo->Log(args->revision, args->max_count));
      }
      if (args->graph) {
        PrintGraph(entries);
        return Status::Ok();
      }
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
