// core/chunking.h: how a tensor's bytes are cut into chunks.
//
// A chunk is the unit of storage, hashing, parallelism and dedup (docs/format.md,
// "Chunks"). Chunk i of a tensor covers elements [i * chunk_elems, (i+1) * chunk_elems),
// the last one possibly shorter; chunk_elems = kChunkBytes / width, so boundaries are
// element-aligned and fall at the same places in every version of a tensor, which is
// what lets a delta pair chunk i with the base's chunk i.
//
//   ChunkLayout layout = ChunkLayout::For(Dtype::kBF16, num_bytes);
//   for (uint64_t i = 0; i < layout.count(); ++i) Use(layout.offset(i), layout.size(i));
#ifndef MVC_CORE_CHUNKING_H_
#define MVC_CORE_CHUNKING_H_

#include <algorithm>
#include <cstdint>

#include "core/dtype.h"

namespace mvc {

// 4 MiB of raw bytes per chunk (docs/format.md, "Chunks"). Changing it changes every
// tensor id: it is part of the format, not a tuning knob.
inline constexpr uint64_t kChunkBytes = uint64_t{4} << 20;

class ChunkLayout {
 public:
  // REQUIRES: num_bytes is a multiple of DtypeWidth(dtype).
  static ChunkLayout For(Dtype dtype, uint64_t num_bytes) {
    return ChunkLayout(num_bytes, kChunkBytes / DtypeWidth(dtype) * DtypeWidth(dtype));
  }
  ChunkLayout(uint64_t num_bytes, uint64_t chunk_bytes)
      : num_bytes_(num_bytes), chunk_bytes_(chunk_bytes) {}

  uint64_t num_bytes() const { return num_bytes_; }
  uint64_t chunk_bytes() const { return chunk_bytes_; }
  // An empty tensor has zero chunks.
  uint64_t count() const { return (num_bytes_ + chunk_bytes_ - 1) / chunk_bytes_; }
  uint64_t offset(uint64_t i) const { return i * chunk_bytes_; }
  uint64_t size(uint64_t i) const { return std::min(chunk_bytes_, num_bytes_ - offset(i)); }

 private:
  uint64_t num_bytes_;
  uint64_t chunk_bytes_;
};

}  // namespace mvc

#endif  // MVC_CORE_CHUNKING_H_
