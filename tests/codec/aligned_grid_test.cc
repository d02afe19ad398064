#include "codec/aligned_grid.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <string>

#include "codec/chunk_codec.h"
#include "codec/internal/lossy_float.h"
#include "core/chunking.h"
#include "tests/codec/codec_test_data.h"
#include "tests/testing/test_util.h"

namespace mvc {
namespace {

using codec_internal::LoadFloat;

ObjectId FakeId(uint8_t b) {
  std::array<uint8_t, 32> a;
  a.fill(b);
  return ObjectId(a);
}

double MaxAbs(Dtype d, ByteView raw) {
  double m = 0;
  for (size_t i = 0; i < raw.size(); i += DtypeWidth(d)) m = std::max(m, std::fabs(LoadFloat(d, raw.data() + i)));
  return m;
}

Bytes DecodeOrDie(ByteView frame, ByteView base) {
  Result<Bytes> r = DecodeChunkToBytes(frame, base);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *std::move(r);
}

LossyChunk AnchorOrDie(Dtype d, ByteView raw, const GridSpec& g) {
  Result<LossyChunk> r = EncodeGridAnchorChunk(d, raw, g);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *std::move(r);
}

// Every element within half a step, and the error sums as documented.
void CheckWithinHalfStep(Dtype d, ByteView raw, const GridSpec& g, const LossyChunk& c) {
  const double half = std::ldexp(1.0, g.scale_exponent - 1);
  size_t violations = 0;
  double mx = 0;
  for (size_t i = 0; i < raw.size(); i += DtypeWidth(d)) {
    const double err = std::fabs(LoadFloat(d, raw.data() + i) - LoadFloat(d, c.reconstructed.data() + i));
    violations += !(err <= half);
    mx = std::max(mx, err);
  }
  CHECK(violations == 0);
  CHECK(c.max_abs_error == mx);
}

std::vector<float> AsFloats(const Bytes& b) {
  std::vector<float> v(b.size() / 4);
  std::memcpy(v.data(), b.data(), b.size());
  return v;
}
Bytes FromFloats(const std::vector<float>& v) {
  Bytes b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

TEST_CASE("ChooseGrid picks the finest power-of-two step on which the anchor's codes fit") {
  for (Dtype d : {Dtype::kF32, Dtype::kF64}) {
    for (int bits : {16, 32}) {
      for (double m : {0.0, 1e-30, 0.02, 1.0, 3.0, 1e6, 3e38}) {
        CAPTURE(m);
        GridSpec g = ChooseGrid(d, m, bits);
        CHECK(g.bits == bits);
        const double max_code = static_cast<double>(GridMaxCode(d, bits));
        CHECK(std::nearbyint(std::ldexp(m, -g.scale_exponent)) <= max_code);
        if (m > 0 && m < 1e38) {
          // the next finer step would not hold the anchor's largest value
          CHECK(std::ldexp(m, 1 - g.scale_exponent) >= max_code);
        }
      }
    }
  }
  CHECK(GridMaxCode(Dtype::kF32, 32) == (1 << 24) - 1);
  CHECK(GridMaxCode(Dtype::kF64, 32) == 2147483647);
  CHECK(GridMaxCode(Dtype::kBF16, 16) == 0);
}

TEST_CASE("Aligned anchors decode to exactly the reconstruction within half a step on every real F32 tensor") {
  size_t tensors = 0;
  for (const std::string& path : testing::AllSharedSafetensors()) {
    for (const testing::LocalTensor& t : testing::ReadLocalSafetensors(path)) {
      if ((t.dtype != Dtype::kF32 && t.dtype != Dtype::kF64) || t.bytes.empty()) continue;
      CAPTURE(path);
      CAPTURE(t.name);
      ++tensors;
      const double max_abs = MaxAbs(t.dtype, t.bytes);
      ChunkLayout layout = ChunkLayout::For(t.dtype, t.bytes.size());
      for (int bits : {16, 32}) {
        GridSpec g = ChooseGrid(t.dtype, max_abs, bits);
        for (uint64_t i = 0; i < layout.count(); ++i) {
          ByteView raw = ByteView(t.bytes).subspan(layout.offset(i), layout.size(i));
          LossyChunk c = AnchorOrDie(t.dtype, raw, g);
          CHECK(DecodeOrDie(c.frame, {}) == c.reconstructed);
          CheckWithinHalfStep(t.dtype, raw, g, c);
        }
      }
    }
  }
  CHECK(tensors > 100);
}

TEST_CASE("A 50-version aligned chain decodes every version exactly as its direct anchor encoding") {
  // A real F32 tensor, then 49 versions each adding small noise to the previous one.
  std::vector<testing::LocalTensor> file =
      testing::ReadLocalSafetensors(testing::SharedDataPath("run/step_000180.weights.f32.safetensors"));
  const testing::LocalTensor* src = nullptr;
  for (const auto& t : file) {
    if (t.dtype == Dtype::kF32 && t.bytes.size() >= 4 * 65536) { src = &t; break; }
  }
  REQUIRE(src != nullptr);
  CAPTURE(src->name);
  std::vector<Bytes> versions{src->bytes};
  std::vector<float> x = AsFloats(src->bytes);
  double rms = 0;
  for (float v : x) rms += double(v) * v;
  rms = std::sqrt(rms / x.size());
  std::mt19937_64 rng(7);
  std::normal_distribution<float> noise(0.0f, static_cast<float>(rms * 0.003));
  for (int v = 1; v < 50; ++v) {
    for (float& e : x) e += noise(rng);
    versions.push_back(FromFloats(x));
  }
  for (int bits : {16, 32}) {
    CAPTURE(bits);
    GridSpec g = ChooseGrid(Dtype::kF32, MaxAbs(Dtype::kF32, versions[0]), bits);
    LossyChunk anchor = AnchorOrDie(Dtype::kF32, versions[0], g);
    Bytes chain = DecodeOrDie(anchor.frame, {});
    CHECK(chain == anchor.reconstructed);
    Bytes prev_recon = anchor.reconstructed;
    size_t delta_bytes = 0, anchor_bytes = 0;
    int reanchors = 0;
    for (int v = 1; v < 50; ++v) {
      CAPTURE(v);
      Result<LossyChunk> d = EncodeGridDeltaChunk(Dtype::kF32, versions[v], g,
                                                  FakeId(static_cast<uint8_t>(v - 1)), prev_recon);
      if (!d.ok()) {  // the noise walked a value off the grid: start a new chain
        CHECK(d.status().message().find("codes leave the grid") == 0);
        ++reanchors;
        g = ChooseGrid(Dtype::kF32, MaxAbs(Dtype::kF32, versions[v]), bits);
        anchor = AnchorOrDie(Dtype::kF32, versions[v], g);
        chain = DecodeOrDie(anchor.frame, {});
        prev_recon = anchor.reconstructed;
        continue;
      }
      CHECK(d->frame[3] == kChunkFlagHasBase);
      chain = DecodeOrDie(d->frame, chain);  // through every delta since the anchor
      LossyChunk direct = AnchorOrDie(Dtype::kF32, versions[v], g);
      CHECK(chain == d->reconstructed);
      CHECK(chain == direct.reconstructed);
      CHECK(DecodeOrDie(direct.frame, {}) == chain);
      CheckWithinHalfStep(Dtype::kF32, versions[v], g, *d);
      CHECK(d->max_abs_error == direct.max_abs_error);
      prev_recon = d->reconstructed;
      delta_bytes += d->frame.size();
      anchor_bytes += direct.frame.size();
    }
    CHECK(reanchors <= 2);
    // The chain's grid can be read back from any of its frames.
    Result<ChunkFrameView> view = ParseChunkFrame(anchor.frame);
    REQUIRE(view.ok());
    Result<GridSpec> read = GridSpecOfFrame(view->codec, view->dtype, view->payload);
    REQUIRE(read.ok());
    CHECK(read->bits == g.bits);
    CHECK(read->scale_exponent == g.scale_exponent);
    CHECK(delta_bytes < anchor_bytes);  // small noise: deltas are cheaper than anchors
  }
}

TEST_CASE("An aligned delta refuses codes that leave the grid so that the caller re-anchors") {
  std::vector<float> a(1000), b(1000);
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = std::sin(i * 0.1f);
    b[i] = a[i] * 5;  // 5x growth: beyond the 2x headroom
  }
  GridSpec g = ChooseGrid(Dtype::kF32, 1.0, 16);
  LossyChunk anchor = AnchorOrDie(Dtype::kF32, FromFloats(a), g);
  Result<LossyChunk> d = EncodeGridDeltaChunk(Dtype::kF32, FromFloats(b), g, FakeId(1), anchor.reconstructed);
  REQUIRE(!d.ok());
  CHECK(d.status().code() == StatusCode::kInvalidArgument);
  CHECK(d.status().message().find("codes leave the grid: element ") == 0);
  // A base that is not on the grid is refused too.
  d = EncodeGridDeltaChunk(Dtype::kF32, FromFloats(a), g, FakeId(1), FromFloats(a));
  REQUIRE(!d.ok());
  CHECK(d.status().message().find("is not on the grid") != std::string::npos);
}

TEST_CASE("The aligned grid refuses non-finite values, other dtypes and bad grids by name") {
  std::vector<float> a{1.0f, NAN, 2.0f};
  GridSpec g = ChooseGrid(Dtype::kF32, 2.0, 16);
  Result<LossyChunk> r = EncodeGridAnchorChunk(Dtype::kF32, FromFloats(a), g);
  REQUIRE(!r.ok());
  CHECK(r.status().message() == "aligned grid: element 1 is not finite (store the tensor losslessly)");
  Bytes raw16(8);
  r = EncodeGridAnchorChunk(Dtype::kBF16, raw16, g);
  REQUIRE(!r.ok());
  CHECK(r.status().message() == "aligned grid needs an F32 or F64 tensor, not BF16");
  r = EncodeGridAnchorChunk(Dtype::kF32, raw16, GridSpec{24, 0});
  REQUIRE(!r.ok());
  CHECK(r.status().message() == "aligned grid of 24 bits (expected 16 or 32)");
}

TEST_CASE("Aligned deltas between two real fine-tunes decode as their direct anchors or ask to re-anchor") {
  auto a = testing::ReadLocalSafetensors(testing::SharedDataPath("pairs/bert_tiny_sst2.safetensors"));
  auto b = testing::ReadLocalSafetensors(testing::SharedDataPath("pairs/bert_tiny_emotion.safetensors"));
  std::map<std::string, const testing::LocalTensor*> by_name;
  for (const auto& t : a) by_name[t.name] = &t;
  size_t deltas = 0;
  for (const auto& t : b) {
    auto it = by_name.find(t.name);
    if (it == by_name.end() || it->second->bytes.size() != t.bytes.size() || t.dtype != Dtype::kF32 ||
        t.bytes.empty() || t.bytes.size() > kChunkBytes) {
      continue;
    }
    CAPTURE(t.name);
    for (int bits : {16, 32}) {
      GridSpec g = ChooseGrid(t.dtype, MaxAbs(t.dtype, it->second->bytes), bits);
      LossyChunk base = AnchorOrDie(t.dtype, it->second->bytes, g);
      Result<LossyChunk> d = EncodeGridDeltaChunk(t.dtype, t.bytes, g, FakeId(3), base.reconstructed);
      if (!d.ok()) {
        CHECK(d.status().message().find("codes leave the grid") == 0);
        continue;
      }
      ++deltas;
      Bytes out = DecodeOrDie(d->frame, base.reconstructed);
      CHECK(out == d->reconstructed);
      CHECK(out == AnchorOrDie(t.dtype, t.bytes, g).reconstructed);
    }
  }
  CHECK(deltas > 10);
}

TEST_CASE("Hostile aligned-grid frames are rejected or decode without touching memory out of bounds") {
  Bytes raw = testing::GenerateTensorBytes(Dtype::kF32, 2000, 3);
  std::vector<float> v = AsFloats(raw);
  for (float& e : v) if (!(std::fabs(e) < 1e30f)) e = 0;  // no NaN, Inf or extremes
  raw = FromFloats(v);
  GridSpec g = ChooseGrid(Dtype::kF32, MaxAbs(Dtype::kF32, raw), 16);
  LossyChunk anchor = AnchorOrDie(Dtype::kF32, raw, g);
  for (float& e : v) e *= 1.01f;
  Result<LossyChunk> delta = EncodeGridDeltaChunk(Dtype::kF32, FromFloats(v), g, FakeId(9), anchor.reconstructed);
  REQUIRE(delta.ok());
  std::mt19937_64 rng(11);
  for (const Bytes* frame : {&anchor.frame, &delta->frame}) {
    const bool is_delta = frame == &delta->frame;
    ByteView base = is_delta ? ByteView(anchor.reconstructed) : ByteView();
    const size_t header = kChunkFrameHeaderBytes + (is_delta ? kChunkFrameBaseIdBytes : 0);
    for (size_t len = 0; len < frame->size(); ++len) {
      CHECK(!DecodeChunkToBytes(ByteView(*frame).subspan(0, len), base).ok());
    }
    for (int trial = 0; trial < 2000; ++trial) {
      Bytes bad = *frame;
      for (int f = 0; f <= trial % 3; ++f) bad[header + rng() % (bad.size() - header)] ^= static_cast<uint8_t>(1 + rng() % 255);
      Result<Bytes> r = DecodeChunkToBytes(bad, base);
      if (r.ok()) CHECK(r->size() == raw.size());
    }
    Bytes bad = *frame;
    bad[header] = 8;
    Result<Bytes> r = DecodeChunkToBytes(bad, base);
    REQUIRE(!r.ok());
    CHECK(r.status().message().find("aligned grid of 8 bits (expected 16 or 32)") != std::string::npos);
  }
  // A delta against a base that is not on the grid.
  Bytes off = anchor.reconstructed;
  off[1] ^= 1;
  Result<Bytes> r = DecodeChunkToBytes(delta->frame, off);
  REQUIRE(!r.ok());
  CHECK(r.status().message() == "aligned-grid delta: base element 0 is not on the grid 2^" +
                                    std::to_string(g.scale_exponent));
}

}  // namespace
}  // namespace mvc
