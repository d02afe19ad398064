// Codec 9 (float-scaled) and its exponent offsets: the shift is a bijection on every
// bit pattern, channel-scaled weights come out smaller than codec 8 makes them, chunks
// of a tensor see their own rows and columns, and malformed frames are rejected with
// messages.
#include "codec/float_scaled.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "codec/chunk_codec.h"
#include "codec/exponent_scales.h"
#include "codec/float_joint.h"
#include "codec/lossy_choice.h"
#include "core/chunking.h"
#include "core/endian_coding.h"
#include "tests/codec/codec_test_data.h"
#include "tests/testing/tensor_factory.h"
#include "tests/testing/test_util.h"

namespace mvc {
namespace {

constexpr Dtype kScaledDtypes[] = {Dtype::kF32, Dtype::kBF16, Dtype::kF16, Dtype::kF8_E4M3, Dtype::kF8_E5M2};

// Random offsets below the ring of offsets in 2^-unit_bits binades for the rows and
// columns a chunk touches.
ExponentScales RandomScales(Dtype dtype, const MatrixView& view, size_t n, ScaleAxes axes, int unit_bits,
                            uint64_t seed) {
  std::mt19937_64 rng(seed);
  const int ring = OffsetRing(dtype, unit_bits);
  ExponentScales s{view, {}, {}, unit_bits};
  if (axes != ScaleAxes::kColumns) {
    s.rows.resize(RowsTouched(view, n));
    for (uint8_t& r : s.rows) r = static_cast<uint8_t>(rng() % ring);
  }
  if (axes != ScaleAxes::kRows) {
    s.columns.resize(view.row_length);
    for (uint8_t& c : s.columns) c = static_cast<uint8_t>(rng() % ring);
  }
  return s;
}

// Every bit pattern the dtype has, repeated in a pseudo-random order, for n elements.
Bytes AllPatterns(Dtype dtype, size_t n, uint64_t seed) {
  const size_t w = DtypeWidth(dtype);
  std::mt19937_64 rng(seed);
  Bytes out(n * w);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t v = w == 4 ? rng() : i * 40503u + (rng() & 1);
    std::memcpy(out.data() + i * w, &v, w);
  }
  return out;
}

// Uniform in [0, 1) and standard normal (Box-Muller) from the engine's bits: the
// same values on every platform, unlike std:: distributions.
double Uniform(std::mt19937_64& rng) { return double(rng() >> 11) * 0x1p-53; }
double Normal(std::mt19937_64& rng) {
  const double u = 1 - Uniform(rng), v = Uniform(rng);
  return std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v);
}

// An [R, C] tensor of weights whose rows and columns have their own scale (2^-3..2^3
// each), as in a convolution with batch norm folded in.
Bytes ChannelScaled(Dtype dtype, size_t rows, size_t columns, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> row_scale(rows), column_scale(columns);
  for (double& r : row_scale) r = std::exp2(6 * Uniform(rng) - 3);
  for (double& c : column_scale) c = std::exp2(6 * Uniform(rng) - 3);
  const size_t w = DtypeWidth(dtype);
  Bytes out(rows * columns * w);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < columns; ++c) {
      const uint64_t bits = testing::EncodeFloatBits(dtype, 0.05 * Normal(rng) * row_scale[r] * column_scale[c]);
      std::memcpy(out.data() + (r * columns + c) * w, &bits, w);
    }
  }
  return out;
}

Bytes Encode(Dtype dtype, ByteView raw, std::optional<CodecId> codec, const ChunkPlace& place) {
  EncodeOptions o;
  o.force_codec = codec;
  Result<Bytes> frame = EncodeChunk(dtype, raw, nullptr, o, place);
  REQUIRE_MESSAGE(frame.ok(), frame.status().ToString());
  return *std::move(frame);
}

void CheckRoundTrip(ByteView frame, ByteView raw) {
  Result<Bytes> back = DecodeChunkToBytes(frame, {});
  REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  CHECK(std::equal(back->begin(), back->end(), raw.begin(), raw.end()));
}

TEST_CASE("Shifting elements by any offsets in any unit and back gives every bit pattern back") {
  const ScaleAxes all_axes[] = {ScaleAxes::kRows, ScaleAxes::kColumns, ScaleAxes::kBoth};
  for (Dtype dtype : kScaledDtypes) {
    for (int unit_bits = 0; unit_bits <= MaxOffsetUnitBits(dtype); ++unit_bits) {
    for (ScaleAxes axes : all_axes) {
      for (uint64_t row_length : {1u, 7u, 64u}) {
        CAPTURE(DtypeName(dtype));
        CAPTURE(unit_bits);
        CAPTURE(row_length);
        const size_t n = 70000 + row_length;
        const MatrixView view{row_length, row_length / 2};
        const Bytes raw = AllPatterns(dtype, n, row_length);
        const ExponentScales s = RandomScales(dtype, view, n, axes, unit_bits, n);
        Bytes shifted = raw;
        ApplyExponentScales(dtype, s, 0, n, /*forward=*/true, shifted.data());
        CHECK(shifted != raw);
        // Backward in two pieces: a sub-range sees the same rows and columns.
        const size_t w = DtypeWidth(dtype), half = n / 3;
        ApplyExponentScales(dtype, s, 0, half, /*forward=*/false, shifted.data());
        ApplyExponentScales(dtype, s, half, n - half, /*forward=*/false, shifted.data() + half * w);
        CHECK(shifted == raw);
      }
    }
    }
  }
}

TEST_CASE("Offset units: F16 and F8 take fractions of a binade, F32 and BF16 whole binades") {
  CHECK(MaxOffsetUnitBits(Dtype::kF16) == 3);
  CHECK(MaxOffsetUnitBits(Dtype::kF8_E5M2) == 2);
  CHECK(MaxOffsetUnitBits(Dtype::kF8_E4M3) == 3);
  CHECK(MaxOffsetUnitBits(Dtype::kBF16) == 0);
  CHECK(MaxOffsetUnitBits(Dtype::kF32) == 0);
  CHECK(OffsetRing(Dtype::kF16, 3) == 248);
  CHECK(FitUnitBits(Dtype::kF16) == 1);
  CHECK(FitUnitBits(Dtype::kF32) == 0);
}

TEST_CASE("A half-binade offset moves an F16 magnitude by half a binade of mantissa, in the ring") {
  // 1.0 (0x3C00), 1.5 (0x3E00), the largest finite (0x7BFF), -Inf (0xFC00), a NaN
  // (0x7E01), a subnormal (0x0201), -0.
  const uint16_t values[] = {0x3C00, 0x3E00, 0x7BFF, 0xFC00, 0x7E01, 0x0201, 0x8000};
  Bytes raw(sizeof(values));
  std::memcpy(raw.data(), values, sizeof(values));
  ExponentScales s{{7, 0}, {1}, {}, 1};  // one row, +half a binade
  Bytes shifted = raw;
  ApplyExponentScales(Dtype::kF16, s, 0, 7, /*forward=*/false, shifted.data());
  uint16_t out[7];
  std::memcpy(out, shifted.data(), sizeof(out));
  CHECK(out[0] == 0x3E00);  // 1.0 -> 1.5: mantissa + 512
  CHECK(out[1] == 0x4000);  // 1.5 -> 2.0: carries into the exponent
  CHECK(out[2] == 0x7DFF);  // into exponent 31's magnitudes (the ring holds 1..31)
  CHECK(out[3] == 0xFE00);  // -Inf's magnitude + 512, sign kept
  CHECK(out[4] == 0x0401);  // past the ring's end: back to exponent 1
  CHECK(out[5] == 0x0201);  // subnormals and zeros stay
  CHECK(out[6] == 0x8000);
  ApplyExponentScales(Dtype::kF16, s, 0, 7, /*forward=*/true, shifted.data());
  CHECK(shifted == raw);
}

TEST_CASE("F16 channels of any scale, not only powers of two, shrink with half-binade offsets") {
  const Bytes raw = ChannelScaled(Dtype::kF16, 96, 128, 41);
  const std::vector<uint64_t> shape{96, 128};
  const Bytes chosen = Encode(Dtype::kF16, raw, CodecId::kFloatScaled, {shape, 0});
  Result<ChunkFrameView> view = ParseChunkFrame(chosen);
  REQUIRE(view.ok());
  CHECK(((view->payload[0] >> 2) & 3) == 1);  // Offset_Unit_Bits
  CheckRoundTrip(chosen, raw);
  // The same view and axes in whole binades, encoded the same way, is larger.
  const ExponentScales half = FitExponentScales(Dtype::kF16, raw, {128, 0}, ScaleAxes::kBoth);
  ExponentScales whole{half.view, {}, {}, 0};
  for (uint8_t r : half.rows) whole.rows.push_back(static_cast<uint8_t>(((r + 1) / 2) % 31));
  for (uint8_t c : half.columns) whole.columns.push_back(static_cast<uint8_t>(((c + 1) / 2) % 31));
  Bytes with_half, with_whole;
  REQUIRE(EncodeFloatScaledPayload(Dtype::kF16, raw, half, &with_half).ok());
  REQUIRE(EncodeFloatScaledPayload(Dtype::kF16, raw, whole, &with_whole).ok());
  CHECK(double(with_half.size()) < 0.998 * double(with_whole.size()));  // 0.3% on these Gaussian weights
}

TEST_CASE("Whole-binade offsets keep zero and subnormal exponents, sign and mantissa in place") {
  const Dtype dtype = Dtype::kBF16;
  // -0, +0, a subnormal, 1.0, -Inf, a NaN with payload.
  const uint16_t values[] = {0x8000, 0x0000, 0x0003, 0x3F80, 0xFF80, 0x7FC1};
  Bytes raw(sizeof(values));
  std::memcpy(raw.data(), values, sizeof(values));
  ExponentScales s{{6, 0}, {}, {1, 2, 3, 4, 5, 6}};
  Bytes shifted = raw;
  ApplyExponentScales(dtype, s, 0, 6, /*forward=*/true, shifted.data());
  uint16_t out[6];
  std::memcpy(out, shifted.data(), sizeof(out));
  CHECK(out[0] == 0x8000);
  CHECK(out[1] == 0x0000);
  CHECK(out[2] == 0x0003);
  CHECK(out[3] == ((0x3F80 & ~0x7F80) | ((127 - 4) << 7)));  // exponent 127 - 4
  for (int i = 0; i < 6; ++i) CHECK((out[i] & 0x807F) == (values[i] & 0x807F));
}

TEST_CASE("Fitted offsets take the channels' scales out of the exponents") {
  const Bytes raw = ChannelScaled(Dtype::kF32, 64, 48, 3);
  const MatrixView view{48, 0};
  const ExponentScales s = FitExponentScales(Dtype::kF32, raw, view, ScaleAxes::kBoth);
  REQUIRE(s.rows.size() == 64);
  REQUIRE(s.columns.size() == 48);
  Bytes shifted = raw;
  ApplyExponentScales(Dtype::kF32, s, 0, 64 * 48, /*forward=*/true, shifted.data());
  // The spread of the exponents (their variance) shrinks to about a single channel's.
  auto exponent_variance = [](const Bytes& b) {
    double sum = 0, squares = 0;
    const size_t n = b.size() / 4;
    for (size_t i = 0; i < n; ++i) {
      const double e = double((DecodeFixed32(b.data() + 4 * i) >> 23) & 0xFF);
      sum += e;
      squares += e * e;
    }
    return squares / n - (sum / n) * (sum / n);
  };
  CHECK(exponent_variance(shifted) < 0.5 * exponent_variance(raw));
  const ScaleGains g = PredictScaleGains(Dtype::kF32, raw, view);
  CHECK(g.both > g.rows);
  CHECK(g.both > g.columns);
  CHECK(g.rows > 0);
  CHECK(g.columns > 0);
}

TEST_CASE("Channel-scaled weights choose codec 9 and cost less than codec 8 makes them") {
  for (Dtype dtype : {Dtype::kF32, Dtype::kBF16, Dtype::kF16}) {
    CAPTURE(DtypeName(dtype));
    const Bytes raw = ChannelScaled(dtype, 96, 128, 11);
    const std::vector<uint64_t> shape{96, 128};
    const ChunkPlace place{shape, 0};
    const Bytes joint = Encode(dtype, raw, CodecId::kFloatJoint, place);
    const Bytes chosen = Encode(dtype, raw, std::nullopt, place);
    CHECK(chosen[1] == static_cast<uint8_t>(CodecId::kFloatScaled));
    CHECK(double(chosen.size()) < 0.97 * double(joint.size()));
    CheckRoundTrip(chosen, raw);
    // Without a shape there are no rows or columns to see: codec 9 is not a candidate.
    const Bytes no_place = Encode(dtype, raw, std::nullopt, {});
    CHECK(no_place[1] != static_cast<uint8_t>(CodecId::kFloatScaled));
  }
}

TEST_CASE("Weights of one scale keep codec 8: no offsets are predicted to pay") {
  const Bytes raw = testing::GenerateTensorBytes(Dtype::kBF16, 256 * 512, 5);
  const std::vector<uint64_t> shape{256, 512};
  CHECK_FALSE(PlanFloatScaled(Dtype::kBF16, raw, shape, 0, /*forced=*/false).has_value());
  const Bytes chosen = Encode(Dtype::kBF16, raw, std::nullopt, {shape, 0});
  CHECK(chosen[1] != static_cast<uint8_t>(CodecId::kFloatScaled));
}

TEST_CASE("Each chunk of a tensor larger than a chunk is coded in its own rows and columns") {
  // 1100 rows of 1000 F32: chunk 1 starts at element 1048576, in column 576 of row 1048.
  const size_t rows = 1100, columns = 1000;
  const Bytes raw = ChannelScaled(Dtype::kF32, rows, columns, 17);
  const std::vector<uint64_t> shape{rows, columns};
  const ChunkLayout layout = ChunkLayout::For(Dtype::kF32, raw.size());
  REQUIRE(layout.count() == 2);
  for (uint64_t i = 0; i < layout.count(); ++i) {
    CAPTURE(i);
    const ByteView chunk = ByteView(raw).subspan(layout.offset(i), layout.size(i));
    const Bytes frame = Encode(Dtype::kF32, chunk, std::nullopt, {shape, layout.offset(i) / 4});
    CHECK(frame[1] == static_cast<uint8_t>(CodecId::kFloatScaled));
    Result<ChunkFrameView> view = ParseChunkFrame(frame);
    REQUIRE(view.ok());
    CHECK(DecodeFixed32(view->payload.data() + 1) == columns);
    CHECK(DecodeFixed32(view->payload.data() + 5) == (layout.offset(i) / 4) % columns);
    CheckRoundTrip(frame, chunk);
  }
}

TEST_CASE("The matrix views of a shape: last dimension, and all but the first") {
  auto views = [](std::vector<uint64_t> shape) { return ScaledRowLengths(shape); };
  CHECK(views({768}).empty());
  CHECK(views({1, 1, 768}).empty());
  CHECK(views({6, 768}) == std::vector<uint64_t>{768});
  CHECK(views({2304, 8}) == std::vector<uint64_t>{8});
  CHECK(views({3, 3, 24, 1}) == std::vector<uint64_t>{24, 72});      // depthwise HWC1
  CHECK(views({1, 1, 96, 576}) == std::vector<uint64_t>{576});       // 1x1 conv HWIO
  CHECK(views({64, 32, 3, 3}) == std::vector<uint64_t>{3, 288});     // OIHW: rows are outputs
  CHECK(views({3, uint64_t{1} << 33}).empty());                      // rows too long to store
}

TEST_CASE("Forcing codec 9 needs a float dtype and a shape with rows and columns") {
  const Bytes raw = testing::GenerateTensorBytes(Dtype::kF32, 4096, 1);
  EncodeOptions o;
  o.force_codec = CodecId::kFloatScaled;
  const std::vector<uint64_t> flat{4096}, square{64, 64}, wrong{10, 10};
  CHECK(EncodeChunk(Dtype::kF32, raw, nullptr, o, {flat, 0}).status().message() ==
        "codec float-scaled needs a tensor shape with rows and columns");
  CHECK(EncodeChunk(Dtype::kF32, raw, nullptr, o).status().message() ==
        "codec float-scaled needs a tensor shape with rows and columns");
  CHECK(EncodeChunk(Dtype::kF64, Bytes(64), nullptr, o, {square, 0}).status().message() ==
        "codec float-scaled needs a float dtype of at most 8 exponent bits, not F64");
  CHECK(EncodeChunk(Dtype::kF32, raw, nullptr, o, {wrong, 0}).status().message() ==
        "chunk of 4096 elements at element 0 lies outside its tensor of 100");
  // Forced, a shape with rows and columns always gives a codec 9 frame, paying or not.
  const Bytes frame = Encode(Dtype::kF32, raw, CodecId::kFloatScaled, {square, 0});
  CHECK(frame[1] == static_cast<uint8_t>(CodecId::kFloatScaled));
  CheckRoundTrip(frame, raw);
}

TEST_CASE("Codec 9 frames with malformed headers or offsets are rejected with messages") {
  const Bytes raw = ChannelScaled(Dtype::kBF16, 64, 64, 23);
  const std::vector<uint64_t> shape{64, 64};
  const Bytes good = Encode(Dtype::kBF16, raw, CodecId::kFloatScaled, {shape, 0});
  REQUIRE(good[1] == static_cast<uint8_t>(CodecId::kFloatScaled));
  CheckRoundTrip(good, raw);
  constexpr size_t kPayload = kChunkFrameHeaderBytes;
  auto rejects = [&](Bytes frame, const std::string& text) {
    Result<Bytes> r = DecodeChunkToBytes(frame, {});
    REQUIRE(!r.ok());
    CHECK(r.status().code() == StatusCode::kCorruption);
    CHECK_MESSAGE(r.status().message().find(text) != std::string::npos, r.status().message());
  };
  Bytes f = good;
  f[kPayload] = 0;
  rejects(f, "float-scaled: scale axes byte 0 (axes must be 1, 2 or 3, bits 4-7 zero)");
  f[kPayload] = 0x12;
  rejects(f, "float-scaled: scale axes byte 18 (axes must be 1, 2 or 3, bits 4-7 zero)");
  f[kPayload] = 0x06;
  rejects(f, "float-scaled: offsets in 2^-1 binades for BF16 (at most 2^-0)");
  f = good;
  EncodeFixed32(f.data() + kPayload + 1, 0);
  rejects(f, "float-scaled: first column 0 of rows of 0");
  f = good;
  EncodeFixed32(f.data() + kPayload + 5, 64);
  rejects(f, "float-scaled: first column 64 of rows of 64");
  f = good;
  f[kPayload] = 3;
  EncodeFixed32(f.data() + kPayload + 1, 5000);
  rejects(f, "float-scaled: column offsets for rows of 5000 elements in a chunk of 4096");
  f = good;
  EncodeFixed32(f.data() + kPayload + 9, 1u << 30);
  rejects(f, "float-scaled: offsets of 1073741824 bytes overrun the payload");
  rejects(Bytes(good.begin(), good.begin() + kPayload + 12), "float-scaled: truncated header");
  rejects(Bytes(good.begin(), good.end() - 1), "float-scaled");
  // An offset outside the exponent ring: a raw offset plane holding 255 for BF16.
  Bytes frame = Encode(Dtype::kBF16, raw, CodecId::kFloatJoint, {});
  Bytes payload(frame.begin() + kPayload, frame.end());
  Bytes scaled(frame.begin(), frame.begin() + kPayload);
  scaled[1] = static_cast<uint8_t>(CodecId::kFloatScaled);
  scaled.push_back(2);                            // columns
  PutFixed32(&scaled, 64);                        // row length
  PutFixed32(&scaled, 0);                         // first column
  PutFixed32(&scaled, 65);                        // offsets: mode byte + 64 raw bytes
  scaled.push_back(0);                            // raw plane
  for (int c = 0; c < 64; ++c) scaled.push_back(c == 9 ? 255 : 0);
  scaled.insert(scaled.end(), payload.begin(), payload.end());
  rejects(scaled, "float-scaled: offset 255 at 9 outside the exponent ring of 255");
  scaled[kPayload + 13 + 1 + 9] = 0;  // with every offset 0 it is codec 8's payload again
  CheckRoundTrip(scaled, raw);
}

TEST_CASE("Randomly corrupted codec 9 frames never crash the decoder") {
  const Bytes raw = ChannelScaled(Dtype::kF16, 96, 64, 29);
  const std::vector<uint64_t> shape{96, 64};
  const Bytes good = Encode(Dtype::kF16, raw, CodecId::kFloatScaled, {shape, 0});
  std::mt19937_64 rng(31);
  int rejected = 0;
  for (int trial = 0; trial < 400; ++trial) {
    Bytes f = good;
    for (int k = 0; k < 1 + trial % 4; ++k) f[kChunkFrameHeaderBytes + rng() % (f.size() - kChunkFrameHeaderBytes)] ^= uint8_t(1 + rng() % 255);
    Result<Bytes> r = DecodeChunkToBytes(f, {});
    if (!r.ok()) {
      ++rejected;
      CHECK(r.status().code() == StatusCode::kCorruption);
    }
  }
  CHECK(rejected > 0);
}

TEST_CASE("The lossless candidate of --max-rel-error uses codec 9 when given the chunks' places") {
  const Bytes raw = ChannelScaled(Dtype::kBF16, 128, 96, 37);
  const std::vector<uint64_t> shape{128, 96};
  const ChunkPlace places[] = {{shape, 0}};
  Result<LossyTensorChoice> with = ChooseLossyEncoding(Dtype::kBF16, raw, 0, places);
  Result<LossyTensorChoice> without = ChooseLossyEncoding(Dtype::kBF16, raw, 0);
  REQUIRE(with.ok());
  REQUIRE(without.ok());
  REQUIRE(with->chunks.size() == 1);
  CHECK(with->chunks[0].frame[1] == static_cast<uint8_t>(CodecId::kFloatScaled));
  CHECK(with->stored_bytes < without->stored_bytes);
  CheckRoundTrip(with->chunks[0].frame, raw);
}

// Every float tensor of every shared file through codec 9 forced (where its shape has
// rows and columns) and through the automatic choice with the shape.
TEST_CASE("Codec 9 round-trips every float tensor of every shared file exactly") {
  size_t forced_chunks = 0, chosen_chunks = 0;
  for (const std::string& path : testing::AllSharedSafetensors()) {
    CAPTURE(path);
    for (const testing::LocalTensor& t : testing::ReadLocalSafetensors(path)) {
      if (!FloatJointTakes(t.dtype) || t.bytes.empty()) continue;
      CAPTURE(t.name);
      const ChunkLayout layout = ChunkLayout::For(t.dtype, t.bytes.size());
      for (uint64_t i = 0; i < layout.count(); ++i) {
        const ByteView chunk = ByteView(t.bytes).subspan(layout.offset(i), layout.size(i));
        const ChunkPlace place{t.shape, layout.offset(i) / DtypeWidth(t.dtype)};
        EncodeOptions o;
        o.force_codec = CodecId::kFloatScaled;
        Result<Bytes> forced = EncodeChunk(t.dtype, chunk, nullptr, o, place);
        if (forced.ok()) {
          CHECK((*forced)[1] == static_cast<uint8_t>(CodecId::kFloatScaled));
          CheckRoundTrip(*forced, chunk);
          ++forced_chunks;
        } else {
          CHECK(forced.status().message() == "codec float-scaled needs a tensor shape with rows and columns");
        }
        const Bytes chosen = Encode(t.dtype, chunk, std::nullopt, place);
        chosen_chunks += chosen[1] == static_cast<uint8_t>(CodecId::kFloatScaled);
        CheckRoundTrip(chosen, chunk);
      }
    }
  }
  CHECK(forced_chunks > 100);
  CHECK(chosen_chunks > 10);
}

}  // namespace
}  // namespace mvc
