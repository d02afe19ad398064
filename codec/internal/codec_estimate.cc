#include "codec/internal/codec_estimate.h"

#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "codec/byte_planes.h"
#include "codec/float_fields.h"
#include "codec/internal/entropy_stream.h"
#include "codec/internal/plane_container.h"
#include "codec/ordered_delta.h"

namespace mvc::codec_internal {
namespace {

bool AllSame(const uint8_t* p, size_t n) {
  for (size_t i = 1; i < n; ++i) if (p[i] != p[0]) return false;
  return true;
}

// Order-0 entropy of `n` bytes, in bytes, plus the rANS table and block overhead.
double RansBytes(const uint8_t* p, size_t n) {
  uint32_t h[256] = {0};
  for (size_t i = 0; i < n; ++i) ++h[p[i]];
  double bits = 0;
  for (uint32_t c : h) if (c) bits -= double(c) * std::log2(double(c) / double(n));
  return bits / 8;
}

// Estimated stored size of one plane of the sample, scaled to the chunk: the smallest
// of raw, constant, Huffman (plan on the sample) and, when allowed, order-0 rANS.
double PlaneBytes(const uint8_t* p, const uint8_t* ctx, int bits, int ctx_bits, size_t sampled,
                  size_t n, bool rans) {
  if (sampled == 0) return 0;
  if (AllSame(p, sampled)) return 2;
  const double scale = double(n) / double(sampled);
  EntropyPlan plan = PlanEntropyStream(p, ctx, sampled, bits, ctx ? ctx_bits : 0);
  double best = std::min<double>(double(n), double(plan.encoded_bytes) * scale + 4);
  if (rans) best = std::min(best, RansBytes(p, sampled) * scale * 1.002 + 520 + double(n) / 65536 * 28);
  return best + 1;
}

}  // namespace

ChunkSample SampleChunk(Dtype dtype, ByteView raw, ByteView base_raw) {
  ChunkSample s;
  s.dtype = dtype;
  const size_t w = DtypeWidth(dtype);
  s.n = raw.size() / w;
  // An eighth of the chunk, at most kEstimateRuns runs of kEstimateRunElems.
  const size_t run = std::min(kEstimateRunElems, std::max<size_t>(16, s.n / 8 / kEstimateRuns));
  const size_t want = kEstimateRuns * run;
  if (s.n <= 2 * want) {
    s.sampled = s.n;
    s.raw.assign(raw.begin(), raw.end());
    s.base.assign(base_raw.begin(), base_raw.end());
    return s;
  }
  s.sampled = want;
  s.raw.resize(want * w);
  if (!base_raw.empty()) s.base.resize(want * w);
  const size_t span = s.n - run;
  for (size_t r = 0; r < kEstimateRuns; ++r) {
    const size_t start = span * r / (kEstimateRuns - 1);
    const size_t bytes = run * w;
    std::memcpy(s.raw.data() + r * bytes, raw.data() + start * w, bytes);
    if (!base_raw.empty()) std::memcpy(s.base.data() + r * bytes, base_raw.data() + start * w, bytes);
  }
  return s;
}

double EstimateFloatFields(const ChunkSample& s) {
  const std::vector<PlaneSpec> specs = GetFloatFieldPlanes(s.dtype);
  const size_t m = s.sampled;
  auto buf = NewScratch(m * specs.size());
  std::vector<uint8_t*> planes(specs.size());
  for (size_t k = 0; k < specs.size(); ++k) planes[k] = buf.get() + k * m;
  SplitFloatFields(s.dtype, s.raw.data(), m, planes.data());
  double total = 0;
  for (size_t k = 0; k < specs.size(); ++k) {
    const int c = specs[k].context;
    total += PlaneBytes(planes[k], c >= 0 ? planes[c] : nullptr, specs[k].bits,
                        c >= 0 ? specs[c].bits : 0, m, s.n, false);
  }
  return total;
}

double EstimateBytePlanesZstd(const ChunkSample& s, int zstd_level) {
  const size_t w = DtypeWidth(s.dtype);
  const size_t m = s.sampled;
  if (m == 0) return 0;
  auto buf = NewScratch(m * w);
  SplitBytePlanes(s.raw.data(), m, w, buf.get());
  thread_local std::vector<uint8_t> dst;
  dst.resize(ZSTD_compressBound(m));
  const double scale = double(s.n) / double(m);
  double total = 0;
  for (size_t k = 0; k < w; ++k) {
    const uint8_t* p = buf.get() + k * m;
    if (AllSame(p, m)) { total += 2; continue; }
    size_t c = ZSTD_compress(dst.data(), dst.size(), p, m, zstd_level);
    double est = ZSTD_isError(c) ? double(s.n) : double(c) * scale + 4;
    total += std::min(est, double(s.n)) + 1;
  }
  return total;
}

double EstimateOrderedDelta(const ChunkSample& s) {
  const size_t w = DtypeWidth(s.dtype);
  const size_t m = s.sampled;
  if (m == 0) return 0;
  auto deltas = NewScratch(m * w);
  OrderedDeltaForward(s.dtype, s.raw.data(), s.base.data(), m, deltas.get());
  auto buf = NewScratch(m * w);
  SplitBytePlanes(deltas.get(), m, w, buf.get());
  double total = 0;
  for (size_t k = 0; k < w; ++k) total += PlaneBytes(buf.get() + k * m, nullptr, 8, 0, m, s.n, true);
  return total;
}

}  // namespace mvc::codec_internal
