// Hostile input: resource limits on untrusted bytes (declared sizes, counts, shapes
// that would drive an allocation or a loop) and regression inputs found by the
// fuzzers in tests/fuzz/. Each must be refused with an error, quickly.
#include <doctest/doctest.h>

#include <string>

#include "codec/chunk_codec.h"
#include "core/chunking.h"
#include "core/endian_coding.h"
#include "core/safetensors.h"
#include "core/tensor_record.h"
#include "refs/manifest.h"

namespace mvc::testing {
namespace {

Bytes WithHeader(const std::string& json, size_t data_bytes = 0) {
  Bytes b(8);
  EncodeFixed64(b.data(), json.size());
  b.insert(b.end(), json.begin(), json.end());
  b.resize(b.size() + data_bytes);
  return b;
}

TEST_CASE("a safetensors header length beyond the file or the limit is refused before any allocation") {
  Bytes b(8);
  EncodeFixed64(b.data(), ~uint64_t{0});
  CHECK(!ParseSafetensors(b).ok());
  EncodeFixed64(b.data(), kMaxSafetensorsHeaderBytes + 1);
  CHECK(!ParseSafetensors(b).ok());
}

TEST_CASE("a safetensors shape whose element count overflows is refused") {
  Bytes b = WithHeader(R"({"t":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,0]}})");
  Result<SafetensorsLayout> r = ParseSafetensors(b);
  CHECK(!r.ok());
  Bytes huge = WithHeader(R"({"t":{"dtype":"F32","shape":[1000000000000],"data_offsets":[0,4000000000000]}})");
  CHECK(!ParseSafetensors(huge).ok());
}

TEST_CASE("a chunk frame declaring more raw bytes than a chunk holds is refused") {
  Bytes raw(4096);
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<uint8_t>(i * 7);
  Result<Bytes> frame = EncodeChunk(Dtype::kF32, raw, nullptr, {});
  REQUIRE(frame.ok());
  REQUIRE(ParseChunkFrame(*frame).ok());
  // Every single-byte change of the header either is refused or declares a size
  // within kChunkBytes.
  for (size_t i = 0; i < std::min<size_t>(frame->size(), 64); ++i) {
    for (uint8_t x : {0x01, 0x80, 0xFF}) {
      Bytes bad = *frame;
      bad[i] ^= x;
      Result<ChunkFrameView> v = ParseChunkFrame(bad);
      if (!v.ok()) continue;
      CHECK(v->raw_size <= kChunkBytes);
      Bytes out(v->raw_size);
      Bytes base(v->base_id ? v->raw_size : 0);
      (void)DecodeChunk(*v, base, out);  // may fail; must not crash (ASan build)
    }
  }
}

TEST_CASE("a tensor record whose chunk count does not follow from its size is refused") {
  TensorRecord r{Dtype::kF32, {2, 3}, 24, {ObjectId{}}};
  std::string bytes = r.Serialize();
  REQUIRE(TensorRecord::Parse(AsBytes(bytes)).ok());
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0xFF);
    Result<TensorRecord> back = TensorRecord::Parse(AsBytes(bad));
    if (back.ok()) CHECK(back->chunk_ids.size() <= 1 + back->num_bytes / kChunkBytes);
  }
}

TEST_CASE("a manifest with absurd sizes or counts is refused") {
  CHECK(!FileManifest::Parse("mvc-manifest\0v1\n{}").ok());
  std::string m = std::string("mvc-manifest\0", 13) + "v1\n" +
                  R"({"file_size":18446744073709551615,"tensors":[{"name":"a","dtype":"F32","shape":[4294967296,4294967296],"offset":0,"bytes":0}]})";
  CHECK(!FileManifest::Parse(m).ok());
}

}  // namespace
}  // namespace mvc::testing
