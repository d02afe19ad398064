#include "refs/reachability.h"

#include <algorithm>
#include <set>
#include <unordered_set>

#include "codec/chunk_codec.h"
#include "core/sha256.h"
#include "core/tensor_record.h"
#include "core/thread_pool.h"
#include "objectstore/object_store.h"
#include "refs/internal/content_keys.h"

namespace mvc {
namespace {

// Objects read at once per worker thread: bounds the memory of the walk (one chunk
// body each) whatever the size of the repository.
constexpr size_t kReadsPerThread = 4;

IntegrityProblem Problem(IntegrityProblem::Kind kind, std::string object, std::string where,
                         std::string detail) {
  return IntegrityProblem{kind, std::move(object), std::move(where), std::move(detail)};
}

// The store's errors already say "object <short>: "; the problem names the object itself.
std::string StripObjectPrefix(const std::string& message, const std::string& short_hex) {
  std::string prefix = "object " + short_hex + ": ";
  if (message.rfind(prefix, 0) == 0) return message.substr(prefix.size());
  return message;
}

IntegrityProblem FromStatus(const Status& s, const ObjectId& id, std::string where) {
  bool missing = s.code() == StatusCode::kNotFound;
  return Problem(missing ? IntegrityProblem::Kind::kMissing : IntegrityProblem::Kind::kCorrupt, id.ShortHex(),
                 std::move(where), missing ? "" : StripObjectPrefix(s.message(), id.ShortHex()));
}

struct TensorRead {
  std::optional<IntegrityProblem> problem;
  std::optional<TensorRecord> record;
  uint64_t stored_bytes = 0;
};

struct ChunkRead {
  std::optional<IntegrityProblem> problem;
  bool present = false;
  CodecId codec = CodecId::kRaw;
  uint64_t raw_bytes = 0;
  uint64_t stored_bytes = 0;
  std::optional<ObjectId> base;
};

// Runs body(i) for i in [0, n) on the pool, a bounded window at a time.
Status ForEachWindowed(ThreadPool& pool, size_t n, const std::function<void(size_t)>& body) {
  size_t window = std::max<size_t>(1, pool.size() * kReadsPerThread);
  for (size_t begin = 0; begin < n; begin += window) {
    size_t end = std::min(n, begin + window);
    MVC_RETURN_IF_ERROR(pool.ParallelFor(end - begin, [&](size_t i) {
      body(begin + i);
      return Status::Ok();
    }));
  }
  return Status::Ok();
}

}  // namespace

std::string IntegrityProblem::ToString() const {
  std::string out = (kind == Kind::kMissing ? "missing object " : "corrupt object ") + object;
  if (!where.empty()) out += ": " + where;
  if (!detail.empty()) out += ": " + detail;
  return out;
}

std::string Reachable::DescribeTensor(const ObjectId& tensor_id) const {
  auto it = tensors.find(tensor_id);
  if (it == tensors.end()) return "tensor " + tensor_id.ShortHex();
  return "tensor '" + it->second.name + "' in " + it->second.file + " (commit " + it->second.commit.ShortHex() + ")";
}

std::string Reachable::DescribeChunk(const ObjectId& chunk_id) const {
  auto it = chunks.find(chunk_id);
  if (it == chunks.end()) return "chunk " + chunk_id.ShortHex();
  const ReachedChunk& c = it->second;
  std::string what = "chunk " + std::to_string(c.index) + " of " + DescribeTensor(c.tensor);
  if (c.base_of) return "delta base (of " + c.base_of->ShortHex() + ") of " + what;
  return what;
}

Result<Reachable> WalkReachable(Repository& repo) {
  Reachable out;
  History& history = repo.history();
  ObjectStore& store = repo.store();
  ThreadPool& pool = repo.pool();

  Status walk = history.ForEachReachableCommit([&](const GitId& id) {
    out.commits.push_back(id);
    return Status::Ok();
  });
  if (!walk.ok()) {
    out.problems.push_back(Problem(IntegrityProblem::Kind::kCorrupt, "history", "walking refs and reflogs",
                                   walk.message()));
  }

  // Commits -> trees -> manifests. Each manifest blob is parsed once; the tensors it
  // names are queued in first-reached order.
  std::unordered_set<GitId> seen_blobs;
  std::unordered_set<GitId> verified_plain_blobs;
  std::vector<ObjectId> tensor_queue;
  struct ManifestCheck {
    FileManifest manifest;
    std::string where;
  };
  std::vector<ManifestCheck> manifests;
  for (const GitId& commit : out.commits) {
    std::string at = "commit " + commit.ShortHex();
    Result<History::CommitInfo> info = history.ReadCommit(commit);
    if (!info.ok()) {
      out.problems.push_back(Problem(IntegrityProblem::Kind::kCorrupt, commit.ShortHex(), at, info.status().message()));
      continue;
    }
    Result<History::FlatTree> tree = history.ReadTree(info->tree);
    if (!tree.ok()) {
      out.problems.push_back(Problem(IntegrityProblem::Kind::kCorrupt, info->tree.ShortHex(), "tree of " + at,
                                     tree.status().message()));
      continue;
    }
    for (const auto& [path, entry] : *tree) {
      std::string where = path + " (" + at + ")";
      Result<std::optional<Bytes>> blob = internal::ReadIfManifest(history, entry.blob);
      if (blob.ok() && !*blob) {
        // A plain file: streamed once to check its hash, never held whole.
        Result<uint64_t> size = history.BlobSize(entry.blob);
        Status st = size.status();
        if (st.ok() && verified_plain_blobs.insert(entry.blob).second) {
          st = history.StreamBlob(entry.blob, [](ByteView) { return Status::Ok(); });
        }
        if (!st.ok()) {
          out.problems.push_back(Problem(IntegrityProblem::Kind::kCorrupt, entry.blob.ShortHex(), where, st.message()));
          continue;
        }
        ++out.files;
        out.logical_bytes += *size;
        continue;
      }
      if (!blob.ok()) {
        out.problems.push_back(Problem(IntegrityProblem::Kind::kCorrupt, entry.blob.ShortHex(), where,
                                       blob.status().message()));
        continue;
      }
      ++out.files;
      std::string_view text = AsChars(**blob);
      Result<FileManifest> m = FileManifest::Parse(text);
      if (!m.ok()) {
        out.problems.push_back(
            Problem(IntegrityProblem::Kind::kCorrupt, entry.blob.ShortHex(), "manifest " + where, m.status().message()));
        continue;
      }
      out.logical_bytes += m->file_size;
      out.logical_model_bytes += m->file_size;
      if (!seen_blobs.insert(entry.blob).second) continue;
      ++out.model_files;
      for (const ManifestTensor& t : m->tensors) {
        auto [it, inserted] = out.tensors.try_emplace(t.id);
        if (!inserted) continue;
        it->second.commit = commit;
        it->second.file = path;
        it->second.name = t.name;
        it->second.raw_bytes = t.num_bytes;
        tensor_queue.push_back(t.id);
      }
      manifests.push_back({std::move(*m), "manifest " + where});
    }
  }

  // A manifest's file id must match its layout and tensor ids (what checkout verifies).
  for (const ManifestCheck& c : manifests) {
    std::vector<ObjectId> ids;
    for (const ManifestTensor& t : c.manifest.tensors) ids.push_back(t.id);
    if (ComputeFileId(c.manifest.Layout(), ids) != c.manifest.file_id) {
      out.problems.push_back(Problem(IntegrityProblem::Kind::kCorrupt, c.manifest.file_id.ShortHex(), c.where,
                                     "file id does not match its layout and tensors"));
    }
  }

  // Tensor records: read, verify, parse, in parallel.
  std::vector<TensorRead> records(tensor_queue.size());
  MVC_RETURN_IF_ERROR(ForEachWindowed(pool, tensor_queue.size(), [&](size_t i) {
    const ObjectId& id = tensor_queue[i];
    TensorRead& r = records[i];
    std::string where = out.DescribeTensor(id);
    Result<StoredObject> object = store.Get(id);
    if (!object.ok()) {
      r.problem = FromStatus(object.status(), id, where);
      return;
    }
    r.stored_bytes = object->stored_bytes;
    if (object->kind != ObjectKind::kTensor) {
      r.problem = Problem(IntegrityProblem::Kind::kCorrupt, id.ShortHex(), where, "not a tensor record");
      return;
    }
    if (Sha256::Digest(object->body) != id) {
      r.problem = Problem(IntegrityProblem::Kind::kCorrupt, id.ShortHex(), where, "hash mismatch");
      return;
    }
    Result<TensorRecord> record = TensorRecord::Parse(object->body);
    if (!record.ok()) {
      r.problem = Problem(IntegrityProblem::Kind::kCorrupt, id.ShortHex(), where, record.status().message());
      return;
    }
    r.record = std::move(*record);
  }));

  std::vector<ObjectId> chunk_queue;
  for (size_t i = 0; i < tensor_queue.size(); ++i) {
    ReachedTensor& t = out.tensors[tensor_queue[i]];
    t.stored_bytes = records[i].stored_bytes;
    if (records[i].problem) {
      out.problems.push_back(std::move(*records[i].problem));
      continue;
    }
    const TensorRecord& record = *records[i].record;
    t.present = true;
    t.raw_bytes = record.num_bytes;
    for (uint64_t c = 0; c < record.chunk_ids.size(); ++c) {
      auto [it, inserted] = out.chunks.try_emplace(record.chunk_ids[c]);
      if (!inserted) continue;
      it->second.tensor = tensor_queue[i];
      it->second.index = c;
      chunk_queue.push_back(record.chunk_ids[c]);
    }
  }

  // Chunks, level by level: the bases named by one level's delta frames are the next.
  while (!chunk_queue.empty()) {
    std::vector<ChunkRead> reads(chunk_queue.size());
    MVC_RETURN_IF_ERROR(ForEachWindowed(pool, chunk_queue.size(), [&](size_t i) {
      const ObjectId& id = chunk_queue[i];
      ChunkRead& r = reads[i];
      Result<StoredObject> object = store.Get(id);
      if (!object.ok()) {
        r.problem = FromStatus(object.status(), id, "");
        return;
      }
      r.stored_bytes = object->stored_bytes;
      if (object->kind != ObjectKind::kChunk) {
        r.problem = Problem(IntegrityProblem::Kind::kCorrupt, id.ShortHex(), "", "not a chunk");
        return;
      }
      Result<ChunkFrameView> frame = ParseChunkFrame(object->body);
      if (!frame.ok()) {
        r.problem = Problem(IntegrityProblem::Kind::kCorrupt, id.ShortHex(), "", frame.status().message());
        return;
      }
      r.present = true;
      r.codec = frame->codec;
      r.raw_bytes = frame->raw_size;
      r.base = frame->base_id;
    }));
    std::vector<ObjectId> next;
    for (size_t i = 0; i < chunk_queue.size(); ++i) {
      const ObjectId& id = chunk_queue[i];
      ReachedChunk& c = out.chunks[id];
      ChunkRead& r = reads[i];
      c.stored_bytes = r.stored_bytes;
      if (r.problem) {
        r.problem->where = out.DescribeChunk(id);
        out.problems.push_back(std::move(*r.problem));
        continue;
      }
      c.present = true;
      c.codec = r.codec;
      c.raw_bytes = r.raw_bytes;
      c.base = r.base;
      if (!r.base) continue;
      auto [it, inserted] = out.chunks.try_emplace(*r.base);
      if (!inserted) continue;
      // Copy out of `c` only after try_emplace: the insertion may rehash (the
      // reference `c` stays valid; unordered_map never moves its nodes).
      it->second.tensor = c.tensor;
      it->second.index = c.index;
      it->second.base_of = id;
      next.push_back(*r.base);
    }
    chunk_queue = std::move(next);
  }
  return out;
}

}  // namespace mvc
