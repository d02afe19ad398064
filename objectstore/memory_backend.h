// objectstore/memory_backend.h: the Backend contract in memory, for tests.
//
// A mutex-protected ordered map; nothing is persisted, so "durable" means "visible
// to later calls on this instance". Behaves like LmdbBackend in everything a caller
// can observe except DiskBytes() (always 0) and the size limit (none).
//
//   auto store = std::make_unique<ObjectStore>(std::make_unique<MemoryBackend>());
#ifndef MVC_OBJECTSTORE_MEMORY_BACKEND_H_
#define MVC_OBJECTSTORE_MEMORY_BACKEND_H_

#include <map>
#include <mutex>

#include "objectstore/backend.h"

namespace mvc {

// Thread-safe: all methods may be called concurrently.
class MemoryBackend final : public Backend {
 public:
  Result<bool> Has(const ObjectId& id) override;
  Result<Bytes> Get(const ObjectId& id) override;
  Status Write(const std::vector<std::pair<ObjectId, Bytes>>& puts) override;
  Status Delete(std::span<const ObjectId> ids) override;
  Status ForEach(
      const std::function<Status(const ObjectId& id, uint64_t stored_bytes)>& fn) override;
  Result<uint64_t> DiskBytes() override { return uint64_t{0}; }

 private:
  std::mutex mu_;
  std::map<ObjectId, Bytes> objects_;  // guarded by mu_
};

}  // namespace mvc

#endif  // MVC_OBJECTSTORE_MEMORY_BACKEND_H_
