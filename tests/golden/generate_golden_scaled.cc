// tests/golden/generate_golden_scaled.cc: wrote the golden frames of codec 9
// (FloatScaled, docs/format.md "Codec 9"), ONCE (2026-12-01). Not built; the frames
// MUST NOT be regenerated. The raw bytes are channel-scaled weights made here from a
// fixed linear congruential sequence, so they are reproducible without the codec:
//   float_scaled_f16    [48, 96] F16, row and column offsets
//   float_scaled_bf16   [64, 72] BF16, column offsets
//   float_scaled_f32    [40, 50] F32, the chunk starting at element 30 (first column 30),
//                       row offsets
//   errors/float_scaled_offset_outside_ring  float_scaled_f16 with offset 31 (the ring)
// and, run again ONCE with the argument `half` (2026-12-02), only
//   float_scaled_f16_half  [48, 96] F16 of non-power-of-two channel scales, row and
//                          column offsets in half binades (Offset_Unit_Bits 1)
//
// Built by hand:  g++ -std=c++20 -O2 -I. tests/golden/generate_golden_scaled.cc \
//   build/codec/libmvc_codec.a build/core/libmvc_core.a -lzstd -lcrypto -o /tmp/gen_scaled
// Run from the repository root: /tmp/gen_scaled tests/golden >> tests/golden/MANIFEST
//                           then: /tmp/gen_scaled tests/golden half >> tests/golden/MANIFEST
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "codec/chunk_codec.h"
#include "codec/exponent_scales.h"
#include "codec/float_scaled.h"
#include "core/endian_coding.h"
#include "core/sha256.h"

namespace {

using namespace mvc;

void Write(const std::string& path, const Bytes& b) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  if (!f) { std::perror(path.c_str()); std::exit(1); }
}

// Knuth's MMIX LCG: the top 53 bits as a uniform in [0, 1).
struct Lcg {
  uint64_t x;
  double Next() {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    return double(x >> 11) * 0x1p-53;
  }
};

// Values of rows x columns weights (uniform in [-1, 1) times a row and a column scale
// of 2^-3..2^3, whole powers of two or, with `any_scale`, any), element `first` on, as
// F32 bit patterns truncated to the dtype.
Bytes Weights(Dtype dtype, size_t rows, size_t columns, size_t first, size_t n, uint64_t seed, bool any_scale) {
  Lcg g{seed};
  std::vector<double> rs(rows), cs(columns), v(rows * columns);
  auto scale = [&] { const double x = 6 * g.Next(); return std::exp2((any_scale ? x : std::floor(x)) - 3); };
  for (double& r : rs) r = scale();
  for (double& c : cs) c = scale();
  for (size_t i = 0; i < v.size(); ++i) v[i] = (2 * g.Next() - 1) * 0.05 * rs[i / columns] * cs[i % columns];
  const size_t w = DtypeWidth(dtype);
  Bytes out(n * w);
  for (size_t i = 0; i < n; ++i) {
    const float f = static_cast<float>(v[first + i]);
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    if (dtype == Dtype::kBF16) {
      EncodeFixed16(out.data() + 2 * i, static_cast<uint16_t>(bits >> 16));
    } else if (dtype == Dtype::kF16) {
      // Exact for these magnitudes: 2^-3 * 2^-3 * 0.05 * ... stays above F16's normals.
      const _Float16 h = static_cast<_Float16>(f);
      std::memcpy(out.data() + 2 * i, &h, 2);
    } else {
      EncodeFixed32(out.data() + 4 * i, bits);
    }
  }
  return out;
}

struct Golden {
  const char* name;
  Dtype dtype;
  size_t rows, columns, first, n;
  ScaleAxes axes;
  bool any_scale;
};

}  // namespace

int main(int argc, char** argv) {
  const bool half = argc == 3 && std::string(argv[2]) == "half";
  if (argc != 2 && !half) { std::fprintf(stderr, "usage: gen_scaled GOLDEN_DIR [half]\n"); return 2; }
  const std::string dir = argv[1];
  const std::vector<Golden> goldens =
      half ? std::vector<Golden>{{"float_scaled_f16_half", Dtype::kF16, 48, 96, 0, 48 * 96, ScaleAxes::kBoth, true}}
           : std::vector<Golden>{
                 {"float_scaled_f16", Dtype::kF16, 48, 96, 0, 48 * 96, ScaleAxes::kBoth, false},
                 {"float_scaled_bf16", Dtype::kBF16, 64, 72, 0, 64 * 72, ScaleAxes::kColumns, false},
                 {"float_scaled_f32", Dtype::kF32, 40, 50, 30, 40 * 50 - 30, ScaleAxes::kRows, false},
             };
  for (const Golden& g : goldens) {
    const Bytes raw = Weights(g.dtype, g.rows, g.columns, g.first, g.n, g.rows * 1000 + g.columns, g.any_scale);
    const MatrixView view{g.columns, g.first % g.columns};
    const ExponentScales scales = FitExponentScales(g.dtype, raw, view, g.axes);
    if (half && scales.unit_bits != 1) return 1;
    Bytes frame = {kChunkFrameVersion, static_cast<uint8_t>(CodecId::kFloatScaled),
                   static_cast<uint8_t>(g.dtype), 0};
    PutFixed64(&frame, raw.size());
    if (!EncodeFloatScaledPayload(g.dtype, raw, scales, &frame).ok()) return 1;
    Result<Bytes> back = DecodeChunkToBytes(frame, {});
    if (!back.ok() || *back != raw) { std::fprintf(stderr, "%s: round trip failed\n", g.name); return 1; }
    Write(dir + "/" + g.name + ".frame", frame);
    Write(dir + "/" + g.name + ".raw", raw);
    std::printf("%s %d %s %zu %s\n", g.name, static_cast<int>(CodecId::kFloatScaled),
                std::string(DtypeName(g.dtype)).c_str(), raw.size(), Sha256::Digest(raw).ToHex().c_str());
    if (g.dtype == Dtype::kF16 && !half) {
      // The offsets' plane is the 14th byte of the payload on; make it raw and put 31 in.
      ExponentScales bad = scales;
      bad.columns[5] = 31;
      Bytes f = {kChunkFrameVersion, static_cast<uint8_t>(CodecId::kFloatScaled), static_cast<uint8_t>(g.dtype), 0};
      PutFixed64(&f, raw.size());
      f.push_back(3);
      PutFixed32(&f, static_cast<uint32_t>(g.columns));
      PutFixed32(&f, 0);
      PutFixed32(&f, static_cast<uint32_t>(1 + bad.rows.size() + bad.columns.size()));
      f.push_back(0);  // raw plane
      f.insert(f.end(), bad.rows.begin(), bad.rows.end());
      f.insert(f.end(), bad.columns.begin(), bad.columns.end());
      Write(dir + "/errors/float_scaled_offset_outside_ring.frame", f);
      const std::string expect = "float-scaled: offset 31 at 53 outside the exponent ring of 31";
      Write(dir + "/errors/float_scaled_offset_outside_ring.expect", Bytes(expect.begin(), expect.end()));
    }
  }
  return 0;
}
