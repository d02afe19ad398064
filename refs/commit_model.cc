// Repository::Commit: snapshot the worktree as a new commit on HEAD.
//
// Order of writes (design.md, "Identity and exactness"): chunks, then tensor records,
// then git blobs/trees/commit, and last the ref update. A process killed anywhere
// before the ref update leaves only unreachable objects, which gc removes.
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include "core/thread_pool.h"
#include "objectstore/object_store.h"
#include "refs/internal/content_keys.h"
#include "refs/internal/file_util.h"
#include "refs/internal/tensor_io.h"
#include "refs/repository.h"

namespace mvc {

namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

int LocalOffsetMinutes(time_t t) {
  struct tm local;
  localtime_r(&t, &local);
  return static_cast<int>(local.tm_gmtoff / 60);
}

// Author: MVC_AUTHOR_NAME/EMAIL, then config user.name/user.email, then git's
// environment variables, then the login name.
Result<History::Signature> DefaultSignature(History& history) {
  History::Signature sig;
  MVC_ASSIGN_OR_RETURN(std::optional<std::string> name, history.GetConfig("user.name"));
  MVC_ASSIGN_OR_RETURN(std::optional<std::string> email, history.GetConfig("user.email"));
  std::string login = EnvOr("USER", "mvc");
  sig.name = EnvOr("MVC_AUTHOR_NAME", name ? *name : EnvOr("GIT_AUTHOR_NAME", login));
  char host[256] = "localhost";
  gethostname(host, sizeof(host) - 1);
  sig.email = EnvOr("MVC_AUTHOR_EMAIL", email ? *email : EnvOr("GIT_AUTHOR_EMAIL", login + "@" + host));
  time_t now = std::time(nullptr);
  if (const char* fixed = std::getenv("MVC_COMMIT_TIME")) now = std::strtoll(fixed, nullptr, 10);
  sig.time_seconds = now;
  sig.offset_minutes = LocalOffsetMinutes(now);
  return sig;
}

std::string FirstLine(const std::string& message) { return message.substr(0, message.find('\n')); }

}  // namespace

Result<CommitResult> Repository::Commit(const CommitOptions& options) {
  if (options.message.empty()) return Status::InvalidArgument("empty commit message (use -m)");
  MVC_ASSIGN_OR_RETURN(auto lock, internal::FileLock::Acquire(mvc_dir_ + "/lock", lock_timeout_ms_));
  MVC_ASSIGN_OR_RETURN(History::Head head, history_->ReadHead());
  MVC_ASSIGN_OR_RETURN(internal::CommittedFiles parent_files, internal::ReadCommittedFiles(*history_, head.commit));
  MVC_ASSIGN_OR_RETURN(std::vector<internal::WorktreeFile> files, internal::ScanWorktree(worktree_));
  internal::StatCache cache = internal::StatCache::Load(mvc_dir_ + "/index");

  CommitResult result;
  result.branch = head.branch;
  History::FlatTree tree;
  for (const internal::WorktreeFile& file : files) {
    std::string full = worktree_ + "/" + file.path;
    auto parent_it = parent_files.find(file.path);
    const internal::CommittedFile* parent = parent_it == parent_files.end() ? nullptr : &parent_it->second;
    result.files++;
    result.raw_bytes += file.stat.size;
    // Fast path: the stat cache says the file is what the parent committed.
    std::optional<std::string> cached = cache.Lookup(file.path, file.stat);
    if (parent && cached && parent->Matches(*cached) && parent->entry.executable == file.stat.executable) {
      tree[file.path] = parent->entry;
      if (parent->manifest) result.tensors += parent->manifest->tensors.size();
      continue;
    }
    if (file.is_model) {
      MVC_ASSIGN_OR_RETURN(internal::FileHashes hashes,
                           internal::HashSafetensorsFile(pool(), full, options.progress));
      std::string key = "file:" + hashes.file_id.ToHex();
      result.tensors += hashes.layout.tensors.size();
      if (parent && parent->Matches(key)) {
        tree[file.path] = {parent->entry.blob, file.stat.executable};
      } else {
        const FileManifest* parent_manifest = parent && parent->manifest ? &*parent->manifest : nullptr;
        internal::StoreStats stats;
        MVC_ASSIGN_OR_RETURN(FileManifest manifest,
                             internal::StoreSafetensorsFile(*this, full, hashes, parent_manifest, options, &stats));
        result.stored_bytes += stats.stored_bytes;
        result.chunks_written += stats.chunks_written;
        std::string blob = manifest.Serialize();
        MVC_ASSIGN_OR_RETURN(GitId blob_id, history_->WriteBlob(AsBytes(blob)));
        tree[file.path] = {blob_id, file.stat.executable};
      }
      cache.Set(file.path, file.stat, key);
    } else {
      MVC_ASSIGN_OR_RETURN(std::string prefix, internal::ReadFilePrefix(full, kManifestMagicSize));
      if (IsManifestBlob(prefix)) {
        return Status::InvalidArgument(file.path + ": file starts with the mvc manifest magic and cannot be committed");
      }
      MVC_ASSIGN_OR_RETURN(GitId blob_id, history_->WriteBlobFromFile(full));
      MVC_ASSIGN_OR_RETURN(uint64_t blob_size, history_->BlobSize(blob_id));
      result.stored_bytes += blob_size;  // an upper bound: git compresses blobs
      tree[file.path] = {blob_id, file.stat.executable};
      cache.Set(file.path, file.stat, "blob:" + blob_id.ToHex());
    }
  }

  MVC_ASSIGN_OR_RETURN(GitId tree_id, history_->WriteTree(tree));
  if (head.commit && !options.allow_empty) {
    MVC_ASSIGN_OR_RETURN(History::CommitInfo parent_info, history_->ReadCommit(*head.commit));
    if (parent_info.tree == tree_id) {
      (void)cache.Save(mvc_dir_ + "/index");  // only a cache: failing to save loses nothing
      result.commit = *head.commit;
      result.stored_bytes = 0;
      return result;
    }
  }
  History::Signature author;
  if (options.author) {
    author = *options.author;
  } else {
    MVC_ASSIGN_OR_RETURN(author, DefaultSignature(*history_));
  }
  std::vector<GitId> parents;
  if (head.commit) parents.push_back(*head.commit);
  std::string message = options.message;
  if (message.back() != '\n') message += '\n';
  MVC_ASSIGN_OR_RETURN(GitId commit, history_->WriteCommit(tree_id, parents, author, author, message));
  std::string reflog = std::string(head.commit ? "commit: " : "commit (initial): ") + FirstLine(options.message);
  if (head.branch.empty()) {
    MVC_RETURN_IF_ERROR(history_->SetHeadDetached(commit));
  } else {
    MVC_RETURN_IF_ERROR(history_->UpdateRef("refs/heads/" + head.branch, commit, head.commit, reflog));
  }
  (void)cache.Save(mvc_dir_ + "/index");
  result.created = true;
  result.commit = commit;
  return result;
}

}  // namespace mvc
