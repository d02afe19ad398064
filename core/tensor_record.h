// core/tensor_record.h: the tensor object, and the tensor id as a hash of chunk hashes.
//
// A tensor is stored as its chunks (each named by the SHA-256 of its raw bytes) plus
// one small tensor record naming dtype, shape and the chunk ids in order. The tensor id
// is the SHA-256 of the record's canonical bytes (docs/format.md, "Tensor record"), so
// it is derived from dtype, shape and exact bytes, and chunk hashes can be computed in
// parallel.
//
//   TensorRecord r{Dtype::kF32, {4096, 4096}, num_bytes, chunk_ids};
//   std::string bytes = r.Serialize();
//   ObjectId id = r.Id();     // == Sha256::Digest(bytes)
//   Result<TensorRecord> back = TensorRecord::Parse(bytes);
#ifndef MVC_CORE_TENSOR_RECORD_H_
#define MVC_CORE_TENSOR_RECORD_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/object_id.h"

namespace mvc {

// Bounds on untrusted records (docs/format.md): no allocation driven by an unchecked
// number.
inline constexpr size_t kMaxTensorRank = 64;

struct TensorRecord {
  Dtype dtype = Dtype::kF32;
  std::vector<uint64_t> shape;
  uint64_t num_bytes = 0;
  std::vector<ObjectId> chunk_ids;  // ChunkLayout::For(dtype, num_bytes).count() ids

  std::string Serialize() const;
  ObjectId Id() const;

  // Errors: kCorruption naming the field that is wrong (magic, version, reserved bits,
  // rank, shape/bytes mismatch, chunk count, trailing bytes).
  static Result<TensorRecord> Parse(std::span<const uint8_t> bytes);
};

// Element count of `shape`, or kInvalidArgument on overflow of 64 bits.
Result<uint64_t> ShapeElementCount(std::span<const uint64_t> shape);

}  // namespace mvc

#endif  // MVC_CORE_TENSOR_RECORD_H_
