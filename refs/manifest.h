// refs/manifest.h: the file manifest, how a safetensors file lives in a commit's tree.
//
// In the git tree of a commit, a plain file is a blob and a safetensors file is a
// manifest blob: the file's original header bytes, the bytes no tensor covers (gaps)
// and one record per tensor naming its tensor object in the object store. Checkout
// rebuilds the file byte for byte from it (docs/format.md, "File manifest").
//
//   FileManifest m = ...;                      // built by the commit pipeline
//   std::string blob = m.Serialize();          // "mvc-manifest\0" + "v1\n" + JSON
//   if (IsManifestBlob(blob)) Result<FileManifest> back = FileManifest::Parse(blob);
#ifndef MVC_REFS_MANIFEST_H_
#define MVC_REFS_MANIFEST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/dtype.h"
#include "core/object_id.h"
#include "core/result.h"
#include "core/safetensors.h"

namespace mvc {

// What a near-lossless policy did to one tensor (docs/format.md, "File manifest").
struct LossyInfo {
  std::string policy;            // e.g. "bfp:7", "aligned:int16"
  double rel_l2 = 0;             // ||x - x_hat|| / ||x|| over the tensor
  double max_abs_error = 0;      // max |x - x_hat|
  std::optional<int> grid_exponent;  // aligned grids: step = 2^grid_exponent
};

struct ManifestTensor {
  std::string name;
  Dtype dtype = Dtype::kF32;
  std::vector<uint64_t> shape;
  uint64_t file_offset = 0;
  uint64_t num_bytes = 0;
  ObjectId id;                     // the tensor object (core/tensor_record.h)
  std::string encoding;            // codec name of its chunks, "mixed", or "dedup"
  std::optional<ObjectId> base_id; // tensor the chunks were delta-coded against
  uint32_t delta_depth = 0;        // chain length bound: 0 when no chunk is a delta
  uint64_t stored_bytes = 0;       // bytes this commit added to the store for it
  std::optional<LossyInfo> lossy;  // set when the stored tensor approximates the file's
};

struct FileManifest {
  uint64_t file_size = 0;
  ObjectId file_id;                // ComputeFileId() of the layout and stored tensor ids
  // When a lossy policy changed some tensor, the file id of the worktree file that
  // was committed (before approximation); status treats both ids as "unchanged".
  std::optional<ObjectId> source_file_id;
  std::string header_bytes;        // the JSON header, exactly as in the file
  std::vector<FileGap> gaps;
  std::vector<ManifestTensor> tensors;  // in file order

  std::string Serialize() const;
  // Errors: kCorruption naming the problem ("manifest: tensor 3: bad id").
  static Result<FileManifest> Parse(std::string_view blob);

  // The layout (header, tensors, gaps) this manifest rebuilds.
  SafetensorsLayout Layout() const;
};

// The file id: SHA-256 over the file's size, header bytes, gaps and, per tensor,
// offset and tensor id (docs/format.md, "File id"). Equal ids mean equal files,
// and it costs no pass over the data beyond the chunk hashes.
ObjectId ComputeFileId(const SafetensorsLayout& layout, const std::vector<ObjectId>& tensor_ids);

// True when a tree blob is a manifest (starts with the manifest magic, whose first
// kManifestMagicSize bytes are enough to tell).
bool IsManifestBlob(std::string_view blob);
inline constexpr size_t kManifestMagicSize = 16;

}  // namespace mvc

#endif  // MVC_REFS_MANIFEST_H_
