// refs/internal/tensor_io.h: moving tensors between safetensors files and the store.
//
// The commit pipeline's heavy half (hash chunks in parallel, dedup, encode against a
// base, write in bounded batches) and checkout's (decode chunks in parallel, verify
// every hash, write the file). Memory in flight is bounded by a window of chunks,
// whatever the size of the model.
#ifndef MVC_REFS_INTERNAL_TENSOR_IO_H_
#define MVC_REFS_INTERNAL_TENSOR_IO_H_

#include <string>

#include "core/bytes.h"
#include "core/object_id.h"
#include "core/result.h"
#include "core/tensor_record.h"
#include "refs/manifest.h"
#include "refs/repository.h"

namespace mvc::internal {

// Chunks decoded or encoded at once per worker thread: bounds peak memory to about
// threads * kWindowPerThread * 3 * kChunkBytes.
inline constexpr size_t kWindowPerThread = 2;
// Bytes of encoded objects collected before one store transaction: few transactions
// leave few copy-on-write pages behind in LMDB, and this bounds the memory they hold.
inline constexpr uint64_t kWriteBatchBytes = uint64_t{16} << 20;

struct FileHashes {
  SafetensorsLayout layout;
  std::vector<TensorRecord> records;   // one per layout.tensors entry
  std::vector<ObjectId> tensor_ids;
  ObjectId file_id;
};

// Parses `path` as safetensors and hashes every chunk on the pool.
// Errors: kInvalidArgument for a malformed file (message starts with the path).
Result<FileHashes> HashSafetensorsFile(ThreadPool& pool, const std::string& path,
                                       const ProgressCallback& progress);

struct StoreStats {
  uint64_t stored_bytes = 0;
  uint64_t chunks_written = 0;
};

// Stores the tensors of an already-hashed file (HashSafetensorsFile) and returns its
// manifest. Tensors and chunks already in the store cost nothing; others are encoded,
// against the same-named tensor of `parent` when the options allow it.
Result<FileManifest> StoreSafetensorsFile(Repository& repo, const std::string& path,
                                          const FileHashes& hashes, const FileManifest* parent,
                                          const CommitOptions& options, StoreStats* stats);

// The verified raw bytes of chunk `id` (decoding its delta chain).
// Errors: kNotFound, kCorruption "object <id>: hash mismatch".
Result<Bytes> LoadChunk(ObjectStore& store, const ObjectId& id);

// The tensor record of `id`, verified against its id.
Result<TensorRecord> LoadTensorRecord(ObjectStore& store, const ObjectId& id);

// Writes the file described by `manifest` to `dest_path` via a temporary file in the
// same directory, renamed into place after fsync. `display_path` names the file in
// errors. On error the temporary file is removed and `dest_path` is untouched.
Status WriteManifestFile(Repository& repo, const FileManifest& manifest, const std::string& display_path,
                         const std::string& dest_path, const ProgressCallback& progress);

}  // namespace mvc::internal

#endif  // MVC_REFS_INTERNAL_TENSOR_IO_H_
