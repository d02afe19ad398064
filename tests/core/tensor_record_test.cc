#include "core/tensor_record.h"

#include <doctest/doctest.h>

#include "core/chunking.h"
#include "core/bytes.h"
#include "core/sha256.h"

namespace mvc {
namespace {

TensorRecord SampleRecord() {
  TensorRecord r;
  r.dtype = Dtype::kBF16;
  r.shape = {3, 5};
  r.num_bytes = 30;
  r.chunk_ids = {Sha256::Digest(std::string_view("chunk"))};
  return r;
}

TEST_CASE("A tensor record parses back to the same fields and id") {
  TensorRecord r = SampleRecord();
  std::string bytes = r.Serialize();
  Result<TensorRecord> back = TensorRecord::Parse(AsBytes(bytes));
  REQUIRE(back.ok());
  CHECK(back->dtype == r.dtype);
  CHECK(back->shape == r.shape);
  CHECK(back->num_bytes == r.num_bytes);
  CHECK(back->chunk_ids == r.chunk_ids);
  CHECK(back->Id() == Sha256::Digest(bytes));
}

TEST_CASE("A tensor record with a shape that does not match its bytes is corruption") {
  TensorRecord r = SampleRecord();
  r.num_bytes = 32;
  Result<TensorRecord> back = TensorRecord::Parse(AsBytes(r.Serialize()));
  REQUIRE_FALSE(back.ok());
  CHECK(back.status().code() == StatusCode::kCorruption);
  CHECK(back.status().message() == "tensor record: shape does not match byte count");
}

TEST_CASE("A truncated tensor record is corruption") {
  std::string bytes = SampleRecord().Serialize();
  bytes.pop_back();
  Result<TensorRecord> back = TensorRecord::Parse(AsBytes(bytes));
  REQUIRE_FALSE(back.ok());
  CHECK(back.status().message() == "tensor record: chunk list length mismatch");
}

TEST_CASE("Chunk layouts are element-aligned and cover every byte") {
  ChunkLayout layout = ChunkLayout::For(Dtype::kF32, kChunkBytes * 2 + 12);
  CHECK(layout.count() == 3);
  CHECK(layout.size(2) == 12);
  CHECK(layout.chunk_bytes() % 4 == 0);
  CHECK(ChunkLayout::For(Dtype::kF32, 0).count() == 0);
}

TEST_CASE("Shape element counts that overflow are rejected") {
  std::vector<uint64_t> shape = {uint64_t{1} << 40, uint64_t{1} << 40};
  CHECK_FALSE(ShapeElementCount(shape).ok());
  std::vector<uint64_t> scalar = {};
  CHECK(*ShapeElementCount(scalar) == 1);
}

}  // namespace
}  // namespace mvc
