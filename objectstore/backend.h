// objectstore/backend.h: the extension interface under ObjectStore (like libgit2's
// git2/sys/odb_backend.h). May change in a minor version; the plumbing API in
// object_store.h is the stable one.
//
// A backend maps a 32-byte ObjectId to the stored bytes of one object (envelope plus
// body, see object_envelope.h), opaque to the backend. It does not hash, verify or
// interpret them. Backends in tree: LmdbBackend (the default, on disk) and
// MemoryBackend (tests). A remote/S3 backend would implement the same five calls.
//
//   std::unique_ptr<Backend> backend = std::make_unique<MemoryBackend>();
//   MVC_RETURN_IF_ERROR(backend->Write({{id, WrapObject(ObjectKind::kChunk, body)}}));
//   MVC_ASSIGN_OR_RETURN(Bytes stored, backend->Get(id));
//
// Thread safety: every implementation MUST allow concurrent calls of all methods
// from several threads on one instance.
#ifndef MVC_OBJECTSTORE_BACKEND_H_
#define MVC_OBJECTSTORE_BACKEND_H_

#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/object_id.h"
#include "core/result.h"

namespace mvc {

class Backend {
 public:
  virtual ~Backend() = default;

  // True when an object named `id` is stored.
  // Errors: kIOError (the medium failed), kNoSpace (could not grow a reader's map).
  virtual Result<bool> Has(const ObjectId& id) = 0;

  // The stored bytes of `id`, copied out.
  // Errors: kNotFound "not found" (the caller adds the object's name), kIOError.
  virtual Result<Bytes> Get(const ObjectId& id) = 0;

  // Stores every (id, stored bytes) pair: atomic (all become visible, or none) and
  // durable when OK is returned. An id that is already stored keeps its first value
  // (ids are content hashes, so a second write would be the same bytes); duplicate
  // ids within `puts` likewise keep the first.
  // Errors: kNoSpace (disk or quota full; store size limit reached), kIOError.
  virtual Status Write(const std::vector<std::pair<ObjectId, Bytes>>& puts) = 0;

  // Removes `ids` atomically and durably; ids that are not stored are ignored.
  // Errors: kNoSpace (copy-on-write stores may need space to delete), kIOError.
  virtual Status Delete(std::span<const ObjectId> ids) = 0;

  // Calls `fn(id, stored_bytes)` for every stored object, in ascending id order, and
  // stops at (and returns) the first non-OK status `fn` returns. `fn` may call other
  // methods of this backend; objects written or deleted during the walk may or may
  // not be seen. Errors: what `fn` returns, kIOError.
  virtual Status ForEach(
      const std::function<Status(const ObjectId& id, uint64_t stored_bytes)>& fn) = 0;

  // Bytes the backend occupies on disk (0 for memory). Errors: kIOError.
  virtual Result<uint64_t> DiskBytes() = 0;
};

}  // namespace mvc

#endif  // MVC_OBJECTSTORE_BACKEND_H_
