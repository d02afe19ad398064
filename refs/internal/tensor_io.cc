#include "refs/internal/tensor_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>

#include "codec/chunk_codec.h"
#include "core/chunking.h"
#include "core/endian_coding.h"
#include "core/mapped_file.h"
#include "core/safetensors.h"
#include "core/sha256.h"
#include "core/thread_pool.h"
#include "objectstore/object_store.h"
#include "refs/internal/file_util.h"
#include "refs/internal/lossy_store.h"

namespace mvc::internal {
namespace {

// A chunk's place: tensor index in the layout and chunk index in the tensor.
struct ChunkRef {
  size_t tensor;
  uint64_t chunk;
};

std::vector<ChunkRef> AllChunks(const SafetensorsLayout& layout) {
  std::vector<ChunkRef> refs;
  for (size_t t = 0; t < layout.tensors.size(); ++t) {
    const TensorEntry& e = layout.tensors[t];
    uint64_t count = ChunkLayout::For(e.dtype, e.num_bytes).count();
    for (uint64_t c = 0; c < count; ++c) refs.push_back({t, c});
  }
  return refs;
}

size_t WindowSize(ThreadPool& pool) { return pool.size() * kWindowPerThread; }

// Runs body over `n` items in windows of `window`, calling after_window(begin, end)
// between windows (to flush writes and release memory).
Status ForEachWindow(ThreadPool& pool, size_t n, size_t window,
                     const std::function<Status(size_t)>& body,
                     const std::function<Status(size_t, size_t)>& after_window) {
  for (size_t begin = 0; begin < n; begin += window) {
    size_t end = std::min(n, begin + window);
    MVC_RETURN_IF_ERROR(pool.ParallelFor(end - begin, [&](size_t i) { return body(begin + i); }));
    MVC_RETURN_IF_ERROR(after_window(begin, end));
  }
  return Status::Ok();
}

std::string ChunkContext(const std::string& file, const std::string& tensor, uint64_t chunk) {
  return file + ": tensor '" + tensor + "' chunk " + std::to_string(chunk);
}

}  // namespace

Result<FileHashes> HashSafetensorsFile(ThreadPool& pool, const std::string& path,
                                       const ProgressCallback& progress) {
  MVC_ASSIGN_OR_RETURN(MappedFile file, MappedFile::Open(path));
  Result<SafetensorsLayout> layout = ParseSafetensors(file.bytes());
  if (!layout.ok()) return layout.status().WithContext(path);
  FileHashes out;
  out.layout = std::move(*layout);
  out.records.resize(out.layout.tensors.size());
  for (size_t t = 0; t < out.layout.tensors.size(); ++t) {
    const TensorEntry& e = out.layout.tensors[t];
    TensorRecord& r = out.records[t];
    r.dtype = e.dtype;
    r.shape = e.shape;
    r.num_bytes = e.num_bytes;
    r.chunk_ids.resize(ChunkLayout::For(e.dtype, e.num_bytes).count());
  }
  std::vector<ChunkRef> chunks = AllChunks(out.layout);
  std::atomic<uint64_t> hashed{0};
  uint64_t total = file.size();
  MVC_RETURN_IF_ERROR(ForEachWindow(
      pool, chunks.size(), WindowSize(pool),
      [&](size_t i) {
        const TensorEntry& e = out.layout.tensors[chunks[i].tensor];
        ChunkLayout cl = ChunkLayout::For(e.dtype, e.num_bytes);
        ByteView raw = file.bytes().subspan(e.file_offset + cl.offset(chunks[i].chunk), cl.size(chunks[i].chunk));
        out.records[chunks[i].tensor].chunk_ids[chunks[i].chunk] = Sha256::Digest(raw);
        hashed += raw.size();
        return Status::Ok();
      },
      [&](size_t begin, size_t end) {
        // Hashing reads each byte once: drop the pages so resident memory stays flat.
        const TensorEntry& first = out.layout.tensors[chunks[begin].tensor];
        const TensorEntry& last = out.layout.tensors[chunks[end - 1].tensor];
        file.Release(first.file_offset, last.file_offset + last.num_bytes - first.file_offset);
        if (progress) progress("hashing " + path, hashed.load(), total);
        return Status::Ok();
      }));
  out.tensor_ids.reserve(out.records.size());
  for (const TensorRecord& r : out.records) out.tensor_ids.push_back(r.Id());
  out.file_id = ComputeFileId(out.layout, out.tensor_ids);
  return out;
}

Result<Bytes> LoadChunk(ObjectStore& store, const ObjectId& id) {
  // Iterative over the delta chain: collect frames down to the anchor, then decode up.
  constexpr int kMaxChain = 64;
  std::vector<std::pair<ObjectId, Bytes>> chain;
  ObjectId next = id;
  for (;;) {
    if (chain.size() >= kMaxChain) {
      return Status::Corruption("object " + id.ShortHex() + ": delta chain longer than " +
                                std::to_string(kMaxChain));
    }
    Result<StoredObject> object = store.Get(next);
    if (!object.ok()) return object.status();
    if (object->kind != ObjectKind::kChunk) {
      return Status::Corruption("object " + next.ShortHex() + ": not a chunk");
    }
    Result<ChunkFrameView> frame = ParseChunkFrame(object->body);
    if (!frame.ok()) return frame.status().WithContext("object " + next.ShortHex());
    std::optional<ObjectId> base = frame->base_id;
    chain.emplace_back(next, std::move(object->body));
    if (!base) break;
    next = *base;
  }
  Bytes raw;
  for (size_t k = chain.size(); k-- > 0;) {
    const auto& [chunk_id, body] = chain[k];
    Result<ChunkFrameView> frame = ParseChunkFrame(body);
    if (!frame.ok()) return frame.status().WithContext("object " + chunk_id.ShortHex());
    if (frame->base_id && raw.size() != frame->raw_size) {
      return Status::Corruption("object " + chunk_id.ShortHex() + ": base size mismatch");
    }
    Bytes decoded(frame->raw_size);
    Status s = DecodeChunk(*frame, raw, decoded);
    if (!s.ok()) return s.WithContext("object " + chunk_id.ShortHex());
    if (Sha256::Digest(decoded) != chunk_id) {
      return Status::Corruption("object " + chunk_id.ShortHex() + ": hash mismatch");
    }
    raw = std::move(decoded);
  }
  return raw;
}

Result<TensorRecord> LoadTensorRecord(ObjectStore& store, const ObjectId& id) {
  Result<StoredObject> object = store.Get(id);
  if (!object.ok()) return object.status();
  if (object->kind != ObjectKind::kTensor) {
    return Status::Corruption("object " + id.ShortHex() + ": not a tensor");
  }
  if (Sha256::Digest(object->body) != id) {
    return Status::Corruption("object " + id.ShortHex() + ": hash mismatch");
  }
  Result<TensorRecord> record = TensorRecord::Parse(object->body);
  if (!record.ok()) return record.status().WithContext("object " + id.ShortHex());
  return record;
}

Result<FileManifest> StoreSafetensorsFile(Repository& repo, const std::string& path,
                                          const FileHashes& hashes, const FileManifest* parent,
                                          const CommitOptions& options, StoreStats* stats) {
  ObjectStore& store = repo.store();
  ThreadPool& pool = repo.pool();
  const SafetensorsLayout& layout = hashes.layout;
  FileManifest manifest;
  manifest.file_size = layout.file_size;
  manifest.file_id = hashes.file_id;
  manifest.header_bytes = layout.header_bytes;
  manifest.gaps = layout.gaps;

  MVC_ASSIGN_OR_RETURN(MappedFile file, MappedFile::Open(path));
  if (file.size() != layout.file_size) {
    return Status::Conflict(path + ": file changed while committing");
  }
  std::map<std::string, const ManifestTensor*> parent_by_name;
  if (parent) for (const ManifestTensor& t : parent->tensors) parent_by_name[t.name] = &t;

  struct Pending {
    size_t tensor;
    uint64_t chunk;
    std::optional<ObjectId> base_chunk;
  };
  std::vector<Pending> pending;
  std::vector<std::optional<TensorRecord>> base_records(layout.tensors.size());
  std::vector<bool> needs_record(layout.tensors.size(), false);
  std::set<ObjectId> queued;  // a chunk repeated inside this file is encoded once

  for (size_t t = 0; t < layout.tensors.size(); ++t) {
    const TensorEntry& e = layout.tensors[t];
    ManifestTensor m{e.name, e.dtype, e.shape, e.file_offset, e.num_bytes, hashes.tensor_ids[t]};
    auto parent_it = parent_by_name.find(e.name);
    const ManifestTensor* prev = parent_it == parent_by_name.end() ? nullptr : parent_it->second;
    if (WantsLossy(options, e.dtype)) {
      Result<std::optional<ManifestTensor>> lossy = StoreLossyTensor(repo, file, e, prev, options, stats);
      if (!lossy.ok()) return lossy.status().WithContext(path + ": tensor '" + e.name + "'");
      if (*lossy) {
        manifest.tensors.push_back(std::move(**lossy));
        continue;
      }
    }
    MVC_ASSIGN_OR_RETURN(bool have, store.Has(m.id));
    if (have) {
      // Dedup: the tensor is stored already. Keep what is known of its encoding; an
      // unknown chain depth counts as the maximum so the next version re-anchors.
      if (prev && prev->id == m.id) {
        m.encoding = prev->encoding;
        m.base_id = prev->base_id;
        m.delta_depth = prev->delta_depth;
      } else {
        m.encoding = "dedup";
        m.delta_depth = options.max_delta_depth;
      }
      manifest.tensors.push_back(std::move(m));
      continue;
    }
    needs_record[t] = true;
    const TensorRecord& record = hashes.records[t];
    bool delta_ok = options.allow_delta && prev && prev->dtype == e.dtype && prev->shape == e.shape &&
                    prev->delta_depth + 1 <= options.max_delta_depth && e.num_bytes > 0;
    if (delta_ok) {
      Result<TensorRecord> base = LoadTensorRecord(store, prev->id);
      if (!base.ok()) return base.status().WithContext(path + ": base of tensor '" + e.name + "'");
      if (base->chunk_ids.size() == record.chunk_ids.size()) base_records[t] = std::move(*base);
    }
    for (uint64_t c = 0; c < record.chunk_ids.size(); ++c) {
      const ObjectId& id = record.chunk_ids[c];
      if (queued.count(id)) continue;
      MVC_ASSIGN_OR_RETURN(bool chunk_stored, store.Has(id));
      if (chunk_stored) continue;
      queued.insert(id);
      std::optional<ObjectId> base_chunk;
      if (base_records[t] && base_records[t]->chunk_ids[c] != id) base_chunk = base_records[t]->chunk_ids[c];
      pending.push_back({t, c, base_chunk});
    }
    manifest.tensors.push_back(std::move(m));
  }

  // Encode the missing chunks window by window, writing in batches.
  std::vector<Bytes> frames(WindowSize(pool));
  std::vector<std::set<std::string>> codecs(layout.tensors.size());
  std::vector<bool> used_delta(layout.tensors.size(), false);
  std::vector<uint64_t> stored(layout.tensors.size(), 0);
  uint64_t encoded_raw = 0, total_raw = 0;
  for (const Pending& p : pending) {
    const TensorEntry& e = layout.tensors[p.tensor];
    total_raw += ChunkLayout::For(e.dtype, e.num_bytes).size(p.chunk);
  }
  EncodeOptions encode_options;
  encode_options.allow_delta = options.allow_delta;
  ObjectStore::WriteBatch batch;  // flushed at kWriteBatchBytes and at the end
  size_t window = WindowSize(pool);
  MVC_RETURN_IF_ERROR(ForEachWindow(
      pool, pending.size(), window,
      [&](size_t i) -> Status {
        const Pending& p = pending[i];
        const TensorEntry& e = layout.tensors[p.tensor];
        ChunkLayout cl = ChunkLayout::For(e.dtype, e.num_bytes);
        ByteView raw = file.bytes().subspan(e.file_offset + cl.offset(p.chunk), cl.size(p.chunk));
        const ObjectId& id = hashes.records[p.tensor].chunk_ids[p.chunk];
        // The file may have changed since hashing: never store bytes under a wrong id.
        if (Sha256::Digest(raw) != id) return Status::Conflict(path + ": file changed while committing");
        Bytes base_raw;
        ChunkBase base;
        if (p.base_chunk) {
          Result<Bytes> loaded = LoadChunk(store, *p.base_chunk);
          if (!loaded.ok()) return loaded.status().WithContext(ChunkContext(path, e.name, p.chunk) + " base");
          base_raw = std::move(*loaded);
          base = {*p.base_chunk, base_raw};
        }
        const ChunkPlace place{e.shape, cl.offset(p.chunk) / DtypeWidth(e.dtype)};
        Result<Bytes> frame = EncodeChunk(e.dtype, raw, p.base_chunk ? &base : nullptr, encode_options, place);
        if (!frame.ok()) return frame.status().WithContext(ChunkContext(path, e.name, p.chunk));
        frames[i % window] = std::move(*frame);
        return Status::Ok();
      },
      [&](size_t begin, size_t end) -> Status {
        for (size_t i = begin; i < end; ++i) {
          const Pending& p = pending[i];
          const Bytes& frame = frames[i - begin];
          Result<ChunkFrameView> view = ParseChunkFrame(frame);
          MVC_CHECK(view.ok());
          codecs[p.tensor].insert(std::string(CodecName(view->codec)));
          if (view->base_id) used_delta[p.tensor] = true;
          batch.Put(hashes.records[p.tensor].chunk_ids[p.chunk], ObjectKind::kChunk, frame);
          stored[p.tensor] += frame.size();
          encoded_raw += view->raw_size;
          stats->chunks_written++;
        }
        if (batch.bytes() >= kWriteBatchBytes) {
          MVC_RETURN_IF_ERROR_CTX(store.Write(std::move(batch)), "writing objects for " + path);
          batch = ObjectStore::WriteBatch();
        }
        for (size_t i = begin; i < end; ++i) Bytes().swap(frames[i - begin]);
        const TensorEntry& first = layout.tensors[pending[begin].tensor];
        const TensorEntry& last = layout.tensors[pending[end - 1].tensor];
        file.Release(first.file_offset, last.file_offset + last.num_bytes - first.file_offset);
        if (options.progress) options.progress("storing " + path, encoded_raw, total_raw);
        return Status::Ok();
      }));

  // Tensor records go after their chunks (here, in the same or a later transaction):
  // a present record promises its chunks are present.
  for (size_t t = 0; t < layout.tensors.size(); ++t) {
    if (!needs_record[t]) continue;
    ManifestTensor& m = manifest.tensors[t];
    std::string record = hashes.records[t].Serialize();
    batch.Put(m.id, ObjectKind::kTensor, AsBytes(record));
    stored[t] += record.size();
    if (codecs[t].empty()) {
      m.encoding = "dedup";  // every chunk was stored already
    } else if (codecs[t].size() == 1) {
      m.encoding = *codecs[t].begin();
    } else {
      m.encoding = "mixed";
    }
    if (used_delta[t]) {
      m.base_id = parent_by_name[m.name]->id;
      m.delta_depth = parent_by_name[m.name]->delta_depth + 1;
    }
    m.stored_bytes = stored[t];
    stats->stored_bytes += stored[t];
  }
  if (!batch.empty()) MVC_RETURN_IF_ERROR_CTX(store.Write(std::move(batch)), "writing objects for " + path);
  // A lossy policy changed some tensors: the stored file is their reconstruction, and
  // the worktree file it came from is remembered as the source.
  std::vector<ObjectId> stored_ids;
  for (const ManifestTensor& t : manifest.tensors) stored_ids.push_back(t.id);
  if (stored_ids != hashes.tensor_ids) {
    manifest.file_id = ComputeFileId(layout, stored_ids);
    manifest.source_file_id = hashes.file_id;
  }
  return manifest;
}

Status WriteManifestFile(Repository& repo, const FileManifest& manifest, const std::string& display_path,
                         const std::string& dest_path, const ProgressCallback& progress) {
  ObjectStore& store = repo.store();
  ThreadPool& pool = repo.pool();
  SafetensorsLayout layout = manifest.Layout();
  std::vector<TensorRecord> records;
  records.reserve(manifest.tensors.size());
  for (const ManifestTensor& t : manifest.tensors) {
    Result<TensorRecord> r = LoadTensorRecord(store, t.id);
    if (!r.ok()) return r.status().WithContext(display_path + ": tensor '" + t.name + "'");
    if (r->num_bytes != t.num_bytes || r->dtype != t.dtype) {
      return Status::Corruption(display_path + ": tensor '" + t.name + "': object " + t.id.ShortHex() +
                                " does not match the manifest");
    }
    records.push_back(std::move(*r));
  }
  std::vector<ObjectId> ids;
  for (const ManifestTensor& t : manifest.tensors) ids.push_back(t.id);
  if (ComputeFileId(layout, ids) != manifest.file_id) {
    return Status::Corruption(display_path + ": manifest does not match its file id");
  }

  MVC_ASSIGN_OR_RETURN(TempFile out, TempFile::CreateBeside(dest_path));
  std::string prefix(8, '\0');
  EncodeFixed64(reinterpret_cast<uint8_t*>(prefix.data()), manifest.header_bytes.size());
  prefix += manifest.header_bytes;
  MVC_RETURN_IF_ERROR(out.PWrite(AsBytes(prefix), 0));
  for (const FileGap& g : manifest.gaps) MVC_RETURN_IF_ERROR(out.PWrite(AsBytes(g.bytes), g.file_offset));
  MVC_RETURN_IF_ERROR(out.Truncate(manifest.file_size));

  std::vector<ChunkRef> chunks = AllChunks(layout);
  std::atomic<uint64_t> written{0};
  MVC_RETURN_IF_ERROR(ForEachWindow(
      pool, chunks.size(), WindowSize(pool),
      [&](size_t i) -> Status {
        const ChunkRef& c = chunks[i];
        const ManifestTensor& t = manifest.tensors[c.tensor];
        ChunkLayout cl = ChunkLayout::For(t.dtype, t.num_bytes);
        const ObjectId& id = records[c.tensor].chunk_ids[c.chunk];
        Result<Bytes> raw = LoadChunk(store, id);
        if (!raw.ok()) return raw.status().WithContext(ChunkContext(display_path, t.name, c.chunk));
        if (raw->size() != cl.size(c.chunk)) {
          return Status::Corruption(ChunkContext(display_path, t.name, c.chunk) + ": object " +
                                    id.ShortHex() + ": wrong size");
        }
        MVC_RETURN_IF_ERROR(out.PWrite(*raw, t.file_offset + cl.offset(c.chunk)));
        written += raw->size();
        return Status::Ok();
      },
      [&](size_t, size_t) {
        if (progress) progress("writing " + display_path, written.load(), manifest.file_size);
        return Status::Ok();
      }));
  return out.Commit();
}

}  // namespace mvc::internal
