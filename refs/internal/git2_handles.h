// refs/internal/git2_handles.h: RAII handles and small glue for libgit2 (private).
//
// Only refs/*.cc include this file; public headers never name a git_* type. Each
// libgit2 object gets a unique_ptr with its matching free function, libgit2 errors
// become a Status naming the operation, and GitId converts to and from git_oid.
//
//   EnsureLibgit2Initialized();
//   git_repository* raw = nullptr;
//   int rc = git_repository_open_bare(&raw, path.c_str());
//   if (rc < 0) return GitErrorStatus(rc, "open history " + path);
//   GitRepositoryPtr repo(raw);
#ifndef MVC_REFS_INTERNAL_GIT2_HANDLES_H_
#define MVC_REFS_INTERNAL_GIT2_HANDLES_H_

#include <git2.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/status.h"
#include "refs/git_id.h"

namespace mvc::internal {

template <typename T, void (*Free)(T*)>
struct Git2Deleter {
  void operator()(T* p) const { Free(p); }
};

using GitRepositoryPtr = std::unique_ptr<git_repository, Git2Deleter<git_repository, git_repository_free>>;
using GitObjectPtr = std::unique_ptr<git_object, Git2Deleter<git_object, git_object_free>>;
using GitBlobPtr = std::unique_ptr<git_blob, Git2Deleter<git_blob, git_blob_free>>;
using GitTreePtr = std::unique_ptr<git_tree, Git2Deleter<git_tree, git_tree_free>>;
using GitTreeBuilderPtr = std::unique_ptr<git_treebuilder, Git2Deleter<git_treebuilder, git_treebuilder_free>>;
using GitCommitPtr = std::unique_ptr<git_commit, Git2Deleter<git_commit, git_commit_free>>;
using GitSignaturePtr = std::unique_ptr<git_signature, Git2Deleter<git_signature, git_signature_free>>;
using GitReferencePtr = std::unique_ptr<git_reference, Git2Deleter<git_reference, git_reference_free>>;
using GitReferenceIteratorPtr =
    std::unique_ptr<git_reference_iterator, Git2Deleter<git_reference_iterator, git_reference_iterator_free>>;
using GitReflogPtr = std::unique_ptr<git_reflog, Git2Deleter<git_reflog, git_reflog_free>>;
using GitRevwalkPtr = std::unique_ptr<git_revwalk, Git2Deleter<git_revwalk, git_revwalk_free>>;
using GitConfigPtr = std::unique_ptr<git_config, Git2Deleter<git_config, git_config_free>>;
using GitOdbPtr = std::unique_ptr<git_odb, Git2Deleter<git_odb, git_odb_free>>;
using GitOdbStreamPtr = std::unique_ptr<git_odb_stream, Git2Deleter<git_odb_stream, git_odb_stream_free>>;
using GitOdbObjectPtr = std::unique_ptr<git_odb_object, Git2Deleter<git_odb_object, git_odb_object_free>>;

// git_libgit2_init() exactly once per process (it is refcounted; mvc never shuts it
// down, so handles stay valid until exit). Thread-safe.
inline void EnsureLibgit2Initialized() {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
}

// The Status for a failed libgit2 call `rc` (< 0) while doing `what`:
// "<what>: <git_error_last()->message>". Codes map to the nearest StatusCode.
inline Status GitErrorStatus(int rc, std::string_view what) {
  const git_error* e = git_error_last();
  std::string message(what);
  message += ": ";
  message += (e != nullptr && e->message != nullptr) ? e->message : "libgit2 error " + std::to_string(rc);
  switch (rc) {
    case GIT_ENOTFOUND: return Status::NotFound(std::move(message));
    case GIT_EAMBIGUOUS: return Status::Ambiguous(std::move(message));
    case GIT_EEXISTS:
    case GIT_EMODIFIED:
    case GIT_ELOCKED: return Status::Conflict(std::move(message));
    case GIT_EINVALIDSPEC: return Status::InvalidArgument(std::move(message));
    default: return Status::IOError(std::move(message));
  }
}

inline git_oid ToGitOid(const GitId& id) {
  git_oid oid;
  git_oid_fromraw(&oid, id.data());
  return oid;
}

inline GitId FromGitOid(const git_oid* oid) { return GitId::FromBytes(oid->id); }

}  // namespace mvc::internal

#endif  // MVC_REFS_INTERNAL_GIT2_HANDLES_H_
