#include "refs/gc.h"

#include <algorithm>
#include <vector>

#include "objectstore/object_store.h"
#include "refs/internal/file_util.h"
#include "refs/reachability.h"

namespace mvc {

namespace {

Status CompactAfterGc(Repository& repo, GcResult* result) {
  Result<CompactResult> compact = repo.CompactStore();
  if (!compact.ok() && compact.status().code() == StatusCode::kConflict) {
    result->compact_skipped = compact.status().message();
    return Status::Ok();
  }
  if (!compact.ok()) {
    return compact.status().WithContext("gc: deleted " + std::to_string(result->objects_deleted) +
                                        " objects; compacting the store failed");
  }
  result->compacted = compact->compacted;
  result->store_bytes_before = compact->bytes_before;
  result->store_bytes_after = compact->bytes_after;
  return Status::Ok();
}

}  // namespace

Result<GcResult> Gc(Repository& repo, const GcOptions& options) {
  MVC_ASSIGN_OR_RETURN(auto lock, internal::FileLock::Acquire(repo.mvc_dir() + "/lock", repo.lock_timeout_ms()));
  MVC_ASSIGN_OR_RETURN(Reachable live, WalkReachable(repo));
  if (!live.problems.empty()) {
    return Status::Corruption("gc: " + std::to_string(live.problems.size()) +
                              " problems found (first: " + live.problems.front().ToString() +
                              "); nothing deleted, run mvc fsck");
  }
  GcResult result;
  ObjectStore& store = repo.store();
  std::vector<std::pair<ObjectId, uint64_t>> garbage;
  // Collected first, deleted after: no write transaction while the scan's read is open.
  MVC_RETURN_IF_ERROR(store.ForEach([&](const ObjectId& id, uint64_t stored_bytes) {
    ++result.objects_before;
    if (!live.Contains(id)) garbage.emplace_back(id, stored_bytes);
    return Status::Ok();
  }));
  result.objects_garbage = garbage.size();
  for (const auto& g : garbage) result.bytes_garbage += g.second;
  result.objects_kept = result.objects_before - garbage.size();
  if (options.dry_run) return result;

  size_t batch = std::max<size_t>(1, options.batch_objects);
  std::vector<ObjectId> ids;
  for (size_t begin = 0; begin < garbage.size(); begin += batch) {
    size_t end = std::min(garbage.size(), begin + batch);
    ids.clear();
    uint64_t bytes = 0;
    for (size_t i = begin; i < end; ++i) {
      ids.push_back(garbage[i].first);
      bytes += garbage[i].second;
    }
    MVC_RETURN_IF_ERROR(store.Delete(ids));
    result.objects_deleted += ids.size();
    result.bytes_freed += bytes;
    if (options.progress) options.progress("deleting objects", end, garbage.size());
  }
  if (options.compact) MVC_RETURN_IF_ERROR(CompactAfterGc(repo, &result));
  return result;
}

}  // namespace mvc
