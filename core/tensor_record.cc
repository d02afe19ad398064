#include "core/tensor_record.h"

#include "core/chunking.h"
#include "core/endian_coding.h"
#include "core/sha256.h"

namespace mvc {
namespace {

// docs/format.md, "Tensor record".
constexpr char kMagic[4] = {'M', 'V', 'T', 'R'};
constexpr uint8_t kVersion = 1;
constexpr size_t kFixedBytes = 4 + 4 + 8 + 8;  // magic, version/dtype/rank/reserved, num_bytes, count

}  // namespace

Result<uint64_t> ShapeElementCount(std::span<const uint64_t> shape) {
  uint64_t count = 1;
  for (uint64_t dim : shape) {
    if (__builtin_mul_overflow(count, dim, &count)) {
      return Status::InvalidArgument("shape element count overflows 64 bits");
    }
  }
  return count;
}

std::string TensorRecord::Serialize() const {
  std::string out;
  out.reserve(kFixedBytes + 8 * shape.size() + ObjectId::kSize * chunk_ids.size());
  PutBytes(&out, kMagic, 4);
  PutFixed8(&out, kVersion);
  PutFixed8(&out, static_cast<uint8_t>(dtype));
  PutFixed8(&out, static_cast<uint8_t>(shape.size()));
  PutFixed8(&out, 0);  // reserved
  for (uint64_t dim : shape) PutFixed64(&out, dim);
  PutFixed64(&out, num_bytes);
  PutFixed64(&out, chunk_ids.size());
  for (const ObjectId& id : chunk_ids) PutBytes(&out, id.data(), ObjectId::kSize);
  return out;
}

ObjectId TensorRecord::Id() const { return Sha256::Digest(Serialize()); }

Result<TensorRecord> TensorRecord::Parse(std::span<const uint8_t> bytes) {
  auto fail = [](const std::string& what) { return Status::Corruption("tensor record: " + what); };
  if (bytes.size() < kFixedBytes) return fail("truncated");
  const uint8_t* p = bytes.data();
  if (std::memcmp(p, kMagic, 4) != 0) return fail("bad magic");
  if (p[4] != kVersion) {
    return Status::UnsupportedVersion("tensor record version " + std::to_string(p[4]));
  }
  TensorRecord r;
  MVC_ASSIGN_OR_RETURN(r.dtype, DtypeFromCode(p[5]));
  size_t rank = p[6];
  if (p[7] != 0) return fail("reserved byte is not zero");
  if (rank > kMaxTensorRank) return fail("rank " + std::to_string(rank) + " over limit");
  size_t pos = 8;
  if (bytes.size() < pos + 8 * rank + 16) return fail("truncated shape");
  for (size_t i = 0; i < rank; ++i, pos += 8) r.shape.push_back(DecodeFixed64(p + pos));
  r.num_bytes = DecodeFixed64(p + pos);
  uint64_t count = DecodeFixed64(p + pos + 8);
  pos += 16;
  Result<uint64_t> elems = ShapeElementCount(r.shape);
  uint64_t expected_bytes = 0;
  if (!elems.ok() || __builtin_mul_overflow(*elems, DtypeWidth(r.dtype), &expected_bytes) ||
      expected_bytes != r.num_bytes) {
    return fail("shape does not match byte count");
  }
  if (count != ChunkLayout::For(r.dtype, r.num_bytes).count()) return fail("wrong chunk count");
  if ((bytes.size() - pos) != count * ObjectId::kSize) return fail("chunk list length mismatch");
  r.chunk_ids.reserve(count);
  for (uint64_t i = 0; i < count; ++i, pos += ObjectId::kSize) {
    r.chunk_ids.push_back(ObjectId::FromBytes(p + pos));
  }
  return r;
}

}  // namespace mvc
