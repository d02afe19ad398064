#include "refs/history.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <system_error>
#include <unordered_set>

#include "refs/internal/file_util.h"
#include "refs/internal/git2_handles.h"

namespace mvc {

// Plain files move between the worktree and git in pieces of this size.
constexpr size_t kBlobPieceBytes = size_t{1} << 20;

using internal::EnsureLibgit2Initialized;
using internal::FromGitOid;
using internal::GitErrorStatus;
using internal::ToGitOid;

struct History::Impl {
  internal::GitRepositoryPtr repo;
};

namespace {

constexpr char kHeadsPrefix[] = "refs/heads/";

Status ValidateRefName(const std::string& name) {
  int valid = 0;
  if (git_reference_name_is_valid(&valid, name.c_str()) < 0 || !valid) {
    return Status::InvalidArgument("invalid ref name '" + name + "'");
  }
  return Status::Ok();
}

Result<internal::GitSignaturePtr> MakeSignature(const History::Signature& s, std::string_view role) {
  git_signature* raw = nullptr;
  int rc = git_signature_new(&raw, s.name.c_str(), s.email.c_str(), s.time_seconds, s.offset_minutes);
  if (rc < 0) return GitErrorStatus(GIT_EINVALIDSPEC, std::string(role) + " signature");
  return internal::GitSignaturePtr(raw);
}

History::Signature FromGitSignature(const git_signature* s) {
  return {s->name, s->email, static_cast<int64_t>(s->when.time), s->when.offset};
}

// The repository's own config file (GIT_CONFIG_LEVEL_LOCAL), so that mvc's
// behaviour does not depend on ~/.gitconfig or /etc/gitconfig.
Result<internal::GitConfigPtr> OpenLocalConfig(git_repository* repo, std::string_view what) {
  git_config* all = nullptr;
  int rc = git_repository_config(&all, repo);
  if (rc < 0) return GitErrorStatus(rc, what);
  internal::GitConfigPtr all_ptr(all);
  git_config* local = nullptr;
  rc = git_config_open_level(&local, all, GIT_CONFIG_LEVEL_LOCAL);
  if (rc < 0) return GitErrorStatus(rc, what);
  return internal::GitConfigPtr(local);
}

bool ObjectExists(git_repository* repo, const git_oid* oid) {
  git_odb* odb = nullptr;
  if (git_repository_odb(&odb, repo) < 0) return true;  // let the original error stand
  bool exists = git_odb_exists(odb, oid) == 1;
  git_odb_free(odb);
  return exists;
}

// A directory of the tree being built from a FlatTree.
struct DirNode {
  std::map<std::string, DirNode> dirs;
  std::map<std::string, History::TreeEntry> files;
};

Status ValidateComponent(std::string_view component, const std::string& path) {
  // ".git" in any case is refused by git itself (and by libgit2's tree builder).
  auto is_dot_git = [](std::string_view c) {
    return c.size() == 4 && c[0] == '.' && (c[1] | 0x20) == 'g' && (c[2] | 0x20) == 'i' && (c[3] | 0x20) == 't';
  };
  if (component.empty() || component == "." || component == ".." || is_dot_git(component) ||
      component.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("invalid tree path '" + path + "'");
  }
  return Status::Ok();
}

Result<GitId> WriteDir(git_repository* repo, const DirNode& dir, const std::string& where) {
  git_treebuilder* raw = nullptr;
  int rc = git_treebuilder_new(&raw, repo, nullptr);
  if (rc < 0) return GitErrorStatus(rc, "write tree");
  internal::GitTreeBuilderPtr builder(raw);
  for (const auto& [name, sub] : dir.dirs) {
    MVC_ASSIGN_OR_RETURN(GitId sub_id, WriteDir(repo, sub, where + name + "/"));
    git_oid oid = ToGitOid(sub_id);
    rc = git_treebuilder_insert(nullptr, builder.get(), name.c_str(), &oid, GIT_FILEMODE_TREE);
    if (rc < 0) return GitErrorStatus(rc, "write tree: entry '" + where + name + "'");
  }
  for (const auto& [name, entry] : dir.files) {
    git_oid oid = ToGitOid(entry.blob);
    // Strict object creation (libgit2's default) checks that the blob exists.
    rc = git_treebuilder_insert(nullptr, builder.get(), name.c_str(), &oid,
                                entry.executable ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB);
    if (rc < 0) {
      std::string what = "write tree: entry '" + where + name + "'";
      // libgit2 says "invalid object specified" for a missing blob; name it.
      if (!ObjectExists(repo, &oid)) return Status::NotFound(what + ": blob " + entry.blob.ToHex() + " not found");
      return GitErrorStatus(GIT_EINVALIDSPEC, what);  // a name libgit2 refuses
    }
  }
  git_oid out;
  rc = git_treebuilder_write(&out, builder.get());
  if (rc < 0) return GitErrorStatus(rc, "write tree '" + where + "'");
  return FromGitOid(&out);
}

}  // namespace

History::History(std::string git_dir, std::unique_ptr<Impl> impl)
    : git_dir_(std::move(git_dir)), impl_(std::move(impl)) {}

History::~History() = default;

Result<std::unique_ptr<History>> History::Init(const std::string& git_dir) {
  EnsureLibgit2Initialized();
  const std::string what = "init history " + git_dir;
  git_repository_init_options opts;
  git_repository_init_options_init(&opts, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
  opts.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
  opts.initial_head = "main";
  git_repository* raw = nullptr;
  int rc = git_repository_init_ext(&raw, git_dir.c_str(), &opts);
  if (rc == GIT_EEXISTS) return Status::Conflict(what + ": a repository already exists there");
  if (rc < 0) return GitErrorStatus(rc, what);
  {
    internal::GitRepositoryPtr repo(raw);
    MVC_ASSIGN_OR_RETURN(internal::GitConfigPtr config, OpenLocalConfig(repo.get(), what));
    // Bare repositories write no reflogs unless asked; mvc relies on them (recovery,
    // and gc keeps what the reflogs name).
    rc = git_config_set_bool(config.get(), "core.logAllRefUpdates", 1);
    if (rc < 0) return GitErrorStatus(rc, what + ": set core.logAllRefUpdates");
  }
  // Reopen: libgit2 caches core.* settings per repository handle.
  return Open(git_dir);
}

Result<std::unique_ptr<History>> History::Open(const std::string& git_dir) {
  EnsureLibgit2Initialized();
  git_repository* raw = nullptr;
  int rc = git_repository_open_ext(&raw, git_dir.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE,
                                   nullptr);
  if (rc == GIT_ENOTFOUND) return Status::NotFound("open history " + git_dir + ": no repository there");
  if (rc < 0) return GitErrorStatus(rc, "open history " + git_dir);
  auto impl = std::make_unique<Impl>();
  impl->repo.reset(raw);
  return std::unique_ptr<History>(new History(git_dir, std::move(impl)));
}

// ---- Blobs ----

Result<GitId> History::WriteBlob(ByteView data) {
  git_oid oid;
  int rc = git_blob_create_from_buffer(&oid, impl_->repo.get(), data.data(), data.size());
  if (rc < 0) return GitErrorStatus(rc, "write blob");
  return FromGitOid(&oid);
}

Result<Bytes> History::ReadBlob(const GitId& id) {
  git_oid oid = ToGitOid(id);
  git_blob* raw = nullptr;
  int rc = git_blob_lookup(&raw, impl_->repo.get(), &oid);
  if (rc < 0) return GitErrorStatus(rc, "read blob " + id.ToHex());
  internal::GitBlobPtr blob(raw);
  const auto* p = static_cast<const uint8_t*>(git_blob_rawcontent(blob.get()));
  return Bytes(p, p + git_blob_rawsize(blob.get()));
}

namespace {

Result<internal::GitOdbPtr> OpenOdb(git_repository* repo) {
  git_odb* odb = nullptr;
  int rc = git_repository_odb(&odb, repo);
  if (rc < 0) return GitErrorStatus(rc, "open object database");
  return internal::GitOdbPtr(odb);
}

// Reads a blob through libgit2's read stream (loose objects), or whole when the
// object database offers no stream for it: `on_size` gets its size first, then
// `piece` its bytes in order; `piece` sets *more = false to stop early.
Status ReadBlobPieces(git_repository* repo, const GitId& id, const std::function<void(uint64_t)>& on_size,
                      const std::function<Status(ByteView, bool* more)>& piece) {
  MVC_ASSIGN_OR_RETURN(internal::GitOdbPtr odb, OpenOdb(repo));
  git_oid oid = ToGitOid(id);
  git_odb_stream* stream_raw = nullptr;
  size_t size = 0;
  git_object_t type;
  int rc = git_odb_open_rstream(&stream_raw, &size, &type, odb.get(), &oid);
  if (rc == GIT_ENOTFOUND) return GitErrorStatus(rc, "read blob " + id.ToHex());
  bool more = true;
  if (rc < 0) {
    // No stream for this object (e.g. a packed one): read it whole.
    git_odb_object* obj_raw = nullptr;
    rc = git_odb_read(&obj_raw, odb.get(), &oid);
    if (rc < 0) return GitErrorStatus(rc, "read blob " + id.ToHex());
    internal::GitOdbObjectPtr obj(obj_raw);
    if (git_odb_object_type(obj.get()) != GIT_OBJECT_BLOB) return Status::NotFound("object " + id.ToHex() + " is not a blob");
    on_size(git_odb_object_size(obj.get()));
    return piece(ByteView(static_cast<const uint8_t*>(git_odb_object_data(obj.get())), git_odb_object_size(obj.get())),
                 &more);
  }
  internal::GitOdbStreamPtr stream(stream_raw);
  if (type != GIT_OBJECT_BLOB) return Status::NotFound("object " + id.ToHex() + " is not a blob");
  on_size(size);
  std::vector<char> buf(kBlobPieceBytes);
  while (more) {
    rc = git_odb_stream_read(stream.get(), buf.data(), buf.size());
    if (rc < 0) return Status::Corruption(GitErrorStatus(rc, "read blob " + id.ToHex()).message());
    if (rc == 0) break;
    MVC_RETURN_IF_ERROR(piece(ByteView(reinterpret_cast<const uint8_t*>(buf.data()), static_cast<size_t>(rc)), &more));
  }
  return Status::Ok();
}

}  // namespace

Result<GitId> History::WriteBlobFromFile(const std::string& path) {
  MVC_ASSIGN_OR_RETURN(internal::FileReader file, internal::FileReader::Open(path));
  const uint64_t size = file.size();
  MVC_ASSIGN_OR_RETURN(internal::GitOdbPtr odb, OpenOdb(impl_->repo.get()));
  git_odb_stream* stream_raw = nullptr;
  int rc = git_odb_open_wstream(&stream_raw, odb.get(), size, GIT_OBJECT_BLOB);
  if (rc < 0) return GitErrorStatus(rc, "write blob of " + path);
  internal::GitOdbStreamPtr stream(stream_raw);
  std::vector<char> buf(kBlobPieceBytes);
  uint64_t done = 0;
  while (done < size) {
    MVC_ASSIGN_OR_RETURN(size_t n, file.Read(buf.data(), static_cast<size_t>(std::min<uint64_t>(buf.size(), size - done))));
    if (n == 0) break;
    rc = git_odb_stream_write(stream.get(), buf.data(), n);
    if (rc < 0) return GitErrorStatus(rc, "write blob of " + path);
    done += n;
  }
  if (done != size) return Status::Conflict(path + ": changed size while being committed");
  git_oid oid;
  rc = git_odb_stream_finalize_write(&oid, stream.get());
  if (rc < 0) return GitErrorStatus(rc, "write blob of " + path);
  return FromGitOid(&oid);
}

Result<uint64_t> History::BlobSize(const GitId& id) {
  MVC_ASSIGN_OR_RETURN(internal::GitOdbPtr odb, OpenOdb(impl_->repo.get()));
  git_oid oid = ToGitOid(id);
  size_t size = 0;
  git_object_t type;
  int rc = git_odb_read_header(&size, &type, odb.get(), &oid);
  if (rc < 0) return GitErrorStatus(rc, "read blob " + id.ToHex());
  if (type != GIT_OBJECT_BLOB) return Status::NotFound("object " + id.ToHex() + " is not a blob");
  return uint64_t{size};
}

Result<Bytes> History::ReadBlobPrefix(const GitId& id, size_t max_bytes) {
  Bytes out;
  MVC_RETURN_IF_ERROR(ReadBlobPieces(impl_->repo.get(), id, [](uint64_t) {}, [&](ByteView piece, bool* more) {
    const size_t take = std::min(piece.size(), max_bytes - out.size());
    out.insert(out.end(), piece.begin(), piece.begin() + take);
    *more = out.size() < max_bytes;
    return Status::Ok();
  }));
  return out;
}

Status History::StreamBlob(const GitId& id, const std::function<Status(ByteView)>& sink) {
  std::optional<GitBlobHasher> hasher;  // made once the size is known
  uint64_t size = 0, seen = 0;
  MVC_RETURN_IF_ERROR(ReadBlobPieces(
      impl_->repo.get(), id,
      [&](uint64_t s) {
        size = s;
        hasher.emplace(s);
      },
      [&](ByteView piece, bool*) {
        hasher->Update(piece.data(), piece.size());
        seen += piece.size();
        return sink(piece);
      }));
  const GitId actual = hasher->Finish();
  if (seen != size || actual != id) {
    return Status::Corruption("blob " + id.ToHex() + " is corrupt: its " + std::to_string(seen) +
                              " bytes hash to " + actual.ToHex());
  }
  return Status::Ok();
}

// ---- Trees ----

Result<GitId> History::WriteTree(const FlatTree& files) {
  DirNode root;
  for (const auto& [path, entry] : files) {
    if (path.empty() || path.front() == '/') return Status::InvalidArgument("invalid tree path '" + path + "'");
    DirNode* dir = &root;
    size_t start = 0;
    while (true) {
      size_t slash = path.find('/', start);
      std::string_view component = std::string_view(path).substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      MVC_RETURN_IF_ERROR(ValidateComponent(component, path));
      std::string name(component);
      if (slash == std::string::npos) {
        if (dir->dirs.count(name)) return Status::InvalidArgument("tree path '" + path + "' is both a file and a directory");
        dir->files[name] = entry;
        break;
      }
      if (dir->files.count(name)) {
        return Status::InvalidArgument("tree path '" + path.substr(0, slash) + "' is both a file and a directory");
      }
      dir = &dir->dirs[name];
      start = slash + 1;
    }
  }
  return WriteDir(impl_->repo.get(), root, "");
}

Result<History::FlatTree> History::ReadTree(const GitId& tree_id) {
  git_oid oid = ToGitOid(tree_id);
  git_tree* raw = nullptr;
  int rc = git_tree_lookup(&raw, impl_->repo.get(), &oid);
  if (rc < 0) return GitErrorStatus(rc, "read tree " + tree_id.ToHex());
  internal::GitTreePtr tree(raw);
  struct Walk {
    FlatTree out;
    std::string bad_path;
  } walk;
  rc = git_tree_walk(
      tree.get(), GIT_TREEWALK_PRE,
      [](const char* root, const git_tree_entry* e, void* payload) -> int {
        auto* w = static_cast<Walk*>(payload);
        std::string path = std::string(root) + git_tree_entry_name(e);
        switch (git_tree_entry_filemode(e)) {
          case GIT_FILEMODE_TREE: return 0;
          case GIT_FILEMODE_BLOB:
          case GIT_FILEMODE_BLOB_EXECUTABLE:
            w->out[path] = {FromGitOid(git_tree_entry_id(e)), git_tree_entry_filemode(e) == GIT_FILEMODE_BLOB_EXECUTABLE};
            return 0;
          default:
            w->bad_path = path;
            return -1;  // stop the walk
        }
      },
      &walk);
  if (!walk.bad_path.empty()) {
    return Status::Corruption("read tree " + tree_id.ToHex() + ": entry '" + walk.bad_path +
                              "' is neither a file nor a directory");
  }
  if (rc < 0) return GitErrorStatus(rc, "read tree " + tree_id.ToHex());
  return std::move(walk.out);
}

// ---- Commits ----

Result<GitId> History::WriteCommit(const GitId& tree, std::span<const GitId> parents, const Signature& author,
                                   const Signature& committer, std::string_view message) {
  git_repository* repo = impl_->repo.get();
  git_oid tree_oid = ToGitOid(tree);
  git_tree* raw_tree = nullptr;
  int rc = git_tree_lookup(&raw_tree, repo, &tree_oid);
  if (rc < 0) return GitErrorStatus(rc, "write commit: tree " + tree.ToHex());
  internal::GitTreePtr tree_obj(raw_tree);

  std::vector<internal::GitCommitPtr> parent_objs;
  std::vector<const git_commit*> parent_ptrs;
  for (const GitId& p : parents) {
    git_oid oid = ToGitOid(p);
    git_commit* raw = nullptr;
    rc = git_commit_lookup(&raw, repo, &oid);
    if (rc < 0) return GitErrorStatus(rc, "write commit: parent " + p.ToHex());
    parent_objs.emplace_back(raw);
    parent_ptrs.push_back(raw);
  }
  MVC_ASSIGN_OR_RETURN(internal::GitSignaturePtr a, MakeSignature(author, "write commit: author"));
  MVC_ASSIGN_OR_RETURN(internal::GitSignaturePtr c, MakeSignature(committer, "write commit: committer"));
  std::string msg(message);  // NUL-terminated copy
  git_oid out;
  rc = git_commit_create(&out, repo, /*update_ref=*/nullptr, a.get(), c.get(), /*message_encoding=*/nullptr,
                         msg.c_str(), tree_obj.get(), parent_ptrs.size(), parent_ptrs.data());
  if (rc < 0) return GitErrorStatus(rc, "write commit");
  return FromGitOid(&out);
}

Result<History::CommitInfo> History::ReadCommit(const GitId& id) {
  git_oid oid = ToGitOid(id);
  git_commit* raw = nullptr;
  int rc = git_commit_lookup(&raw, impl_->repo.get(), &oid);
  if (rc < 0) return GitErrorStatus(rc, "read commit " + id.ToHex());
  internal::GitCommitPtr commit(raw);
  CommitInfo info;
  info.id = id;
  info.tree = FromGitOid(git_commit_tree_id(commit.get()));
  for (unsigned i = 0; i < git_commit_parentcount(commit.get()); ++i) {
    info.parents.push_back(FromGitOid(git_commit_parent_id(commit.get(), i)));
  }
  info.author = FromGitSignature(git_commit_author(commit.get()));
  info.committer = FromGitSignature(git_commit_committer(commit.get()));
  const char* msg = git_commit_message_raw(commit.get());
  info.message = msg ? msg : "";
  return info;
}

Result<GitId> History::ExpandCommitPrefix(std::string_view hex_prefix) {
  const std::string prefix(hex_prefix);
  git_oid oid;
  if (prefix.size() < 4 || prefix.size() > GitId::kHexSize || git_oid_fromstrn(&oid, prefix.data(), prefix.size()) < 0) {
    return Status::InvalidArgument("'" + prefix + "' is not a short commit id (4 to 40 hex digits)");
  }
  git_object* raw = nullptr;
  int rc = git_object_lookup_prefix(&raw, impl_->repo.get(), &oid, prefix.size(), GIT_OBJECT_COMMIT);
  if (rc == GIT_EAMBIGUOUS) return Status::Ambiguous("short id '" + prefix + "' is ambiguous");
  if (rc == GIT_ENOTFOUND) return Status::NotFound("no commit with id prefix '" + prefix + "'");
  if (rc < 0) return GitErrorStatus(rc, "look up short id '" + prefix + "'");
  internal::GitObjectPtr obj(raw);
  return FromGitOid(git_object_id(obj.get()));
}

// ---- Refs ----

Result<std::optional<GitId>> History::ReadRef(const std::string& name) {
  MVC_RETURN_IF_ERROR(ValidateRefName(name));
  git_oid oid;
  int rc = git_reference_name_to_id(&oid, impl_->repo.get(), name.c_str());
  if (rc == GIT_ENOTFOUND) return std::optional<GitId>();
  if (rc < 0) return GitErrorStatus(rc, "read ref " + name);
  return std::optional<GitId>(FromGitOid(&oid));
}

Status History::SetReflogIdentity() {
  MVC_ASSIGN_OR_RETURN(std::optional<std::string> name, GetConfig("user.name"));
  MVC_ASSIGN_OR_RETURN(std::optional<std::string> email, GetConfig("user.email"));
  // Explicit so that libgit2 does not fall back to ~/.gitconfig.
  int rc = git_repository_set_ident(impl_->repo.get(), name ? name->c_str() : "unknown",
                                    email ? email->c_str() : "unknown");
  if (rc < 0) return GitErrorStatus(rc, "set reflog identity");
  return Status::Ok();
}

Status History::UpdateRef(const std::string& name, const GitId& new_id, const std::optional<GitId>& expected_old,
                          const std::string& reflog_message) {
  MVC_RETURN_IF_ERROR(ValidateRefName(name));
  MVC_RETURN_IF_ERROR(SetReflogIdentity());
  auto describe = [](const std::optional<GitId>& id) { return id ? id->ShortHex() : std::string("no ref"); };
  git_oid new_oid = ToGitOid(new_id);
  if (!ObjectExists(impl_->repo.get(), &new_oid)) {
    return Status::NotFound("update ref " + name + ": object " + new_id.ToHex() + " not found");
  }
  git_reference* raw = nullptr;
  int rc;
  if (expected_old) {
    git_oid old_oid = ToGitOid(*expected_old);
    rc = git_reference_create_matching(&raw, impl_->repo.get(), name.c_str(), &new_oid, /*force=*/1, &old_oid,
                                       reflog_message.c_str());
  } else {
    rc = git_reference_create(&raw, impl_->repo.get(), name.c_str(), &new_oid, /*force=*/0, reflog_message.c_str());
  }
  if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS || rc == GIT_ENOTFOUND) {
    // ENOTFOUND is also "the expected old ref is missing"; tell it from a missing
    // target object by re-reading the ref.
    MVC_ASSIGN_OR_RETURN(std::optional<GitId> found, ReadRef(name));
    if (found != expected_old) {
      return Status::Conflict("ref " + name + " moved (expected " + describe(expected_old) + ", found " +
                              describe(found) + ")");
    }
  }
  if (rc < 0) return GitErrorStatus(rc, "update ref " + name + " to " + new_id.ShortHex());
  git_reference_free(raw);
  return Status::Ok();
}

Status History::DeleteRef(const std::string& name) {
  MVC_RETURN_IF_ERROR(ValidateRefName(name));
  git_reference* raw = nullptr;
  int rc = git_reference_lookup(&raw, impl_->repo.get(), name.c_str());
  if (rc == GIT_ENOTFOUND) return Status::NotFound("delete ref " + name + ": no such ref");
  if (rc < 0) return GitErrorStatus(rc, "delete ref " + name);
  internal::GitReferencePtr ref(raw);
  rc = git_reference_delete(ref.get());
  if (rc < 0) return GitErrorStatus(rc, "delete ref " + name);
  // As `git branch -d` does; libgit2's refdb may already have removed it.
  rc = git_reflog_delete(impl_->repo.get(), name.c_str());
  if (rc < 0 && rc != GIT_ENOTFOUND) return GitErrorStatus(rc, "delete reflog of " + name);
  return Status::Ok();
}

Result<std::vector<std::pair<std::string, GitId>>> History::ListRefs(const std::string& prefix) {
  git_reference_iterator* raw = nullptr;
  int rc = git_reference_iterator_new(&raw, impl_->repo.get());
  if (rc < 0) return GitErrorStatus(rc, "list refs");
  internal::GitReferenceIteratorPtr it(raw);
  std::vector<std::pair<std::string, GitId>> out;
  git_reference* ref = nullptr;
  while ((rc = git_reference_next(&ref, it.get())) == 0) {
    internal::GitReferencePtr owned(ref);
    std::string name = git_reference_name(ref);
    if (git_reference_type(ref) != GIT_REFERENCE_DIRECT || name.compare(0, prefix.size(), prefix) != 0) continue;
    out.emplace_back(std::move(name), FromGitOid(git_reference_target(ref)));
  }
  if (rc != GIT_ITEROVER) return GitErrorStatus(rc, "list refs");
  std::sort(out.begin(), out.end());
  return out;
}

// ---- HEAD ----

Result<History::Head> History::ReadHead() {
  git_reference* raw = nullptr;
  int rc = git_reference_lookup(&raw, impl_->repo.get(), "HEAD");
  if (rc < 0) return GitErrorStatus(rc, "read HEAD");
  internal::GitReferencePtr head(raw);
  Head out;
  if (git_reference_type(head.get()) == GIT_REFERENCE_DIRECT) {
    out.commit = FromGitOid(git_reference_target(head.get()));
    return out;
  }
  std::string target = git_reference_symbolic_target(head.get());
  out.branch = target.compare(0, sizeof(kHeadsPrefix) - 1, kHeadsPrefix) == 0 ? target.substr(sizeof(kHeadsPrefix) - 1)
                                                                            : target;
  MVC_ASSIGN_OR_RETURN(out.commit, ReadRef(target));
  return out;
}

Status History::SetHeadToBranch(const std::string& branch) {
  MVC_RETURN_IF_ERROR(ValidateBranchName(branch));
  MVC_RETURN_IF_ERROR(SetReflogIdentity());
  // git_repository_set_head accepts an unborn branch and logs "checkout: moving
  // from A to B" to HEAD's reflog when HEAD's commit changes.
  int rc = git_repository_set_head(impl_->repo.get(), (kHeadsPrefix + branch).c_str());
  if (rc < 0) return GitErrorStatus(rc, "set HEAD to branch " + branch);
  return Status::Ok();
}

Status History::SetHeadDetached(const GitId& commit) {
  MVC_RETURN_IF_ERROR(SetReflogIdentity());
  git_oid oid = ToGitOid(commit);
  int rc = git_repository_set_head_detached(impl_->repo.get(), &oid);
  if (rc < 0) return GitErrorStatus(rc, "detach HEAD at " + commit.ToHex());
  return Status::Ok();
}

// ---- Reflog ----

Result<std::vector<History::ReflogEntry>> History::ReadReflog(const std::string& ref_name) {
  MVC_RETURN_IF_ERROR(ValidateRefName(ref_name));
  git_reflog* raw = nullptr;
  int rc = git_reflog_read(&raw, impl_->repo.get(), ref_name.c_str());
  if (rc < 0) return GitErrorStatus(rc, "read reflog of " + ref_name);
  internal::GitReflogPtr log(raw);
  std::vector<ReflogEntry> out;
  size_t n = git_reflog_entrycount(log.get());
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {  // index 0 is the newest entry
    const git_reflog_entry* e = git_reflog_entry_byindex(log.get(), i);
    const char* msg = git_reflog_entry_message(e);
    out.push_back({FromGitOid(git_reflog_entry_id_old(e)), FromGitOid(git_reflog_entry_id_new(e)),
                   FromGitSignature(git_reflog_entry_committer(e)), msg ? msg : ""});
  }
  return out;
}

// ---- Walks ----

Result<std::vector<GitId>> History::Log(const GitId& start, size_t max_count) {
  git_revwalk* raw = nullptr;
  int rc = git_revwalk_new(&raw, impl_->repo.get());
  if (rc < 0) return GitErrorStatus(rc, "log");
  internal::GitRevwalkPtr walk(raw);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
  git_oid oid = ToGitOid(start);
  rc = git_revwalk_push(walk.get(), &oid);
  if (rc < 0) return GitErrorStatus(rc, "log from " + start.ToHex());
  std::vector<GitId> out;
  while (max_count == 0 || out.size() < max_count) {
    rc = git_revwalk_next(&oid, walk.get());
    if (rc == GIT_ITEROVER) break;
    if (rc < 0) return GitErrorStatus(rc, "log from " + start.ToHex());
    out.push_back(FromGitOid(&oid));
  }
  return out;
}

Result<std::optional<GitId>> History::MergeBase(const GitId& a, const GitId& b) {
  git_oid oa = ToGitOid(a), ob = ToGitOid(b), out;
  int rc = git_merge_base(&out, impl_->repo.get(), &oa, &ob);
  if (rc == GIT_ENOTFOUND) {
    // Either no common history (fine) or a missing commit (an error): check.
    MVC_RETURN_IF_ERROR(ReadCommit(a));
    MVC_RETURN_IF_ERROR(ReadCommit(b));
    return std::optional<GitId>();
  }
  if (rc < 0) return GitErrorStatus(rc, "merge base of " + a.ShortHex() + " and " + b.ShortHex());
  return std::optional<GitId>(FromGitOid(&out));
}

Result<bool> History::IsAncestor(const GitId& ancestor, const GitId& of) {
  if (ancestor == of) {
    MVC_RETURN_IF_ERROR(ReadCommit(of));
    return true;
  }
  git_oid oa = ToGitOid(ancestor), oo = ToGitOid(of);
  int rc = git_graph_descendant_of(impl_->repo.get(), &oo, &oa);
  if (rc < 0) return GitErrorStatus(rc, "is " + ancestor.ShortHex() + " an ancestor of " + of.ShortHex());
  return rc == 1;
}

Status History::ForEachReachableCommit(const std::function<Status(const GitId&)>& fn) {
  std::vector<std::pair<std::string, GitId>> tips;  // (where it came from, id)
  MVC_ASSIGN_OR_RETURN(auto refs, ListRefs(""));
  for (auto& [name, id] : refs) tips.emplace_back("ref " + name, id);
  MVC_ASSIGN_OR_RETURN(Head head, ReadHead());
  if (head.commit) tips.emplace_back("HEAD", *head.commit);
  // Every reflog on disk: logs/HEAD and logs/refs/**. Walking the directory (rather
  // than the refs) also finds a reflog whose ref is gone, should one be left over.
  std::vector<std::string> reflogs = {"HEAD"};
  std::error_code ec;
  const std::filesystem::path logs_dir = std::filesystem::path(git_dir_) / "logs";
  for (std::filesystem::recursive_directory_iterator it(logs_dir / "refs", ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_regular_file(ec)) reflogs.push_back(it->path().lexically_relative(logs_dir).generic_string());
  }
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return Status::IOError("list reflogs in " + logs_dir.string() + ": " + ec.message());
  }
  for (const std::string& name : reflogs) {
    int valid = 0;
    if (git_reference_name_is_valid(&valid, name.c_str()) < 0 || !valid) continue;  // e.g. a *.lock file
    MVC_ASSIGN_OR_RETURN(std::vector<ReflogEntry> entries, ReadReflog(name));
    for (const ReflogEntry& e : entries) {
      if (!e.old_id.IsZero()) tips.emplace_back("reflog of " + name, e.old_id);
      if (!e.new_id.IsZero()) tips.emplace_back("reflog of " + name, e.new_id);
    }
  }

  git_revwalk* raw = nullptr;
  int rc = git_revwalk_new(&raw, impl_->repo.get());
  if (rc < 0) return GitErrorStatus(rc, "walk reachable commits");
  internal::GitRevwalkPtr walk(raw);
  std::unordered_set<GitId> pushed;
  for (const auto& [where, id] : tips) {
    if (!pushed.insert(id).second) continue;
    git_oid oid = ToGitOid(id);
    rc = git_revwalk_push(walk.get(), &oid);
    if (rc < 0) return GitErrorStatus(rc, "walk reachable commits: commit " + id.ToHex() + " named by " + where);
  }
  git_oid oid;
  while ((rc = git_revwalk_next(&oid, walk.get())) == 0) {
    MVC_RETURN_IF_ERROR(fn(FromGitOid(&oid)));
  }
  if (rc != GIT_ITEROVER) return GitErrorStatus(rc, "walk reachable commits");
  return Status::Ok();
}

// ---- Config ----

Result<std::optional<std::string>> History::GetConfig(const std::string& key) {
  MVC_ASSIGN_OR_RETURN(internal::GitConfigPtr config, OpenLocalConfig(impl_->repo.get(), "get config " + key));
  git_buf buf = GIT_BUF_INIT;
  int rc = git_config_get_string_buf(&buf, config.get(), key.c_str());
  if (rc == GIT_ENOTFOUND) return std::optional<std::string>();
  if (rc < 0) return GitErrorStatus(rc, "get config " + key);
  std::string value(buf.ptr, buf.size);
  git_buf_dispose(&buf);
  return std::optional<std::string>(std::move(value));
}

Status History::SetConfig(const std::string& key, const std::string& value) {
  MVC_ASSIGN_OR_RETURN(internal::GitConfigPtr config, OpenLocalConfig(impl_->repo.get(), "set config " + key));
  int rc = git_config_set_string(config.get(), key.c_str(), value.c_str());
  if (rc < 0) return GitErrorStatus(rc, "set config " + key);
  return Status::Ok();
}

// ---- Names ----

Status History::ValidateBranchName(std::string_view name) {
  EnsureLibgit2Initialized();
  const std::string n(name);
  int valid = 0;
  if (n.find('\0') != std::string::npos || git_branch_name_is_valid(&valid, n.c_str()) < 0 || !valid) {
    return Status::InvalidArgument("invalid branch name '" + n + "'");
  }
  return Status::Ok();
}

}  // namespace mvc
