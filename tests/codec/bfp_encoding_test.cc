#include "codec/bfp_encoding.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "codec/chunk_codec.h"
#include "codec/internal/lossy_float.h"
#include "core/chunking.h"
#include "tests/codec/codec_test_data.h"
#include "tests/testing/test_util.h"

namespace mvc {
namespace {

using codec_internal::FloatMinSubnormalExponent;
using codec_internal::LoadFloat;

LossyChunk EncodeOrDie(Dtype d, ByteView raw, int m) {
  Result<LossyChunk> r = EncodeBfpChunk(d, raw, m);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *std::move(r);
}

Bytes DecodeOrDie(ByteView frame) {
  Result<Bytes> r = DecodeChunkToBytes(frame, {});
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *std::move(r);
}

// Checks the documented bound element by element, group by group; returns the number
// of violations (0) after checking the error sums.
void CheckBfpChunk(Dtype d, ByteView raw, int m, const LossyChunk& c) {
  const size_t w = DtypeWidth(d), n = raw.size() / w;
  const int me = BfpEffectiveMantissaBits(d, m);
  const double subnormal_half = std::ldexp(1.0, FloatMinSubnormalExponent(d) - 1);
  REQUIRE(c.reconstructed.size() == raw.size());
  double sse = 0, ssr = 0, mx = 0;
  size_t violations = 0;
  for (size_t g = 0; g * kBfpGroupElems < n; ++g) {
    const size_t b = g * kBfpGroupElems, e = std::min(n, b + kBfpGroupElems);
    double gmax = 0;
    bool finite = true;
    for (size_t i = b; i < e; ++i) {
      double x = LoadFloat(d, raw.data() + i * w);
      finite &= std::isfinite(x);
      gmax = std::max(gmax, std::fabs(x));
    }
    for (size_t i = b; i < e; ++i) {
      const double x = LoadFloat(d, raw.data() + i * w);
      const double xh = LoadFloat(d, c.reconstructed.data() + i * w);
      if (!finite) {  // escaped: bytes kept exactly
        violations += std::memcmp(raw.data() + i * w, c.reconstructed.data() + i * w, w) != 0;
        if (std::isfinite(x)) ssr += x * x;
        continue;
      }
      const double bound = gmax == 0 ? 0 : std::ldexp(1.0, std::ilogb(gmax) + 1 - me) + subnormal_half;
      const double err = std::fabs(x - xh);
      violations += !(err <= bound) || !(err <= std::ldexp(gmax, 1 - me) + subnormal_half);
      sse += err * err;
      ssr += x * x;
      mx = std::max(mx, err);
    }
  }
  CHECK(violations == 0);
  CHECK(c.max_abs_error == mx);
  CHECK(c.sum_sq_error == doctest::Approx(sse).epsilon(1e-9));
  CHECK(c.sum_sq_reference == doctest::Approx(ssr).epsilon(1e-9));
}

bool IsBfpDtype(Dtype d) {
  return d == Dtype::kF32 || d == Dtype::kF64 || d == Dtype::kF16 || d == Dtype::kBF16;
}

TEST_CASE("BFP frames decode to exactly the reconstruction and stay within the bound on every real tensor") {
  size_t tensors = 0;
  for (const std::string& path : testing::AllSharedSafetensors()) {
    for (const testing::LocalTensor& t : testing::ReadLocalSafetensors(path)) {
      if (!IsBfpDtype(t.dtype) || t.bytes.empty()) continue;
      CAPTURE(path);
      CAPTURE(t.name);
      ++tensors;
      ChunkLayout layout = ChunkLayout::For(t.dtype, t.bytes.size());
      for (uint64_t i = 0; i < layout.count(); ++i) {
        ByteView raw = ByteView(t.bytes).subspan(layout.offset(i), layout.size(i));
        // Every tensor at the default M; a rotating second M keeps the suite fast.
        for (int m : {7, 2 + static_cast<int>(tensors % 22)}) {
          CAPTURE(m);
          LossyChunk c = EncodeOrDie(t.dtype, raw, m);
          CHECK(DecodeOrDie(c.frame) == c.reconstructed);
          CheckBfpChunk(t.dtype, raw, m, c);
        }
      }
    }
  }
  CHECK(tensors > 100);
}

TEST_CASE("BFP keeps groups with NaN or Inf exactly and bounds the rest, for every float dtype") {
  for (Dtype d : {Dtype::kF64, Dtype::kF32, Dtype::kF16, Dtype::kBF16}) {
    for (size_t n : {0, 1, 31, 33, 1000, 65537}) {
      for (int m : {2, 7, 8, 11, 23}) {
        CAPTURE(DtypeName(d));
        CAPTURE(n);
        CAPTURE(m);
        Bytes raw = testing::GenerateTensorBytes(d, n, n * 31 + m);
        LossyChunk c = EncodeOrDie(d, raw, m);
        CHECK(DecodeOrDie(c.frame) == c.reconstructed);
        CheckBfpChunk(d, raw, m, c);
      }
    }
  }
}

TEST_CASE("BFP handles F64 exponents spread wider than its alphabet by escaping the far groups") {
  std::vector<double> v(32 * 300);
  for (size_t i = 0; i < v.size(); ++i) {
    v[i] = std::ldexp(1.0 + (i % 7) / 8.0, static_cast<int>(i / 32) * 3 - 450);  // span 897
    if (i % 3 == 0) v[i] = -v[i];
  }
  Bytes raw(v.size() * 8);
  std::memcpy(raw.data(), v.data(), raw.size());
  LossyChunk c = EncodeOrDie(Dtype::kF64, raw, 5);
  CHECK(DecodeOrDie(c.frame) == c.reconstructed);
  CheckBfpChunk(Dtype::kF64, raw, 5, c);
}

TEST_CASE("BFP of the default 7 bits stores a real F32 checkpoint in under a third of its size") {
  size_t raw_bytes = 0, stored = 0;
  for (const testing::LocalTensor& t :
       testing::ReadLocalSafetensors(testing::SharedDataPath("run/step_000180.weights.f32.safetensors"))) {
    ChunkLayout layout = ChunkLayout::For(t.dtype, t.bytes.size());
    for (uint64_t i = 0; i < layout.count(); ++i) {
      LossyChunk c = EncodeOrDie(t.dtype, ByteView(t.bytes).subspan(layout.offset(i), layout.size(i)), 7);
      raw_bytes += layout.size(i);
      stored += c.frame.size();
    }
  }
  CHECK(stored * 3 < raw_bytes);
}

TEST_CASE("BFP refuses other dtypes and mantissa widths by name") {
  Bytes raw(16);
  Result<LossyChunk> r = EncodeBfpChunk(Dtype::kI32, raw, 7);
  REQUIRE(!r.ok());
  CHECK(r.status().message() == "bfp needs an F64, F32, F16 or BF16 tensor, not I32");
  r = EncodeBfpChunk(Dtype::kF32, raw, 24);
  REQUIRE(!r.ok());
  CHECK(r.status().message() == "bfp mantissa bits 24 out of range 2..23");
  r = EncodeBfpChunk(Dtype::kF32, ByteView(raw).subspan(0, 6), 7);
  REQUIRE(!r.ok());
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("BFP caps the mantissa bits at the significand of BF16 and F16") {
  CHECK(BfpEffectiveMantissaBits(Dtype::kBF16, 12) == 8);
  CHECK(BfpEffectiveMantissaBits(Dtype::kF16, 12) == 11);
  CHECK(BfpEffectiveMantissaBits(Dtype::kF32, 12) == 12);
  Bytes raw = testing::GenerateTensorBytes(Dtype::kBF16, 100, 5);
  LossyChunk c = EncodeOrDie(Dtype::kBF16, raw, 12);
  CHECK(c.frame[kChunkFrameHeaderBytes] == 8);
}

TEST_CASE("Hostile BFP frames are rejected or decode without touching memory out of bounds") {
  Bytes raw = testing::GenerateTensorBytes(Dtype::kF32, 3000, 9);
  LossyChunk c = EncodeOrDie(Dtype::kF32, raw, 7);
  const ByteView frame = c.frame;
  // Every truncation fails cleanly.
  for (size_t len = 0; len < frame.size(); ++len) {
    CHECK(!DecodeChunkToBytes(frame.subspan(0, len), {}).ok());
  }
  // Random byte flips either fail or decode to some bytes of the right size.
  std::mt19937_64 rng(42);
  for (int trial = 0; trial < 3000; ++trial) {
    Bytes bad(frame.begin(), frame.end());
    const int flips = 1 + trial % 4;
    for (int f = 0; f < flips; ++f) {
      size_t at = kChunkFrameHeaderBytes + rng() % (bad.size() - kChunkFrameHeaderBytes);
      bad[at] ^= static_cast<uint8_t>(1 + rng() % 255);
    }
    Result<Bytes> r = DecodeChunkToBytes(bad, {});
    if (r.ok()) CHECK(r->size() == raw.size());
  }
  // Specific fields.
  Bytes bad(frame.begin(), frame.end());
  bad[kChunkFrameHeaderBytes] = 24;
  Result<Bytes> r = DecodeChunkToBytes(bad, {});
  REQUIRE(!r.ok());
  CHECK(r.status().message() == "bfp: mantissa bits 24 out of range for F32");
  bad = Bytes(frame.begin(), frame.end());
  bad[kChunkFrameHeaderBytes + 1] = 1;
  r = DecodeChunkToBytes(bad, {});
  REQUIRE(!r.ok());
  CHECK(r.status().message() == "bfp: reserved byte is not zero");
  bad = Bytes(frame.begin(), frame.end());
  bad.push_back(0);
  r = DecodeChunkToBytes(bad, {});
  REQUIRE(!r.ok());
  CHECK(r.status().code() == StatusCode::kCorruption);
}

}  // namespace
}  // namespace mvc
