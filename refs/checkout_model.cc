// Repository::Checkout: make the worktree match a commit, byte for byte.
//
// Every file is rebuilt in a temporary file and renamed into place, every chunk is
// verified against its id, and HEAD moves only after all files are written; a
// checkout that fails leaves HEAD where it was (re-run it, or use --force).
#include <filesystem>

#include "core/thread_pool.h"
#include "objectstore/object_store.h"
#include "refs/internal/content_keys.h"
#include "refs/internal/file_util.h"
#include "refs/internal/tensor_io.h"
#include "refs/repository.h"

namespace mvc {

namespace fs = std::filesystem;

namespace {

void RemoveEmptyParents(const std::string& root, fs::path dir) {
  std::error_code ec;
  while (!dir.empty() && dir.string().size() > root.size() && fs::is_empty(dir, ec) && !ec) {
    fs::remove(dir, ec);
    dir = dir.parent_path();
  }
}

std::string JoinPaths(const std::vector<std::string>& paths) {
  std::string out;
  for (size_t i = 0; i < paths.size() && i < 5; ++i) out += (i ? ", " : "") + paths[i];
  if (paths.size() > 5) out += " and " + std::to_string(paths.size() - 5) + " more";
  return out;
}

// Writes a plain file from its blob, piece by piece, and publishes it only once the
// blob's hash has checked out. Returns the bytes written.
Result<uint64_t> WriteBlobFile(History& history, const GitId& blob, const std::string& dest, bool executable) {
  MVC_ASSIGN_OR_RETURN(internal::TempFile out, internal::TempFile::CreateBeside(dest, executable));
  uint64_t offset = 0;
  MVC_RETURN_IF_ERROR_CTX(history.StreamBlob(blob, [&](ByteView piece) {
    Status st = out.PWrite(piece, offset);
    offset += piece.size();
    return st;
  }), dest);
  MVC_RETURN_IF_ERROR(out.Commit());
  return offset;
}

}  // namespace

Result<CheckoutResult> Repository::Checkout(const std::string& revision, const CheckoutOptions& options) {
  MVC_ASSIGN_OR_RETURN(auto lock, internal::FileLock::Acquire(mvc_dir_ + "/lock", lock_timeout_ms_));
  MVC_ASSIGN_OR_RETURN(History::Head head, history_->ReadHead());
  MVC_ASSIGN_OR_RETURN(GitId target, ResolveCommit(revision));
  std::string branch;
  if (options.new_branch) {
    MVC_RETURN_IF_ERROR(History::ValidateBranchName(*options.new_branch));
    MVC_ASSIGN_OR_RETURN(std::optional<GitId> existing, history_->ReadRef("refs/heads/" + *options.new_branch));
    if (existing) return Status::Conflict("branch '" + *options.new_branch + "' already exists");
    branch = *options.new_branch;
  } else if (revision == "HEAD" || revision == "@") {
    branch = head.branch;  // as git: checking out HEAD stays on the branch
  } else if (History::ValidateBranchName(revision).ok()) {
    MVC_ASSIGN_OR_RETURN(std::optional<GitId> as_branch, history_->ReadRef("refs/heads/" + revision));
    if (as_branch) branch = revision;
  }

  Result<internal::CommittedFiles> current_or = internal::ReadCommittedFiles(*history_, head.commit);
  // With --force an unreadable current commit (a corrupt tree or manifest) must not
  // trap the user on it: treat it as empty, so every target file is written.
  if (!current_or.ok() && !options.force) return current_or.status();
  internal::CommittedFiles current = current_or.ok() ? std::move(*current_or) : internal::CommittedFiles();
  MVC_ASSIGN_OR_RETURN(internal::CommittedFiles wanted, internal::ReadCommittedFiles(*history_, target));
  MVC_ASSIGN_OR_RETURN(std::vector<internal::WorktreeFile> files, internal::ScanWorktree(worktree_));
  internal::StatCache cache = internal::StatCache::Load(mvc_dir_ + "/index");

  // What is in the worktree now, by content key.
  std::map<std::string, std::pair<internal::WorktreeFile, std::string>> present;
  for (const internal::WorktreeFile& f : files) {
    bool relevant = current.count(f.path) || wanted.count(f.path);
    if (!relevant) continue;  // untracked and not in the target: left alone
    Result<std::string> key = internal::WorktreeKey(*this, cache, f);
    // An unreadable model file counts as modified, never as a reason to stop.
    present.emplace(f.path, std::make_pair(f, key.ok() ? *key : std::string("unreadable")));
  }

  if (!options.force) {
    std::vector<std::string> conflicts;
    for (const auto& [path, pf] : present) {
      auto cur = current.find(path);
      auto want = wanted.find(path);
      bool clean = cur != current.end() && cur->second.Matches(pf.second);
      bool target_same_as_head = cur != current.end() && want != wanted.end() && cur->second.key == want->second.key;
      bool already_target = want != wanted.end() && want->second.Matches(pf.second);
      if (!clean && !target_same_as_head && !already_target) conflicts.push_back(path);
    }
    if (!conflicts.empty()) {
      return Status::Conflict("checkout would overwrite uncommitted changes in " + JoinPaths(conflicts) +
                              " (commit them, or use --force)");
    }
  }

  CheckoutResult result;
  for (const auto& [path, want] : wanted) {
    auto pf = present.find(path);
    if (pf != present.end() && want.Matches(pf->second.second) &&
        pf->second.first.stat.executable == want.entry.executable) {
      continue;
    }
    std::string full = worktree_ + "/" + path;
    if (want.manifest) {
      MVC_RETURN_IF_ERROR(internal::WriteManifestFile(*this, *want.manifest, path, full, options.progress));
      result.bytes_written += want.manifest->file_size;
      for (const ManifestTensor& t : want.manifest->tensors) {
        if (t.lossy) result.approximate.push_back({path, t.name, *t.lossy});
      }
    } else {
      MVC_ASSIGN_OR_RETURN(uint64_t size, WriteBlobFile(*history_, want.entry.blob, full, want.entry.executable));
      result.bytes_written += size;
    }
    MVC_ASSIGN_OR_RETURN(std::optional<internal::FileStat> st, internal::StatFile(full));
    if (st) cache.Set(path, *st, want.key);
    result.files_written++;
  }
  for (const auto& [path, cur] : current) {
    if (wanted.count(path) || !present.count(path)) continue;
    std::string full = worktree_ + "/" + path;
    std::error_code ec;
    fs::remove(full, ec);
    if (ec) return Status::FromErrno(ec.value(), "remove " + full);
    RemoveEmptyParents(worktree_, fs::path(full).parent_path());
    cache.Erase(path);
    result.files_removed++;
  }

  if (options.new_branch) {
    MVC_RETURN_IF_ERROR(history_->UpdateRef("refs/heads/" + branch, target, std::nullopt,
                                            "branch: Created from " + revision));
  }
  if (branch.empty()) {
    MVC_RETURN_IF_ERROR(history_->SetHeadDetached(target));
  } else {
    MVC_RETURN_IF_ERROR(history_->SetHeadToBranch(branch));
  }
  (void)cache.Save(mvc_dir_ + "/index");
  result.commit = target;
  result.branch = branch;
  return result;
}

Status Repository::ExportFile(const TreeFile& file, const std::string& dest_path, uint64_t* bytes_written,
                              const ProgressCallback& progress) {
  if (file.manifest) {
    MVC_RETURN_IF_ERROR(internal::WriteManifestFile(*this, *file.manifest, file.path, dest_path, progress));
  } else {
    MVC_RETURN_IF_ERROR(WriteBlobFile(*history_, file.blob, dest_path, /*executable=*/false));
  }
  if (bytes_written) *bytes_written += file.size;
  return Status::Ok();
}

Result<Bytes> Repository::ReadTensor(const ObjectId& tensor_id) {
  MVC_ASSIGN_OR_RETURN(TensorRecord record, internal::LoadTensorRecord(*store_, tensor_id));
  Bytes out;
  out.reserve(record.num_bytes);
  for (const ObjectId& id : record.chunk_ids) {
    MVC_ASSIGN_OR_RETURN(Bytes raw, internal::LoadChunk(*store_, id));
    out.insert(out.end(), raw.begin(), raw.end());
  }
  return out;
}

}  // namespace mvc
