#include "refs/fsck.h"

#include <algorithm>
#include <atomic>

#include "core/thread_pool.h"
#include "objectstore/object_store.h"
#include "refs/internal/tensor_io.h"

namespace mvc {
namespace {

// Chunks decoded at once per worker: each holds its chain's raw bytes (a few MiB).
constexpr size_t kDecodesPerThread = 2;

}  // namespace

Result<FsckResult> Fsck(Repository& repo, const FsckOptions& options) {
  MVC_ASSIGN_OR_RETURN(Reachable live, WalkReachable(repo));
  FsckResult result;
  result.commits = live.commits.size();
  result.files = live.model_files;
  result.tensors = live.tensors.size();
  result.chunks = live.chunks.size();
  result.problems = std::move(live.problems);

  if (options.decode_chunks) {
    // Only chunks whose header parsed; the others are already problems. A failure
    // inside a base's chain is reported once, at the base (also in this set).
    std::vector<ObjectId> ids;
    for (const auto& [id, c] : live.chunks) {
      if (c.present) ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
    std::vector<std::optional<IntegrityProblem>> found(ids.size());
    ThreadPool& pool = repo.pool();
    size_t window = std::max<size_t>(1, pool.size() * kDecodesPerThread);
    std::atomic<uint64_t> done{0};
    for (size_t begin = 0; begin < ids.size(); begin += window) {
      size_t end = std::min(ids.size(), begin + window);
      MVC_RETURN_IF_ERROR(pool.ParallelFor(end - begin, [&](size_t k) {
        size_t i = begin + k;
        Result<Bytes> raw = internal::LoadChunk(repo.store(), ids[i]);
        done += 1;
        if (raw.ok()) return Status::Ok();
        std::string prefix = "object " + ids[i].ShortHex() + ": ";
        const std::string& message = raw.status().message();
        if (message.rfind(prefix, 0) != 0) return Status::Ok();  // a base's problem
        bool missing = raw.status().code() == StatusCode::kNotFound;
        found[i] = IntegrityProblem{missing ? IntegrityProblem::Kind::kMissing : IntegrityProblem::Kind::kCorrupt,
                                    ids[i].ShortHex(), live.DescribeChunk(ids[i]),
                                    missing ? "" : message.substr(prefix.size())};
        return Status::Ok();
      }));
      if (options.progress) options.progress("checking chunks", done.load(), ids.size());
    }
    for (auto& p : found) {
      if (p) result.problems.push_back(std::move(*p));
    }
  }

  // Every stored object: the envelope of unreachable ones (reachable ones were read
  // by the walk, which checked theirs).
  ObjectStore& store = repo.store();
  std::vector<ObjectId> unreachable;
  MVC_RETURN_IF_ERROR(store.ForEach([&](const ObjectId& id, uint64_t) {
    if (!live.Contains(id)) unreachable.push_back(id);
    return Status::Ok();
  }));
  result.unreachable_objects = unreachable.size();
  for (const ObjectId& id : unreachable) {
    Result<StoredObject> object = store.Get(id);
    if (object.ok() || object.status().code() == StatusCode::kNotFound) continue;
    std::string prefix = "object " + id.ShortHex() + ": ";
    std::string message = object.status().message();
    if (message.rfind(prefix, 0) == 0) message = message.substr(prefix.size());
    result.warnings.push_back(
        IntegrityProblem{IntegrityProblem::Kind::kCorrupt, id.ShortHex(), "unreachable", message});
  }
  return result;
}

}  // namespace mvc
