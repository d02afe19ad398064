// refs/internal/content_keys.h: what a tree entry or a worktree file "is", comparably.
//
// Content keys (refs/internal/worktree.h) let status, commit and checkout compare a
// worktree file with a committed one without rebuilding either.
#ifndef MVC_REFS_INTERNAL_CONTENT_KEYS_H_
#define MVC_REFS_INTERNAL_CONTENT_KEYS_H_

#include <map>
#include <string>

#include "refs/history.h"
#include "refs/internal/worktree.h"
#include "refs/repository.h"

namespace mvc::internal {

struct CommittedFile {
  History::TreeEntry entry;
  std::string key;         // "file:<file id>" or "blob:<git blob id>"
  std::string source_key;  // lossy commits: "file:<source file id>", else empty
  std::optional<FileManifest> manifest;

  // True when a worktree file with content key `k` is this committed file: its exact
  // stored bytes, or (after a lossy commit) the file that was committed.
  bool Matches(const std::string& k) const { return k == key || (!source_key.empty() && k == source_key); }
};
using CommittedFiles = std::map<std::string, CommittedFile>;

// The bytes of a tree blob when it is a manifest; nullopt for a plain file, whose
// bytes (of any size) are not read beyond the magic.
Result<std::optional<Bytes>> ReadIfManifest(History& history, const GitId& blob);

// The files of `commit` with their content keys (empty for nullopt: an unborn branch).
Result<CommittedFiles> ReadCommittedFiles(History& history, const std::optional<GitId>& commit);

// The content key of a worktree file, from the stat cache when its stat matches,
// else computed (and recorded in the cache). For a malformed model file the error
// names the file.
Result<std::string> WorktreeKey(Repository& repo, StatCache& cache, const WorktreeFile& file);

}  // namespace mvc::internal

#endif  // MVC_REFS_INTERNAL_CONTENT_KEYS_H_
