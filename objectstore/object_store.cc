#include "objectstore/object_store.h"

#include "objectstore/memory_backend.h"

namespace mvc {
namespace {

std::string ObjectName(const ObjectId& id) { return "object " + id.ShortHex(); }

}  // namespace

void ObjectStore::WriteBatch::Put(const ObjectId& id, ObjectKind kind, ByteView body) {
  puts_.emplace_back(id, WrapObject(kind, body));
  bytes_ += puts_.back().second.size();
}

Result<std::unique_ptr<ObjectStore>> ObjectStore::OpenLmdb(const std::string& dir,
                                                           const LmdbOptions& options) {
  MVC_ASSIGN_OR_RETURN(std::unique_ptr<LmdbBackend> backend, LmdbBackend::Open(dir, options));
  return std::make_unique<ObjectStore>(std::move(backend));
}

Result<CompactResult> ObjectStore::CompactLmdb(const std::string& dir, const LmdbOptions& options) {
  return LmdbBackend::Compact(dir, options);
}

std::unique_ptr<ObjectStore> ObjectStore::OpenInMemory() {
  return std::make_unique<ObjectStore>(std::make_unique<MemoryBackend>());
}

ObjectStore::ObjectStore(std::unique_ptr<Backend> backend) : backend_(std::move(backend)) {
  MVC_CHECK(backend_ != nullptr);
}

Result<bool> ObjectStore::Has(const ObjectId& id) {
  Result<bool> has = backend_->Has(id);
  if (!has.ok()) return has.status().WithContext(ObjectName(id));
  return has;
}

Result<StoredObject> ObjectStore::Get(const ObjectId& id) {
  Result<Bytes> stored = backend_->Get(id);
  if (!stored.ok()) return stored.status().WithContext(ObjectName(id));
  Result<ObjectView> view = UnwrapObject(*stored);
  if (!view.ok()) return view.status().WithContext(ObjectName(id));
  // Drop the envelope in place rather than copying the body a second time.
  ObjectKind kind = view->kind;
  uint64_t stored_bytes = stored->size();
  Bytes body = std::move(stored).value();
  body.erase(body.begin(), body.begin() + kObjectEnvelopeBytes);
  return StoredObject{kind, std::move(body), stored_bytes};
}

Status ObjectStore::Write(WriteBatch&& batch) {
  WriteBatch local = std::move(batch);
  if (local.empty()) return Status::Ok();
  return backend_->Write(local.puts_);
}

Status ObjectStore::Delete(std::span<const ObjectId> ids) { return backend_->Delete(ids); }

Status ObjectStore::ForEach(
    const std::function<Status(const ObjectId& id, uint64_t stored_bytes)>& fn) {
  return backend_->ForEach(fn);
}

Result<std::vector<ObjectId>> ObjectStore::FindByPrefix(std::string_view hex_prefix) {
  if (!LooksLikeHexPrefix(hex_prefix)) {
    return Status::InvalidArgument("bad object id prefix '" + std::string(hex_prefix) +
                                   "' (want 4 to 64 hex digits)");
  }
  std::vector<ObjectId> matches;
  MVC_RETURN_IF_ERROR(backend_->ForEach([&](const ObjectId& id, uint64_t) {
    if (id.MatchesHexPrefix(hex_prefix)) matches.push_back(id);
    return Status::Ok();
  }));
  return matches;
}

Result<ObjectId> ObjectStore::ResolvePrefix(std::string_view hex_prefix) {
  MVC_ASSIGN_OR_RETURN(std::vector<ObjectId> matches, FindByPrefix(hex_prefix));
  if (matches.empty()) return Status::NotFound("no object matches " + std::string(hex_prefix));
  if (matches.size() > 1) {
    return Status::Ambiguous("object prefix " + std::string(hex_prefix) + " matches " +
                             std::to_string(matches.size()) + " objects");
  }
  return matches.front();
}

Result<StoreStats> ObjectStore::Stats() {
  StoreStats stats;
  MVC_RETURN_IF_ERROR(backend_->ForEach([&](const ObjectId&, uint64_t stored_bytes) {
    ++stats.objects;
    stats.stored_bytes += stored_bytes;
    return Status::Ok();
  }));
  MVC_ASSIGN_OR_RETURN(stats.disk_bytes, backend_->DiskBytes());
  return stats;
}

}  // namespace mvc
