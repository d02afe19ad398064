// Repository::Log: commits reachable from a revision, newest first, with what each
// added to the object store (the sum of its new manifests' stored bytes).
#include <map>

#include "refs/internal/content_keys.h"
#include "refs/repository.h"

namespace mvc {

Result<std::vector<LogEntry>> Repository::Log(const std::string& revision, size_t max_count) {
  MVC_ASSIGN_OR_RETURN(GitId start, ResolveCommit(revision));
  MVC_ASSIGN_OR_RETURN(std::vector<GitId> ids, history_->Log(start, max_count));
  std::map<GitId, std::vector<std::string>> names;
  for (const char* prefix : {"refs/heads/", "refs/tags/"}) {
    MVC_ASSIGN_OR_RETURN(auto refs, history_->ListRefs(prefix));
    for (const auto& [name, id] : refs) {
      std::string shown = name.substr(std::string(prefix).size());
      names[id].push_back(std::string(prefix) == "refs/tags/" ? "tag: " + shown : shown);
    }
  }
  std::vector<LogEntry> entries;
  for (const GitId& id : ids) {
    LogEntry e;
    MVC_ASSIGN_OR_RETURN(e.commit, history_->ReadCommit(id));
    MVC_ASSIGN_OR_RETURN(internal::CommittedFiles files, internal::ReadCommittedFiles(*history_, id));
    internal::CommittedFiles parent_files;
    if (!e.commit.parents.empty()) {
      MVC_ASSIGN_OR_RETURN(parent_files, internal::ReadCommittedFiles(*history_, e.commit.parents[0]));
    }
    for (const auto& [path, f] : files) {
      e.raw_bytes += f.manifest ? f.manifest->file_size : 0;
      auto p = parent_files.find(path);
      if (p != parent_files.end() && p->second.entry.blob == f.entry.blob) continue;
      if (f.manifest) {
        for (const ManifestTensor& t : f.manifest->tensors) e.stored_bytes += t.stored_bytes;
      }
    }
    if (auto it = names.find(id); it != names.end()) e.refs = it->second;
    entries.push_back(std::move(e));
  }
  return entries;
}

}  // namespace mvc
