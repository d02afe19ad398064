// refs/repository.h: the porcelain API — a repository of model versions.
//
// A repository is a worktree (the user's model folder) with `.mvc/` at its top:
// history (commits, trees, refs, reflog, config) in a bare git repository, tensor
// chunks in the object store, and a stat cache of the worktree (docs/repository-layout.md).
// The CLI and future bindings call only this header and the plumbing it exposes.
//
//   MVC_ASSIGN_OR_RETURN(auto repo, Repository::Open(Repository::FindRoot(cwd)));
//   CommitOptions opts; opts.message = "step 1000";
//   MVC_ASSIGN_OR_RETURN(CommitResult r, repo->Commit(opts));
//
// One Repository per process and operation; not thread-safe (it uses threads inside).
// Operations that write (commit, checkout, branch, tag, gc) take the repository lock;
// a second writer waits up to `lock_timeout_ms` and then fails with kConflict
// "repository is locked".
#ifndef MVC_REFS_REPOSITORY_H_
#define MVC_REFS_REPOSITORY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codec/lossy_policy.h"
#include "core/result.h"
#include "objectstore/lmdb_backend.h"
#include "refs/git_id.h"
#include "refs/history.h"
#include "refs/manifest.h"

namespace mvc {

class ObjectStore;
class ThreadPool;

// Progress of a long operation: `done` of `total` units (bytes) of `what`.
using ProgressCallback = std::function<void(const std::string& what, uint64_t done, uint64_t total)>;

struct CommitOptions {
  std::string message;
  bool allow_empty = false;          // make a commit even when the tree did not change
  std::optional<History::Signature> author;  // default: config user.name/user.email or env
  uint32_t max_delta_depth = 8;      // a tensor whose base chain is this deep is stored full
  bool allow_delta = true;           // consider aligned deltas against the parent's tensors
  // Near-lossless, opt-in only: float tensors the policy applies to are stored as
  // approximations (bfp:M, aligned:int16|int32) and the error reached is recorded.
  LossyPolicy policy;                // default: lossless
  // When set, each float tensor gets the cheapest encoding (lossless included) whose
  // relative L2 error is at most this.
  std::optional<double> max_rel_error;
  ProgressCallback progress;
};

struct CommitResult {
  bool created = false;              // false: nothing to commit
  GitId commit;                      // the new commit (or HEAD when !created)
  std::string branch;                // the branch moved; empty when detached
  uint64_t files = 0;
  uint64_t tensors = 0;
  uint64_t raw_bytes = 0;            // total bytes of the committed files
  uint64_t stored_bytes = 0;         // bytes this commit added to the object store
  uint64_t chunks_written = 0;
};

struct CheckoutOptions {
  bool force = false;                // overwrite uncommitted changes
  std::optional<std::string> new_branch;  // `checkout -b NAME`: create it at the target first
  ProgressCallback progress;
};

struct CheckoutResult {
  GitId commit;
  std::string branch;                // empty when detached
  uint64_t files_written = 0;
  uint64_t files_removed = 0;
  uint64_t bytes_written = 0;
  // Tensors written from a near-lossless commit: "file:tensor" with what was promised.
  struct Approximate {
    std::string file;
    std::string tensor;
    LossyInfo lossy;
  };
  std::vector<Approximate> approximate;
};

enum class FileChange { kUnchanged, kModified, kAdded, kDeleted };

struct StatusEntry {
  std::string path;
  FileChange change;
};

struct WorktreeStatusResult {
  std::string branch;                // empty when detached
  std::optional<GitId> head;         // nullopt before the first commit
  std::vector<StatusEntry> entries;  // changed files only, sorted by path
};

struct LogEntry {
  History::CommitInfo commit;
  uint64_t stored_bytes = 0;         // bytes the commit added to the store
  uint64_t raw_bytes = 0;            // size of the files in its tree
  std::vector<std::string> refs;     // branch and tag names pointing at it
};

// One file of a commit's tree.
struct TreeFile {
  std::string path;
  bool is_model = false;             // a safetensors manifest
  uint64_t size = 0;
  std::optional<FileManifest> manifest;
  GitId blob;
};

class Repository {
 public:
  ~Repository();

  // The directory holding `.mvc/`, searching `start` and its parents.
  // Errors: kNotFound "not an mvc repository (or any parent up to /): <start>".
  static Result<std::string> FindRoot(const std::string& start);

  // Creates `.mvc/` in `worktree` (which must exist). Errors: kConflict when a
  // repository is already there.
  static Result<std::unique_ptr<Repository>> Init(const std::string& worktree);

  // Opens the repository whose worktree is `worktree`. Errors: kNotFound,
  // kUnsupportedVersion when `.mvc/format` names a version or extension we do not know.
  static Result<std::unique_ptr<Repository>> Open(const std::string& worktree);

  const std::string& worktree() const { return worktree_; }
  const std::string& mvc_dir() const { return mvc_dir_; }
  History& history() { return *history_; }
  ObjectStore& store() { return *store_; }
  ThreadPool& pool();

  // Porcelain.
  Result<CommitResult> Commit(const CommitOptions& options);
  Result<CheckoutResult> Checkout(const std::string& revision, const CheckoutOptions& options);
  Result<WorktreeStatusResult> WorktreeStatus();
  Result<std::vector<LogEntry>> Log(const std::string& revision, size_t max_count);

  // The files of a commit's tree, manifests parsed.
  Result<std::vector<TreeFile>> ListFiles(const GitId& commit);

  // Branches and tags. Errors: kInvalidArgument (bad name), kConflict (exists),
  // kNotFound (unknown revision or branch).
  Status CreateBranch(const std::string& name, const std::string& start_revision, bool force);
  Status DeleteBranch(const std::string& name);
  Status CreateTag(const std::string& name, const std::string& revision, bool force);
  Status DeleteTag(const std::string& name);

  Result<GitId> ResolveCommit(const std::string& revision);

  // Rebuilds `file` of a commit at `dest_path` (a temp file renamed into place),
  // verifying every chunk. Errors name file, tensor and object on corruption.
  Status ExportFile(const TreeFile& file, const std::string& dest_path, uint64_t* bytes_written,
                    const ProgressCallback& progress);

  // Raw bytes of one stored tensor, verified against its id.
  Result<Bytes> ReadTensor(const ObjectId& tensor_id);

  // Rewrites the object store without its free pages (closing this repository's
  // handle, compacting, reopening). The caller should hold the repository lock.
  // Errors: those of LmdbBackend::Compact (the store unchanged); when the store cannot
  // be reopened afterwards, that error, and the repository must not be used further.
  Result<CompactResult> CompactStore();

  // Milliseconds a writer waits for the repository lock (MVC_LOCK_TIMEOUT_MS overrides).
  int lock_timeout_ms() const { return lock_timeout_ms_; }

 private:
  Repository() = default;
  // Branches and tags differ only in namespace ("refs/heads/") and noun ("branch").
  Status CreateRef(const std::string& prefix, const std::string& noun, const std::string& name,
                   const std::string& revision, bool force);
  Status DeleteRef(const std::string& prefix, const std::string& noun, const std::string& name);

  std::string worktree_;
  std::string mvc_dir_;
  std::unique_ptr<History> history_;
  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<ThreadPool> pool_;
  int lock_timeout_ms_ = 10000;

  friend class RepositoryLock;
};

}  // namespace mvc

#endif  // MVC_REFS_REPOSITORY_H_
