// Repository::WorktreeStatus: which files differ from HEAD.
//
// Uses the stat cache, so an unchanged model costs a stat, not a re-hash.
#include <algorithm>
#include <set>

#include "refs/internal/content_keys.h"
#include "refs/repository.h"

namespace mvc {

Result<WorktreeStatusResult> Repository::WorktreeStatus() {
  MVC_ASSIGN_OR_RETURN(History::Head head, history_->ReadHead());
  MVC_ASSIGN_OR_RETURN(internal::CommittedFiles committed, internal::ReadCommittedFiles(*history_, head.commit));
  MVC_ASSIGN_OR_RETURN(std::vector<internal::WorktreeFile> files, internal::ScanWorktree(worktree_));
  internal::StatCache cache = internal::StatCache::Load(mvc_dir_ + "/index");
  WorktreeStatusResult result;
  result.branch = head.branch;
  result.head = head.commit;
  std::set<std::string> seen;
  for (const internal::WorktreeFile& f : files) {
    seen.insert(f.path);
    auto it = committed.find(f.path);
    if (it == committed.end()) {
      result.entries.push_back({f.path, FileChange::kAdded});
      continue;
    }
    Result<std::string> key = internal::WorktreeKey(*this, cache, f);
    // A model file that no longer parses (truncated, half-written) differs from the
    // committed one, which did: it is modified, as checkout counts it. Errors reading
    // the file still stop the command.
    if (!key.ok() && key.status().code() != StatusCode::kInvalidArgument) return key.status();
    if (!key.ok() || !it->second.Matches(*key) || f.stat.executable != it->second.entry.executable) {
      result.entries.push_back({f.path, FileChange::kModified});
    }
  }
  for (const auto& [path, file] : committed) {
    if (!seen.count(path)) result.entries.push_back({path, FileChange::kDeleted});
  }
  std::sort(result.entries.begin(), result.entries.end(),
            [](const StatusEntry& a, const StatusEntry& b) { return a.path < b.path; });
  (void)cache.Save(mvc_dir_ + "/index");  // refreshed keys speed up the next call
  return result;
}

}  // namespace mvc
