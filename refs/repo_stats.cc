#include "refs/repo_stats.h"

#include <sys/stat.h>

#include <filesystem>

#include "codec/format.h"
#include "objectstore/object_store.h"
#include "refs/reachability.h"

namespace mvc {
namespace {

// Allocated bytes of every regular file under `dir` (as `du`, and as the LMDB
// backend counts its own files).
Result<uint64_t> DiskUsage(const std::string& dir) {
  namespace fs = std::filesystem;
  uint64_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; it != end; it.increment(ec)) {
    if (ec) break;
    struct stat st;
    if (lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode)) total += uint64_t(st.st_blocks) * 512;
  }
  if (ec) return Status::FromErrno(ec.value(), "scan " + dir);
  return total;
}

void Add(CodecUsage& u, const ReachedChunk& c) {
  u.chunks += 1;
  u.raw_bytes += c.raw_bytes;
  u.stored_bytes += c.stored_bytes;
}

}  // namespace

Result<RepoStats> ComputeRepoStats(Repository& repo) {
  MVC_ASSIGN_OR_RETURN(Reachable live, WalkReachable(repo));
  RepoStats s;
  s.commits = live.commits.size();
  s.files = live.files;
  s.logical_bytes = live.logical_bytes;
  s.logical_model_bytes = live.logical_model_bytes;
  s.problems = live.problems.size();
  s.unique_tensors = live.tensors.size();
  for (const auto& [id, t] : live.tensors) {
    s.unique_tensor_raw_bytes += t.raw_bytes;
    s.tensor_record_bytes += t.stored_bytes;
  }
  s.unique_chunks = live.chunks.size();
  for (const auto& [id, c] : live.chunks) {
    s.unique_chunk_raw_bytes += c.raw_bytes;
    if (!c.present) {
      // A chunk whose frame did not parse still occupies the store: count it apart
      // so the totals still add up.
      if (c.stored_bytes > 0) Add(s.codecs["unreadable"], c);
      continue;
    }
    Add(s.codecs[std::string(CodecName(c.codec))], c);
    Add(c.base ? s.delta : s.full, c);
  }
  ObjectStore& store = repo.store();
  MVC_RETURN_IF_ERROR(store.ForEach([&](const ObjectId& id, uint64_t stored_bytes) {
    if (!live.Contains(id)) {
      s.unreachable_objects += 1;
      s.unreachable_bytes += stored_bytes;
    }
    return Status::Ok();
  }));
  MVC_ASSIGN_OR_RETURN(StoreStats st, store.Stats());
  s.store_objects = st.objects;
  s.store_bytes = st.stored_bytes;
  s.store_disk_bytes = st.disk_bytes;
  MVC_ASSIGN_OR_RETURN(s.history_disk_bytes, DiskUsage(repo.history().git_dir()));
  s.physical_bytes = s.store_disk_bytes + s.history_disk_bytes;
  return s;
}

}  // namespace mvc
