#include "codec/internal/codec_estimate.h"

#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "codec/byte_planes.h"
#include "codec/float_fields.h"
#include "codec/float_joint.h"
#include "codec/internal/entropy_stream.h"
#include "codec/internal/joint_stream.h"
#include "codec/internal/plane_container.h"
#include "codec/ordered_delta.h"

namespace mvc::codec_internal {
namespace {

bool AllSame(const uint8_t* p, size_t n) {
  for (size_t i = 1; i < n; ++i) if (p[i] != p[0]) return false;
  return true;
}

// Estimated stored size of one plane of the sample, scaled to the chunk: the smallest
// of raw, constant, Huffman (order-0 entropy in the context plane's context when it
// has one, ~1% redundancy, a table per context frequent enough to get one) and, when
// allowed, order-0 rANS (entropy plus its 512-byte table).
double PlaneBytes(const uint8_t* p, const uint8_t* ctx, int bits, size_t sampled, size_t n,
                  bool rans) {
  if (sampled == 0) return 0;
  if (AllSame(p, sampled)) return 2;
  const double scale = double(n) / double(sampled);
  const double table = double((size_t{1} << bits) + 1) / 2;
  const double blocks = double(n) / kEntropyBlockSymbols + 1;
  double h = 0, tables = 1;
  if (ctx) {
    // Kept all-zero between calls: only the rows of contexts that occur are touched.
    thread_local std::vector<uint32_t> hist(256 * 256, 0);
    uint32_t tot[256] = {0};
    for (size_t i = 0; i < sampled; ++i) ++hist[size_t{ctx[i]} << 8 | p[i]];
    for (size_t i = 0; i < sampled; ++i) ++tot[ctx[i]];
    const int a = 1 << bits;
    double b = 0;
    for (int c = 0; c < 256; ++c) {
      if (!tot[c]) continue;
      uint32_t* hc = &hist[size_t(c) << 8];
      const double lt = std::log2(double(tot[c]));
      for (int v = 0; v < a; ++v) {
        if (hc[v]) b -= double(hc[v]) * (std::log2(double(hc[v])) - lt);
        hc[v] = 0;
      }
      if (double(tot[c]) * scale >= 1024) tables += 1;
    }
    h = b / 8;
    tables = tables * table + 256;
  } else {
    h = ByteEntropyBits(p, sampled) * double(sampled) / 8;
    tables = table;
  }
  double best = std::min<double>(double(n), h * scale * 1.01 + tables + blocks * 20 + 4);
  if (rans) best = std::min(best, h * scale * 1.002 + 520 + blocks * 28);
  return best + 1;
}

}  // namespace

std::vector<SampleRun> SampleRuns(size_t n) {
  // An eighth of the chunk, at most kEstimateRuns runs of kEstimateRunElems.
  const size_t run = std::min(kEstimateRunElems, std::max<size_t>(16, n / 8 / kEstimateRuns));
  const size_t want = kEstimateRuns * run;
  if (n <= 2 * want) return {{0, n}};
  std::vector<SampleRun> runs(kEstimateRuns);
  const size_t span = n - run;
  for (size_t r = 0; r < kEstimateRuns; ++r) runs[r] = {span * r / (kEstimateRuns - 1), run};
  return runs;
}

ChunkSample SampleChunk(Dtype dtype, ByteView raw, ByteView base_raw) {
  ChunkSample s;
  s.dtype = dtype;
  const size_t w = DtypeWidth(dtype);
  s.n = raw.size() / w;
  const std::vector<SampleRun> runs = SampleRuns(s.n);
  for (const SampleRun& r : runs) s.sampled += r.length;
  s.raw.resize(s.sampled * w);
  if (!base_raw.empty()) s.base.resize(s.sampled * w);
  size_t at = 0;
  for (const SampleRun& r : runs) {
    if (r.length == 0) continue;  // an empty chunk: no bytes to copy (memcpy takes no null)
    std::memcpy(s.raw.data() + at, raw.data() + r.start * w, r.length * w);
    if (!base_raw.empty()) std::memcpy(s.base.data() + at, base_raw.data() + r.start * w, r.length * w);
    at += r.length * w;
  }
  return s;
}

namespace {

// The sample split into codec 3's field planes (codec 8 codes the first two jointly).
struct SampleFields {
  std::vector<PlaneSpec> specs;
  std::unique_ptr<uint8_t[]> buf;
  std::vector<uint8_t*> planes;
};

SampleFields SplitSample(const ChunkSample& s) {
  SampleFields f;
  f.specs = GetFloatFieldPlanes(s.dtype);
  f.buf = NewScratch(s.sampled * f.specs.size());
  for (size_t k = 0; k < f.specs.size(); ++k) f.planes.push_back(f.buf.get() + k * s.sampled);
  SplitFloatFields(s.dtype, s.raw.data(), s.sampled, f.planes.data());
  return f;
}

// Estimated bytes of each field plane from `first` on, as PlaneBytes says (0 before).
std::vector<double> FieldPlaneBytes(const ChunkSample& s, const SampleFields& f, size_t first) {
  std::vector<double> bytes(f.specs.size(), 0);
  for (size_t k = first; k < f.specs.size(); ++k) {
    const int c = f.specs[k].context;
    bytes[k] = PlaneBytes(f.planes[k], c >= 0 ? f.planes[c] : nullptr, f.specs[k].bits, s.sampled, s.n, false);
  }
  return bytes;
}

// Their sum from plane `first` on.
double SumFrom(const std::vector<double>& plane_bytes, size_t first) {
  double total = 0;
  for (size_t k = first; k < plane_bytes.size(); ++k) total += plane_bytes[k];
  return total;
}

// Codec 8's estimate without the planes after the joint pair (codec 3 codes those alike).
double JointPairBytes(const ChunkSample& s, const SampleFields& f) {
  const size_t m = s.sampled;
  // The joint symbol's order-0 entropy (~0.5% Huffman redundancy on its larger
  // alphabet), the raw bits beside it, a table of about a nibble per symbol in use.
  const int e = f.specs[0].bits, h = f.specs[1].bits - 1, k = DefaultJoinedBits(e, h);
  std::vector<uint32_t> hist(size_t{1} << (e + k), 0);
  const unsigned top_mask = (1u << k) - 1;  // the sign sits above the top bits
  for (size_t i = 0; i < m; ++i) ++hist[(size_t{f.planes[0][i]} << k) | ((f.planes[1][i] >> (h - k)) & top_mask)];
  double bits = 0, used = 0;
  for (uint32_t c : hist) {
    if (!c) continue;
    bits -= double(c) * std::log2(double(c) / double(m));
    used += 1;
  }
  const double scale = double(s.n) / double(m);
  const double blocks = double(s.n) / kEntropyBlockSymbols + 1;
  return bits / 8 * scale * 1.005 + double(s.n) * double(h + 1 - k) / 8 + used / 2 + blocks * 20 + 10;
}

// Codec 8's low planes: as codec 3 codes them, or raw bits where the elements go whole
// (F16, whose whole heads carry those bits raw beside the code).
double JointLowBytes(const ChunkSample& s, const SampleFields& f, const std::vector<double>& plane_bytes) {
  if (!FloatJointWritesWholeElements(s.dtype)) return SumFrom(plane_bytes, 2);
  unsigned bits = 0;
  for (size_t k = 2; k < f.specs.size(); ++k) bits += unsigned(f.specs[k].bits);
  return double(s.n) * bits / 8;
}

}  // namespace

double EstimateFloatFields(const ChunkSample& s) { return SumFrom(FieldPlaneBytes(s, SplitSample(s), 0), 0); }

double EstimateFloatJoint(const ChunkSample& s) {
  if (s.sampled == 0) return 0;
  const SampleFields f = SplitSample(s);
  const bool whole = FloatJointWritesWholeElements(s.dtype);
  return JointPairBytes(s, f) + JointLowBytes(s, f, whole ? std::vector<double>() : FieldPlaneBytes(s, f, 2));
}

FloatEstimates EstimateFloatFieldsAndJoint(const ChunkSample& s) {
  const SampleFields f = SplitSample(s);
  const std::vector<double> plane_bytes = FieldPlaneBytes(s, f, 0);
  const double joint = s.sampled == 0 ? 0 : JointPairBytes(s, f) + JointLowBytes(s, f, plane_bytes);
  return {SumFrom(plane_bytes, 0), joint};
}

double EstimateBytePlanesZstd(const ChunkSample& s, int zstd_level) {
  const size_t w = DtypeWidth(s.dtype);
  const size_t m = s.sampled;
  if (m == 0) return 0;
  auto buf = NewScratch(m * w);
  SplitBytePlanes(s.raw.data(), m, w, buf.get());
  if (m < 2) return double(s.n * w);
  thread_local std::vector<uint8_t> dst;
  dst.resize(ZSTD_compressBound(m));
  ZSTD_CCtx* cctx = ThreadCCtx();
  const double scale = double(s.n) / double(m);
  double total = 0;
  for (size_t k = 0; k < w; ++k) {
    const uint8_t* p = buf.get() + k * m;
    if (AllSame(p, m)) { total += 2; continue; }
    // A near-uniform plane without runs is stored raw (zstd finds nothing in it); on
    // anything else zstd's result is hard to predict from the frequencies (on skewed
    // planes it lands 1-30% above the order-0 entropy), so it is run on the sample.
    // Runs show as more equal neighbours than the symbol frequencies explain.
    size_t repeats = 0;
    uint32_t h[256] = {0};
    for (size_t i = 1; i < m; ++i) { repeats += p[i] == p[i - 1]; ++h[p[i]]; }
    double chance = 0, bits = 0;
    for (uint32_t c : h) {
      chance += double(c) * double(c);
      if (c) bits -= double(c) * std::log2(double(c) / double(m - 1));
    }
    chance /= double(m - 1);
    if (bits >= 7.8 * double(m - 1) && double(repeats) < 1.2 * chance + double(m) / 64) {
      total += double(s.n) + 1;
      continue;
    }
    size_t c = cctx ? ZSTD_compressCCtx(cctx, dst.data(), dst.size(), p, m, zstd_level) : 0;
    double est = !cctx || ZSTD_isError(c) ? double(s.n) : double(c) * scale + 4;
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
  for (size_t k = 0; k < w; ++k) total += PlaneBytes(buf.get() + k * m, nullptr, 8, m, s.n, true);
  return total;
}

}  // namespace mvc::codec_internal
