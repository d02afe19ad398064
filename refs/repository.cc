// Repository: opening, locking, and the small ref operations (branch, tag).
// Commit, checkout, status and log live in their own files.
#include "refs/repository.h"

#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "core/thread_pool.h"
#include "objectstore/object_store.h"
#include "refs/internal/content_keys.h"
#include "refs/internal/file_util.h"
#include "refs/revision.h"

namespace mvc {

namespace fs = std::filesystem;

namespace {

// docs/repository-layout.md: the first file a reader checks (git's repositoryformatversion).
constexpr std::string_view kFormatFile = "format";
constexpr int kFormatVersion = 1;

std::string FormatText() {
  return "mvc repository\nformat_version " + std::to_string(kFormatVersion) + "\n";
}

Status CheckFormat(const std::string& mvc_dir) {
  std::string path = mvc_dir + "/" + std::string(kFormatFile);
  Result<std::string> text = internal::ReadWholeFile(path);
  if (!text.ok()) return Status::Corruption("cannot read " + path + ": " + text.status().message());
  std::istringstream in(*text);
  std::string line;
  bool magic = false, version = false;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line == "mvc repository") { magic = true; continue; }
    if (line.rfind("format_version ", 0) == 0) {
      if (line != "format_version " + std::to_string(kFormatVersion)) {
        return Status::UnsupportedVersion(path + ": " + line + " (this mvc reads format_version " +
                                          std::to_string(kFormatVersion) + ")");
      }
      version = true;
      continue;
    }
    // Any other line (an extension) is unknown to this version: refuse, as git does.
    return Status::UnsupportedVersion(path + ": unknown repository extension '" + line + "'");
  }
  if (!magic || !version) return Status::Corruption(path + ": not an mvc format file");
  return Status::Ok();
}

int LockTimeoutFromEnv() {
  if (const char* env = std::getenv("MVC_LOCK_TIMEOUT_MS")) {
    long v = std::strtol(env, nullptr, 10);
    if (v >= 0 && v <= 3'600'000) return static_cast<int>(v);
  }
  return 10000;
}

}  // namespace

Repository::~Repository() = default;

ThreadPool& Repository::pool() {
  if (!pool_) pool_ = std::make_unique<ThreadPool>(ThreadPool::DefaultThreads());
  return *pool_;
}

Result<std::string> Repository::FindRoot(const std::string& start) {
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec);
  if (ec) return Status::FromErrno(ec.value(), "resolve " + start);
  dir = dir.lexically_normal();
  if (dir.has_filename() == false && dir != dir.root_path()) dir = dir.parent_path();
  for (fs::path p = dir;; p = p.parent_path()) {
    if (fs::is_directory(p / ".mvc", ec)) return p.string();
    if (p == p.root_path() || p.empty()) break;
  }
  return Status::NotFound("not an mvc repository (or any parent up to /): " + dir.string());
}

Result<std::unique_ptr<Repository>> Repository::Init(const std::string& worktree) {
  std::error_code ec;
  fs::path root = fs::absolute(worktree, ec).lexically_normal();
  if (ec || !fs::is_directory(root, ec)) return Status::NotFound("no such directory: " + worktree);
  fs::path mvc_dir = root / ".mvc";
  if (fs::exists(mvc_dir, ec)) return Status::Conflict("repository already exists in " + mvc_dir.string());
  if (!fs::create_directory(mvc_dir, ec)) return Status::FromErrno(ec.value(), "create " + mvc_dir.string());
  // The format file goes last: a half-made .mvc/ is refused by Open, not misread.
  MVC_ASSIGN_OR_RETURN(std::unique_ptr<History> history, History::Init((mvc_dir / "history").string()));
  history.reset();
  MVC_ASSIGN_OR_RETURN(std::unique_ptr<ObjectStore> store, ObjectStore::OpenLmdb((mvc_dir / "objects").string()));
  store.reset();
  MVC_RETURN_IF_ERROR(internal::WriteFileAtomically((mvc_dir / kFormatFile).string(), AsBytes(FormatText())));
  return Open(root.string());
}

Result<std::unique_ptr<Repository>> Repository::Open(const std::string& worktree) {
  std::unique_ptr<Repository> repo(new Repository());
  std::error_code ec;
  repo->worktree_ = fs::absolute(worktree, ec).lexically_normal().string();
  if (repo->worktree_.size() > 1 && repo->worktree_.back() == '/') repo->worktree_.pop_back();
  repo->mvc_dir_ = repo->worktree_ + "/.mvc";
  if (!fs::is_directory(repo->mvc_dir_, ec)) {
    return Status::NotFound("not an mvc repository: " + repo->worktree_);
  }
  MVC_RETURN_IF_ERROR(CheckFormat(repo->mvc_dir_));
  MVC_ASSIGN_OR_RETURN(repo->history_, History::Open(repo->mvc_dir_ + "/history"));
  MVC_ASSIGN_OR_RETURN(repo->store_, ObjectStore::OpenLmdb(repo->mvc_dir_ + "/objects"));
  repo->lock_timeout_ms_ = LockTimeoutFromEnv();
  return repo;
}

Result<CompactResult> Repository::CompactStore() {
  const std::string dir = mvc_dir_ + "/objects";
  store_.reset();  // Compact needs the store to itself, this process included
  Result<CompactResult> result = ObjectStore::CompactLmdb(dir);
  MVC_ASSIGN_OR_RETURN(store_, ObjectStore::OpenLmdb(dir));
  return result;
}

Result<GitId> Repository::ResolveCommit(const std::string& revision) {
  return ResolveRevision(*history_, revision);
}

Status Repository::CreateRef(const std::string& prefix, const std::string& noun, const std::string& name,
                             const std::string& revision, bool force) {
  MVC_RETURN_IF_ERROR(History::ValidateBranchName(name));
  MVC_ASSIGN_OR_RETURN(auto lock, internal::FileLock::Acquire(mvc_dir_ + "/lock", lock_timeout_ms_));
  MVC_ASSIGN_OR_RETURN(GitId target, ResolveCommit(revision));
  MVC_ASSIGN_OR_RETURN(std::optional<GitId> old, history_->ReadRef(prefix + name));
  if (old && !force) return Status::Conflict(noun + " '" + name + "' already exists");
  return history_->UpdateRef(prefix + name, target, old, noun + ": Created from " + revision);
}

Status Repository::DeleteRef(const std::string& prefix, const std::string& noun, const std::string& name) {
  MVC_ASSIGN_OR_RETURN(auto lock, internal::FileLock::Acquire(mvc_dir_ + "/lock", lock_timeout_ms_));
  MVC_ASSIGN_OR_RETURN(History::Head head, history_->ReadHead());
  if (prefix == "refs/heads/" && head.branch == name) {
    return Status::Conflict("cannot delete branch '" + name + "': HEAD is on it");
  }
  MVC_ASSIGN_OR_RETURN(std::optional<GitId> old, history_->ReadRef(prefix + name));
  if (!old) return Status::NotFound(noun + " '" + name + "' not found");
  return history_->DeleteRef(prefix + name);
}

Status Repository::CreateBranch(const std::string& name, const std::string& start_revision, bool force) {
  return CreateRef("refs/heads/", "branch", name, start_revision, force);
}
Status Repository::DeleteBranch(const std::string& name) { return DeleteRef("refs/heads/", "branch", name); }
Status Repository::CreateTag(const std::string& name, const std::string& revision, bool force) {
  return CreateRef("refs/tags/", "tag", name, revision, force);
}
Status Repository::DeleteTag(const std::string& name) { return DeleteRef("refs/tags/", "tag", name); }

Result<std::vector<TreeFile>> Repository::ListFiles(const GitId& commit) {
  MVC_ASSIGN_OR_RETURN(History::CommitInfo info, history_->ReadCommit(commit));
  MVC_ASSIGN_OR_RETURN(History::FlatTree tree, history_->ReadTree(info.tree));
  std::vector<TreeFile> files;
  for (const auto& [path, entry] : tree) {
    MVC_ASSIGN_OR_RETURN(std::optional<Bytes> blob, internal::ReadIfManifest(*history_, entry.blob));
    TreeFile f;
    f.path = path;
    f.blob = entry.blob;
    if (blob) {
      Result<FileManifest> m = FileManifest::Parse(AsChars(*blob));
      if (!m.ok()) return m.status().WithContext(path + " in commit " + commit.ShortHex());
      f.is_model = true;
      f.size = m->file_size;
      f.manifest = std::move(*m);
    } else {
      MVC_ASSIGN_OR_RETURN(f.size, history_->BlobSize(entry.blob));
    }
    files.push_back(std::move(f));
  }
  return files;
}

}  // namespace mvc
