#include "objectstore/memory_backend.h"

namespace mvc {

Result<bool> MemoryBackend::Has(const ObjectId& id) {
  std::lock_guard<std::mutex> lock(mu_);
  return objects_.count(id) != 0;
}

Result<Bytes> MemoryBackend::Get(const ObjectId& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(id);
  if (it == objects_.end()) return Status::NotFound("not found");
  return it->second;
}

Status MemoryBackend::Write(const std::vector<std::pair<ObjectId, Bytes>>& puts) {
  std::lock_guard<std::mutex> lock(mu_);
  // emplace keeps the first value, matching LMDB's MDB_NOOVERWRITE. Copying can only
  // fail by throwing bad_alloc, which ends the process anyway, so this is atomic.
  for (const auto& [id, stored] : puts) objects_.emplace(id, stored);
  return Status::Ok();
}

Status MemoryBackend::Delete(std::span<const ObjectId> ids) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const ObjectId& id : ids) objects_.erase(id);
  return Status::Ok();
}

Status MemoryBackend::ForEach(
    const std::function<Status(const ObjectId& id, uint64_t stored_bytes)>& fn) {
  // Snapshot first and call `fn` unlocked, so that `fn` may call back into us.
  std::vector<std::pair<ObjectId, uint64_t>> snapshot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot.reserve(objects_.size());
    for (const auto& [id, stored] : objects_) snapshot.emplace_back(id, stored.size());
  }
  for (const auto& [id, stored_bytes] : snapshot) MVC_RETURN_IF_ERROR(fn(id, stored_bytes));
  return Status::Ok();
}

}  // namespace mvc
