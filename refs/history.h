// refs/history.h: History, mvc's commits, trees, refs, reflog and config, kept in a
// bare git repository (at .mvc/history/) through libgit2.
//
// This is plumbing: it stores and reads git objects and moves refs, and knows
// nothing of tensors. A tree maps file paths to blobs (the porcelain stores small
// manifests as blobs); a commit points at a tree. A commit becomes visible only when
// UpdateRef moves a branch to it, with a compare-and-swap on the old value so that
// two writers cannot silently overwrite each other.
//
//   MVC_ASSIGN_OR_RETURN(std::unique_ptr<History> h, History::Open(".mvc/history"));
//   MVC_ASSIGN_OR_RETURN(GitId blob, h->WriteBlob(AsBytes("manifest")));
//   MVC_ASSIGN_OR_RETURN(GitId tree, h->WriteTree({{"model/manifest.json", {blob}}}));
//   MVC_ASSIGN_OR_RETURN(History::Head head, h->ReadHead());
//   std::vector<GitId> parents;
//   if (head.commit) parents.push_back(*head.commit);
//   MVC_ASSIGN_OR_RETURN(GitId c, h->WriteCommit(tree, parents, sig, sig, "message\n"));
//   MVC_RETURN_IF_ERROR(h->UpdateRef("refs/heads/" + head.branch, c, head.commit,
//                                    "commit: message"));
//
// Thread-safety: a History is not thread-safe; use one per thread or operation.
// Several processes may share one repository: ref updates are atomic (lock file +
// rename) and UpdateRef's compare-and-swap reports a concurrent move as kConflict.
#ifndef MVC_REFS_HISTORY_H_
#define MVC_REFS_HISTORY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "refs/git_id.h"

namespace mvc {

class History {
 public:
  struct TreeEntry {
    GitId blob;
    bool executable = false;  // git mode 100755 instead of 100644
    friend bool operator==(const TreeEntry&, const TreeEntry&) = default;
  };
  // '/'-separated relative file paths -> blobs; directories are implied.
  using FlatTree = std::map<std::string, TreeEntry>;

  struct Signature {
    std::string name;
    std::string email;
    int64_t time_seconds = 0;  // seconds since the Unix epoch
    int offset_minutes = 0;    // time zone offset from UTC, e.g. +120
    friend bool operator==(const Signature&, const Signature&) = default;
  };

  struct CommitInfo {
    GitId id;
    GitId tree;
    std::vector<GitId> parents;  // empty for a root commit
    Signature author;
    Signature committer;
    std::string message;  // exactly as written (WriteCommit stores it unchanged)
  };

  struct Head {
    std::string branch;           // "main"; empty when HEAD is detached
    std::optional<GitId> commit;  // nullopt when the branch is unborn
  };

  struct ReflogEntry {
    GitId old_id;  // zero when the ref was created
    GitId new_id;
    Signature who;
    std::string message;
  };

  ~History();
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  // Creates a bare repository at `git_dir` (parents created as needed) with HEAD ->
  // refs/heads/main (unborn) and core.logAllRefUpdates=true, so that branch and HEAD
  // reflogs are written although the repository is bare.
  // Errors: kConflict if a repository already exists there; kIOError.
  static Result<std::unique_ptr<History>> Init(const std::string& git_dir);

  // Opens the bare repository at `git_dir` (no search upwards).
  // Errors: kNotFound if there is no repository there; kIOError.
  static Result<std::unique_ptr<History>> Open(const std::string& git_dir);

  const std::string& git_dir() const { return git_dir_; }

  // ---- Blobs ----
  // Stores `data` as a blob (idempotent: same bytes, same id). Errors: kIOError.
  Result<GitId> WriteBlob(ByteView data);
  // Errors: kNotFound if `id` is not a blob in the repository.
  Result<Bytes> ReadBlob(const GitId& id);

  // Plain worktree files may be any size: these move them in pieces of 1 MiB, so
  // memory stays flat. WriteBlobFromFile stores the file's current bytes.
  // Errors: kIOError / kNoSpace naming the file; kConflict if it changed size while
  // being read.
  Result<GitId> WriteBlobFromFile(const std::string& path);
  // The blob's size in bytes without reading it. Errors: kNotFound.
  Result<uint64_t> BlobSize(const GitId& id);
  // Up to `max_bytes` from the start of the blob. Errors: kNotFound, kCorruption.
  Result<Bytes> ReadBlobPrefix(const GitId& id, size_t max_bytes);
  // Passes the blob's bytes to `sink` in order, piece by piece, and checks that they
  // hash to `id` (a corrupt object is kCorruption, reported after the last piece, so
  // a sink writing a file must not publish it before this returns Ok).
  Status StreamBlob(const GitId& id, const std::function<Status(ByteView)>& sink);

  // ---- Trees ----
  // Writes nested git trees for `files` and returns the root tree's id. Every blob
  // must already exist. An empty map gives the empty tree (4b825dc6...).
  // Errors: kInvalidArgument for a bad path (empty, leading '/', empty, "." or ".."
  // component, ".git") or a path that is both a file and a directory; kNotFound
  // for a missing blob.
  Result<GitId> WriteTree(const FlatTree& files);
  // Reads the tree `tree_id` recursively into a flat map.
  // Errors: kNotFound if it is not a tree; kCorruption for an entry that is not a
  // plain or executable file or a directory (symlink, submodule).
  Result<FlatTree> ReadTree(const GitId& tree_id);

  // ---- Commits ----
  // Writes a commit object (and updates no ref). `tree` and every parent must exist.
  // Errors: kNotFound for a missing tree or parent; kInvalidArgument for an empty
  // signature name or email containing '<' or '>'.
  Result<GitId> WriteCommit(const GitId& tree, std::span<const GitId> parents, const Signature& author,
                            const Signature& committer, std::string_view message);
  // Errors: kNotFound if `id` is not a commit.
  Result<CommitInfo> ReadCommit(const GitId& id);
  // The unique commit whose hex id starts with `hex_prefix` (4..40 hex digits).
  // Errors: kNotFound "no commit with id prefix 'abcd'"; kAmbiguous "short id 'abcd'
  // is ambiguous" (more than one object matches, whatever its type).
  Result<GitId> ExpandCommitPrefix(std::string_view hex_prefix);

  // ---- Refs ----
  // The id `name` points at (symbolic refs such as HEAD are followed); nullopt if the
  // ref, or the branch a symbolic ref points at, does not exist.
  // Errors: kInvalidArgument for an invalid refname.
  Result<std::optional<GitId>> ReadRef(const std::string& name);
  // Compare-and-swap: points `name` (a full refname, e.g. "refs/heads/main") at
  // `new_id` if it currently points at `expected_old` (nullopt: it must not exist)
  // and appends a reflog entry with `reflog_message` (to HEAD's reflog too when
  // HEAD is symbolic to `name`). The reflog identity is user.name/user.email from
  // this repository's config, else "unknown".
  // Errors: kConflict "ref refs/heads/main moved (expected abc, found def)";
  // kInvalidArgument for an invalid refname; kNotFound if `new_id` does not exist.
  Status UpdateRef(const std::string& name, const GitId& new_id, const std::optional<GitId>& expected_old,
                   const std::string& reflog_message);
  // Deletes ref `name` and its reflog (as git does: commits only reachable from
  // that reflog are then unreachable unless HEAD's reflog also names them).
  // Errors: kNotFound if it does not exist; kInvalidArgument for an invalid name.
  Status DeleteRef(const std::string& name);
  // Every direct ref whose name starts with `prefix` ("refs/heads/", "refs/tags/";
  // "" for all), sorted by name. Symbolic refs are skipped.
  Result<std::vector<std::pair<std::string, GitId>>> ListRefs(const std::string& prefix);

  // ---- HEAD ----
  Result<Head> ReadHead();
  // Makes HEAD symbolic to refs/heads/<branch>; the branch may be unborn.
  // Errors: kInvalidArgument "invalid branch name 'x'".
  Status SetHeadToBranch(const std::string& branch);
  // Detaches HEAD at `commit`. Errors: kNotFound if it is not a commit.
  Status SetHeadDetached(const GitId& commit);

  // ---- Reflog ----
  // The reflog of `ref_name` ("HEAD", "refs/heads/main"), newest first; empty if the
  // ref has none. Tags get no reflog (git's default).
  Result<std::vector<ReflogEntry>> ReadReflog(const std::string& ref_name);

  // ---- Walks ----
  // Commits reachable from `start` (start first), in topological order with ties
  // broken by commit time, newest first; at most `max_count` (0: no limit).
  // Errors: kNotFound if `start` is not a commit.
  Result<std::vector<GitId>> Log(const GitId& start, size_t max_count);
  // The best common ancestor of `a` and `b`; nullopt if they share no history.
  Result<std::optional<GitId>> MergeBase(const GitId& a, const GitId& b);
  // True when `ancestor` is reachable from `of` (a commit is its own ancestor).
  Result<bool> IsAncestor(const GitId& ancestor, const GitId& of);
  // Calls `fn` once for each commit reachable from any ref, HEAD, or any reflog
  // entry (old and new ids) of any existing reflog; stops at, and returns, the first
  // non-OK Status from `fn`. For gc and fsck.
  // Errors: kNotFound/kCorruption if a referenced commit is missing.
  Status ForEachReachableCommit(const std::function<Status(const GitId&)>& fn);

  // ---- Config (this repository's own config file only; ~/.gitconfig is ignored) ----
  // Errors: kInvalidArgument for a malformed key ("user.name" is well formed).
  Result<std::optional<std::string>> GetConfig(const std::string& key);
  Status SetConfig(const std::string& key, const std::string& value);

  // ---- Names ----
  // git's branch name rules (git check-ref-format --branch): no "..", no spaces,
  // no '~^:?*[\\', not "HEAD", not starting with '-', ...
  // Errors: kInvalidArgument "invalid branch name 'x'".
  static Status ValidateBranchName(std::string_view name);

 private:
  struct Impl;
  History(std::string git_dir, std::unique_ptr<Impl> impl);
  Status SetReflogIdentity();

  std::string git_dir_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mvc

#endif  // MVC_REFS_HISTORY_H_
