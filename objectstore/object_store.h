// objectstore/object_store.h: the content-addressed object store (plumbing).
//
// Maps an ObjectId (SHA-256 of the object's content, computed by the caller) to a
// kind and an opaque body, wrapped in the envelope of object_envelope.h. Writes go
// in atomic batches; nothing here hashes or decodes bodies: the porcelain verifies
// what it reads against the ids it expects (docs/format.md, "Object store").
//
//   MVC_ASSIGN_OR_RETURN(std::unique_ptr<ObjectStore> store,
//                        ObjectStore::OpenLmdb(repo_dir + "/objects"));
//   ObjectStore::WriteBatch batch;
//   batch.Put(chunk_id, ObjectKind::kChunk, encoded_chunk);
//   batch.Put(tensor_id, ObjectKind::kTensor, tensor_record);
//   MVC_RETURN_IF_ERROR(store->Write(std::move(batch)));  // both or neither
//   MVC_ASSIGN_OR_RETURN(StoredObject object, store->Get(chunk_id));
//
// Thread safety: all methods may be called concurrently from many threads (the
// commit pipeline's Has/Get/Write); writes may serialize internally.
#ifndef MVC_OBJECTSTORE_OBJECT_STORE_H_
#define MVC_OBJECTSTORE_OBJECT_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/object_id.h"
#include "core/result.h"
#include "objectstore/backend.h"
#include "objectstore/lmdb_backend.h"
#include "objectstore/object_envelope.h"

namespace mvc {

// One object as read back: its kind, a copy of its body, and its stored size
// (envelope included).
struct StoredObject {
  ObjectKind kind;
  Bytes body;
  uint64_t stored_bytes;
};

struct StoreStats {
  uint64_t objects = 0;
  uint64_t stored_bytes = 0;  // sum of stored sizes, envelopes included
  uint64_t disk_bytes = 0;    // what the backend occupies on disk (0 in memory)
};

class ObjectStore {
 public:
  // Objects to write together. Put copies the body (wrapped in its envelope) into
  // the batch, so the caller's buffer may be reused at once. Not thread-safe: one
  // batch per thread.
  class WriteBatch {
   public:
    void Put(const ObjectId& id, ObjectKind kind, ByteView body);
    size_t size() const { return puts_.size(); }
    // Stored bytes queued so far, envelopes included.
    uint64_t bytes() const { return bytes_; }
    bool empty() const { return puts_.empty(); }

   private:
    friend class ObjectStore;
    std::vector<std::pair<ObjectId, Bytes>> puts_;
    uint64_t bytes_ = 0;
  };

  // Opens (creating if missing) an LMDB store in `dir`; see LmdbBackend::Open for
  // the errors (kIOError, kInvalidArgument, kCorruption, kConflict, kNoSpace).
  static Result<std::unique_ptr<ObjectStore>> OpenLmdb(const std::string& dir,
                                                       const LmdbOptions& options = {});
  // Compacts the LMDB store in `dir`, which this process must not have open; see
  // LmdbBackend::Compact.
  static Result<CompactResult> CompactLmdb(const std::string& dir, const LmdbOptions& options = {});
  // A fresh, empty store in memory (tests).
  static std::unique_ptr<ObjectStore> OpenInMemory();

  explicit ObjectStore(std::unique_ptr<Backend> backend);

  // True when `id` is stored. Errors: kIOError.
  Result<bool> Has(const ObjectId& id);

  // Reads `id` and checks its envelope. Errors name the object:
  // kNotFound "object 3fa9c1d2e4b5: not found"; kCorruption "object 3fa9c1d2e4b5:
  // bad object magic" (and the other envelope errors); kUnsupportedVersion; kIOError.
  Result<StoredObject> Get(const ObjectId& id);

  // Stores every object of `batch` atomically (all visible, or none) and durably.
  // Ids already stored keep their bytes. Errors: kNoSpace (naming the store
  // directory), kIOError.
  Status Write(WriteBatch&& batch);

  // Removes `ids` atomically; ids not stored are ignored. Errors: kNoSpace, kIOError.
  Status Delete(std::span<const ObjectId> ids);

  // Calls `fn(id, stored_bytes)` for every object in ascending id order, stopping at
  // the first non-OK status (which is returned). `fn` may call this store.
  Status ForEach(const std::function<Status(const ObjectId& id, uint64_t stored_bytes)>& fn);

  // Every stored id starting with `hex_prefix` (4..64 hex digits, any case), in
  // ascending order; empty when none. Scans all ids. Errors: kInvalidArgument
  // "bad object id prefix 'xyz'", kIOError.
  Result<std::vector<ObjectId>> FindByPrefix(std::string_view hex_prefix);

  // The one id starting with `hex_prefix`. Errors: kNotFound "no object matches
  // 3fa9", kAmbiguous "object prefix 3fa9 matches 2 objects", kInvalidArgument.
  Result<ObjectId> ResolvePrefix(std::string_view hex_prefix);

  // Counts objects and bytes (walks every id). Errors: kIOError.
  Result<StoreStats> Stats();

  Backend& backend() { return *backend_; }

 private:
  std::unique_ptr<Backend> backend_;
};

}  // namespace mvc

#endif  // MVC_OBJECTSTORE_OBJECT_STORE_H_
