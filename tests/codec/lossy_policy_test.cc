#include "codec/lossy_policy.h"

#include <doctest/doctest.h>

#include <string>

#include "codec/bfp_encoding.h"
#include "codec/chunk_codec.h"
#include "codec/lossy_choice.h"
#include "core/chunking.h"
#include "tests/codec/codec_test_data.h"
#include "tests/testing/test_util.h"

namespace mvc {
namespace {

TEST_CASE("Every policy spelling parses and prints back canonically") {
  struct Case {
    const char* text;
    LossyPolicy::Kind kind;
    const char* name;
  } cases[] = {
      {"lossless", LossyPolicy::Kind::kLossless, "lossless"},
      {"bfp", LossyPolicy::Kind::kBfp, "bfp:7"},
      {"bfp:2", LossyPolicy::Kind::kBfp, "bfp:2"},
      {"bfp:8", LossyPolicy::Kind::kBfp, "bfp:8"},
      {"bfp:23", LossyPolicy::Kind::kBfp, "bfp:23"},
      {"aligned:int16", LossyPolicy::Kind::kAlignedGrid, "aligned:int16"},
      {"aligned:int32", LossyPolicy::Kind::kAlignedGrid, "aligned:int32"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    Result<LossyPolicy> p = ParseLossyPolicy(c.text);
    REQUIRE(p.ok());
    CHECK(p->kind == c.kind);
    CHECK(PolicyName(*p) == c.name);
    Result<LossyPolicy> again = ParseLossyPolicy(PolicyName(*p));
    REQUIRE(again.ok());
    CHECK(PolicyName(*again) == c.name);
  }
  CHECK(ParseLossyPolicy("bfp:6")->mantissa_bits == 6);
  CHECK(ParseLossyPolicy("aligned:int32")->grid_bits == 32);
}

TEST_CASE("Malformed policies are refused with a message naming the problem") {
  for (const char* bad : {"", "bfp:", "bfp:1", "bfp:24", "bfp:7x", "bfp:-3", "bfp: 7"}) {
    CAPTURE(bad);
    Result<LossyPolicy> p = ParseLossyPolicy(bad);
    REQUIRE(!p.ok());
    CHECK(p.status().code() == StatusCode::kInvalidArgument);
  }
  CHECK(ParseLossyPolicy("bfp:24").status().message() == "bfp mantissa bits '24' out of range 2..23");
  CHECK(ParseLossyPolicy("aligned:int8").status().message() ==
        "unknown policy 'aligned:int8' (expected lossless, bfp[:M], aligned:int16 or aligned:int32)");
}

TEST_CASE("Near-lossless policies apply to float dtypes only, the grid to F32 and F64") {
  LossyPolicy lossless, bfp, grid;
  bfp.kind = LossyPolicy::Kind::kBfp;
  grid.kind = LossyPolicy::Kind::kAlignedGrid;
  for (Dtype d : kAllDtypes) {
    CAPTURE(DtypeName(d));
    const bool wide_float = d == Dtype::kF32 || d == Dtype::kF64;
    const bool half = d == Dtype::kF16 || d == Dtype::kBF16;
    CHECK(PolicyApplies(lossless, d));
    CHECK(PolicyApplies(bfp, d) == (wide_float || half));
    CHECK(PolicyApplies(grid, d) == wide_float);
  }
}

TEST_CASE("The automatic choice stays within the bound and is never larger than BFP alone or lossless") {
  size_t checked = 0;
  for (const testing::LocalTensor& t :
       testing::ReadLocalSafetensors(testing::SharedDataPath("models/llama2c_stories260K.safetensors"))) {
    if (t.bytes.size() < 4096) continue;
    CAPTURE(t.name);
    Result<LossyTensorChoice> lossless = ChooseLossyEncoding(t.dtype, t.bytes, 0);
    REQUIRE(lossless.ok());
    CHECK(lossless->policy.kind == LossyPolicy::Kind::kLossless);
    for (double e : {1e-2, 1e-4, 1e-6}) {
      CAPTURE(e);
      Result<LossyTensorChoice> c = ChooseLossyEncoding(t.dtype, t.bytes, e);
      REQUIRE(c.ok());
      CHECK(c->rel_l2 <= e);
      CHECK(c->stored_bytes <= lossless->stored_bytes);
      // BFP alone: the smallest M within the bound.
      for (int m = 2; m <= 23; ++m) {
        double sse = 0, ssr = 0;
        size_t size = 0;
        ChunkLayout layout = ChunkLayout::For(t.dtype, t.bytes.size());
        for (uint64_t i = 0; i < layout.count(); ++i) {
          Result<LossyChunk> bc = EncodeBfpChunk(t.dtype, ByteView(t.bytes).subspan(layout.offset(i), layout.size(i)), m);
          REQUIRE(bc.ok());
          sse += bc->sum_sq_error;
          ssr += bc->sum_sq_reference;
          size += bc->frame.size();
        }
        if (RelativeL2(sse, ssr) <= e) {
          CHECK(c->stored_bytes <= size);
          break;
        }
      }
      // Every chunk decodes to its reconstruction.
      ChunkLayout layout = ChunkLayout::For(t.dtype, t.bytes.size());
      REQUIRE(c->chunks.size() == layout.count());
      for (const LossyChunk& chunk : c->chunks) {
        Result<Bytes> out = DecodeChunkToBytes(chunk.frame, {});
        REQUIRE(out.ok());
        CHECK(*out == chunk.reconstructed);
      }
      ++checked;
    }
  }
  CHECK(checked > 20);
  Result<LossyTensorChoice> bad = ChooseLossyEncoding(Dtype::kF32, Bytes(8), -1);
  REQUIRE(!bad.ok());
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mvc
