#include "codec/internal/rans_stream.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <queue>
#include <string>
#include <vector>

#include "codec/internal/byte_histogram.h"
#include "codec/internal/entropy_stream.h"
#include "core/endian_coding.h"

namespace mvc::codec_internal {
namespace {

constexpr uint32_t kScale = 1u << kRansScaleBits;
constexpr uint32_t kRansL = 1u << 23;  // states live in [kRansL, kRansL << 8)

// A sub-stream reader that sees zeros past its end and counts them.
struct ByteReader {
  const uint8_t* p;
  const uint8_t* end;
  size_t overrun = 0;
  inline uint32_t Next() {
    if (p < end) return *p++;
    ++overrun;
    return 0;
  }
};

// The compact frequency table (docs/format.md, "rANS stream"): a u16 marker that no
// plain table starts with (Freq[0] <= 4096), the span of symbols with a frequency,
// and each frequency of the span in one or two bytes.
constexpr uint16_t kCompactMarker = 0x8000;

// Symbols [first, first + count) hold every non-zero frequency.
std::pair<int, int> FreqSpan(const std::array<uint16_t, 256>& freq) {
  int first = 0, last = 255;
  while (first < 255 && freq[first] == 0) ++first;
  while (last > first && freq[last] == 0) --last;
  return {first, last - first + 1};
}

size_t CompactTableBytes(const std::array<uint16_t, 256>& freq) {
  const auto [first, count] = FreqSpan(freq);
  size_t bytes = 2 + 2;
  for (int s = first; s < first + count; ++s) bytes += freq[s] < 128 ? 1 : 2;
  return bytes;
}

void PutCompactTable(const std::array<uint16_t, 256>& freq, Bytes* out) {
  const auto [first, count] = FreqSpan(freq);
  PutFixed16(out, kCompactMarker);
  out->push_back(static_cast<uint8_t>(first));
  out->push_back(static_cast<uint8_t>(count - 1));
  for (int s = first; s < first + count; ++s) {
    const unsigned f = freq[s];
    if (f < 128) {
      out->push_back(static_cast<uint8_t>(f));
    } else {
      out->push_back(static_cast<uint8_t>(0x80 | (f & 0x7F)));
      out->push_back(static_cast<uint8_t>(f >> 7));
    }
  }
}

// Reads either table form into freq; *pos advances past it.
Status ParseFreqTable(ByteView in, size_t* pos, uint16_t* freq) {
  if (in.size() < 2) return Status::Corruption("rANS stream: truncated frequency table");
  if (DecodeFixed16(in.data()) != kCompactMarker) {
    if (in.size() < 512) return Status::Corruption("rANS stream: truncated frequency table");
    for (int s = 0; s < 256; ++s) freq[s] = DecodeFixed16(in.data() + 2 * s);
    *pos = 512;
    return Status::Ok();
  }
  if (in.size() < 4) return Status::Corruption("rANS stream: truncated frequency table");
  const int first = in[2], count = in[3] + 1;
  if (first + count > 256) return Status::Corruption("rANS stream: frequency span passes symbol 255");
  std::fill(freq, freq + 256, uint16_t{0});
  size_t p = 4;
  for (int s = first; s < first + count; ++s) {
    if (p >= in.size()) return Status::Corruption("rANS stream: truncated frequency table");
    unsigned f = in[p++];
    if (f & 0x80) {
      if (p >= in.size()) return Status::Corruption("rANS stream: truncated frequency table");
      f = (f & 0x7F) | (unsigned{in[p++]} << 7);
    }
    if (f > kScale) return Status::Corruption("rANS stream: frequency " + std::to_string(f) + " over 4096");
    freq[s] = static_cast<uint16_t>(f);
  }
  *pos = p;
  return Status::Ok();
}

}  // namespace

RansPlan PlanRansStream(const uint8_t* sym, size_t n, const uint32_t* counts) {
  RansPlan plan;
  uint32_t own[256];
  if (!counts) {
    ByteHistogram(sym, n, own);
    counts = own;
  }
  const uint32_t* count = counts;
  uint32_t sum = 0;
  for (int s = 0; s < 256; ++s) {
    if (!count[s]) continue;
    plan.freq[s] = static_cast<uint16_t>(std::max<uint64_t>(1, uint64_t{count[s]} * kScale / n));
    sum += plan.freq[s];
  }
  // Rounding: give or take one at a time from the largest frequency, the lowest symbol
  // on ties (never below 1: while the sum is over 4096 the largest is over 1). A heap
  // keyed (frequency, -symbol) makes each step a pop and a push: small planes with
  // many rare symbols (each raised to 1) are hundreds of steps over, and a scan of all
  // 256 per step was a seventh of the automatic choice's time on small models.
  if (sum != kScale) {
    std::priority_queue<uint32_t> largest;
    for (int s = 0; s < 256; ++s) {
      if (plan.freq[s]) largest.push(uint32_t{plan.freq[s]} << 8 | unsigned(255 - s));
    }
    for (; sum != kScale; sum += sum > kScale ? -1 : 1) {
      const uint32_t top = largest.top();
      largest.pop();
      const int s = 255 - int(top & 255);
      plan.freq[s] = static_cast<uint16_t>(sum > kScale ? plan.freq[s] - 1 : plan.freq[s] + 1);
      largest.push(uint32_t{plan.freq[s]} << 8 | unsigned(255 - s));
    }
  }
  double bits = 0;
  for (int s = 0; s < 256; ++s) {
    if (count[s]) bits += double(count[s]) * (kRansScaleBits - std::log2(double(plan.freq[s])));
  }
  const size_t num_blocks = (n + kEntropyBlockSymbols - 1) / kEntropyBlockSymbols;
  plan.encoded_bytes = CompactTableBytes(plan.freq) + 4 + static_cast<size_t>(bits / 8) + 1 +
                       num_blocks * (4 + 12 + 4 * 6);
  return plan;
}

void WriteRansStream(const RansPlan& plan, const uint8_t* sym, size_t n, Bytes* out) {
  // Per symbol: x_max, and the division x / f done as a multiply by a reciprocal
  // (ryg_rans's exact method for x < 2^31): q = ((x * rcp) >> 32) >> shift, then
  // x' = x + bias + q * (4096 - f) = (x / f) * 4096 + x % f + start.
  struct EncSym {
    uint32_t x_max, rcp, bias;
    uint16_t cmpl, shift;
  };
  EncSym enc[256];
  uint32_t c = 0;
  for (int s = 0; s < 256; ++s) {
    const uint32_t f = plan.freq[s];
    EncSym& e = enc[s];
    e.x_max = ((kRansL >> kRansScaleBits) << 8) * f;
    e.cmpl = static_cast<uint16_t>(kScale - f);
    if (f < 2) {
      e.rcp = ~0u;
      e.shift = 0;
      e.bias = c + kScale - 1;
    } else {
      uint32_t shift = 0;
      while (f > (1u << shift)) ++shift;
      e.rcp = static_cast<uint32_t>(((uint64_t{1} << (shift + 31)) + f - 1) / f);
      e.shift = static_cast<uint16_t>(shift - 1);
      e.bias = c;
    }
    c += f;
  }
  PutCompactTable(plan.freq, out);
  PutFixed32(out, kEntropyBlockSymbols);
  const size_t num_blocks = (n + kEntropyBlockSymbols - 1) / kEntropyBlockSymbols;
  const size_t table_pos = out->size();
  out->resize(table_pos + 4 * num_blocks);
  const size_t data_pos = out->size();
  // One buffer a sub-stream, each written backwards from its end (the decoder reads
  // forwards): a symbol's state update waits on the one before (a multiply, shifts,
  // an add), so the four sub-streams are encoded side by side, four chains in flight.
  // A symbol writes at most 2 bytes (states stay below 2^31).
  constexpr size_t kStreamRoom = 2 * kEntropyBlockSymbols / 4 + 16;
  Bytes tmp(4 * kStreamRoom);
  auto put = [&](uint32_t& x, uint8_t*& p, uint8_t s) {
    const EncSym& e = enc[s];
    // Renormalize without branches (it is unpredictable): p[-1] is in the buffer.
    const uint32_t n1 = x >= e.x_max;
    p[-1] = static_cast<uint8_t>(x);
    p -= n1;
    x >>= 8 * n1;
    const uint32_t n2 = x >= e.x_max;
    p[-1] = static_cast<uint8_t>(x);
    p -= n2;
    x >>= 8 * n2;
    const uint32_t q = static_cast<uint32_t>((uint64_t{x} * e.rcp) >> 32) >> e.shift;
    x = x + e.bias + q * e.cmpl;
  };
  for (size_t b = 0; b < num_blocks; ++b) {
    const size_t first = b * kEntropyBlockSymbols;
    const size_t m = std::min<size_t>(kEntropyBlockSymbols, n - first);
    const size_t q = (m + 3) / 4;
    size_t lo[4], cnt[4];
    uint32_t x[4];
    uint8_t* end[4];
    uint8_t* p[4];
    for (int j = 0; j < 4; ++j) {
      lo[j] = first + std::min(m, j * q);
      cnt[j] = first + std::min(m, (j + 1) * q) - lo[j];  // non-increasing in j
      x[j] = kRansL;
      end[j] = p[j] = tmp.data() + (j + 1) * kStreamRoom;
    }
    // Each sub-stream's symbols past the shortest's count, then all four together.
    for (int j = 0; j < 3; ++j)
      for (size_t k = cnt[j]; k-- > cnt[3];) put(x[j], p[j], sym[lo[j] + k]);
    {
      uint32_t x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
      uint8_t *p0 = p[0], *p1 = p[1], *p2 = p[2], *p3 = p[3];
      const uint8_t *s0 = sym + lo[0], *s1 = sym + lo[1], *s2 = sym + lo[2], *s3 = sym + lo[3];
      for (size_t k = cnt[3]; k-- > 0;) {
        put(x0, p0, s0[k]); put(x1, p1, s1[k]); put(x2, p2, s2[k]); put(x3, p3, s3[k]);
      }
      x[0] = x0; x[1] = x1; x[2] = x2; x[3] = x3;
      p[0] = p0; p[1] = p1; p[2] = p2; p[3] = p3;
    }
    const size_t block_pos = out->size();
    out->resize(block_pos + 12);
    for (int j = 0; j < 4; ++j) {
      p[j] -= 4;
      EncodeFixed32(p[j], x[j]);
      if (j < 3) EncodeFixed32(out->data() + block_pos + 4 * j, static_cast<uint32_t>(end[j] - p[j]));
      PutBytes(out, p[j], static_cast<size_t>(end[j] - p[j]));
    }
    EncodeFixed32(out->data() + table_pos + 4 * b, static_cast<uint32_t>(out->size() - data_pos));
  }
}

Status DecodeRansStream(ByteView in, size_t n, uint8_t* out) {
  uint16_t freq[256];
  size_t pos = 0;
  MVC_RETURN_IF_ERROR(ParseFreqTable(in, &pos, freq));
  if (in.size() - pos < 4) return Status::Corruption("rANS stream: truncated after the frequency table");
  uint32_t start[256];
  uint32_t sum = 0;
  for (int s = 0; s < 256; ++s) {
    start[s] = sum;
    sum += freq[s];
  }
  if (sum != kScale) return Status::Corruption("rANS stream: frequencies sum to " + std::to_string(sum) + ", not 4096");
  // One load per symbol: slot v holds the symbol s (bits 0-7), Freq[s] - 1 (bits
  // 8-19) and v - Start[s] (bits 20-31); the sum check bounds every Freq by 4096.
  std::vector<uint32_t> slot(kScale);
  for (int s = 0; s < 256; ++s) {
    for (uint32_t v = start[s]; v < start[s] + freq[s]; ++v) {
      slot[v] = uint32_t(s) | ((uint32_t{freq[s]} - 1) << 8) | ((v - start[s]) << 20);
    }
  }
  const uint32_t bsz = DecodeFixed32(in.data() + pos);
  pos += 4;
  if (bsz == 0 || bsz > kMaxEntropyBlockSymbols) {
    return Status::Corruption("rANS stream: block size " + std::to_string(bsz) + " symbols");
  }
  const size_t num_blocks = (n + bsz - 1) / bsz;
  if ((in.size() - pos) / 4 < num_blocks) return Status::Corruption("rANS stream: truncated block table");
  const uint8_t* offsets = in.data() + pos;
  pos += 4 * num_blocks;
  const uint8_t* data = in.data() + pos;
  const size_t data_size = in.size() - pos;
  size_t prev_end = 0;
  for (size_t b = 0; b < num_blocks; ++b) {
    const size_t end = DecodeFixed32(offsets + 4 * b);
    if (end < prev_end || end > data_size || end - prev_end < 12) {
      return Status::Corruption("rANS stream: block " + std::to_string(b) + " offset out of order or range");
    }
    const uint8_t* blk = data + prev_end;
    const size_t blk_size = end - prev_end;
    prev_end = end;
    size_t sizes[4], sum_sizes = 0;
    for (int j = 0; j < 3; ++j) { sizes[j] = DecodeFixed32(blk + 4 * j); sum_sizes += sizes[j]; }
    if (sum_sizes > blk_size - 12) return Status::Corruption("rANS stream: block " + std::to_string(b) + " sub-stream sizes overrun the block");
    sizes[3] = blk_size - 12 - sum_sizes;
    const size_t first = b * bsz;
    const size_t m = std::min<size_t>(bsz, n - first);
    const size_t q = (m + 3) / 4;
    ByteReader r[4] = {{nullptr, nullptr}, {nullptr, nullptr}, {nullptr, nullptr}, {nullptr, nullptr}};
    uint32_t x[4];
    size_t lo[4], cnt[4];
    const uint8_t* p = blk + 12;
    for (int j = 0; j < 4; ++j) {
      if (sizes[j] < 4) return Status::Corruption("rANS stream: block " + std::to_string(b) + " sub-stream without a state");
      x[j] = DecodeFixed32(p);
      // Valid states lie in [L, 256 L); anything else could stall the renormalization.
      if (x[j] < kRansL || x[j] >= (kRansL << 8)) {
        return Status::Corruption("rANS stream: block " + std::to_string(b) + " initial state out of range");
      }
      r[j] = {p + 4, p + sizes[j]};
      p += sizes[j];
      lo[j] = first + std::min(m, j * q);
      cnt[j] = first + std::min(m, (j + 1) * q) - lo[j];
    }
    auto step = [&](int j, size_t i) {
      const uint32_t e = slot[x[j] & (kScale - 1)];
      uint32_t y = (((e >> 8) & (kScale - 1)) + 1) * (x[j] >> kRansScaleBits) + (e >> 20);
      while (y < kRansL) y = (y << 8) | r[j].Next();
      x[j] = y;
      out[i] = static_cast<uint8_t>(e);
    };
    // A step reads at most 2 bytes (states stay >= 2^11 before renormalizing), so
    // rounds of room/2 steps need no bounds checks.
    size_t i = 0;
    for (;;) {
      size_t steps = cnt[3] - i;
      for (int j = 0; j < 4; ++j) steps = std::min<size_t>(steps, static_cast<size_t>(r[j].end - r[j].p) / 2);
      if (steps == 0) break;
      uint32_t x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
      const uint8_t *p0 = r[0].p, *p1 = r[1].p, *p2 = r[2].p, *p3 = r[3].p;
      const uint32_t* sl = slot.data();
#define MVC_RANS_STEP_(xx, pp, j)                                              \
  do {                                                                         \
    const uint32_t e_ = sl[xx & (kScale - 1)];                                 \
    xx = (((e_ >> 8) & (kScale - 1)) + 1) * (xx >> kRansScaleBits) + (e_ >> 20); \
    /* At most two bytes; branch-free (renormalization is unpredictable). */   \
    {                                                                          \
      const uint32_t n1_ = xx < kRansL;                                        \
      xx = n1_ ? (xx << 8) | pp[0] : xx;                                       \
      pp += n1_;                                                               \
      const uint32_t n2_ = xx < kRansL;                                        \
      xx = n2_ ? (xx << 8) | pp[0] : xx;                                       \
      pp += n2_;                                                               \
    }                                                                          \
    out[lo[j] + i + k] = static_cast<uint8_t>(e_);                             \
  } while (0)
      for (size_t k = 0; k < steps; ++k) {
        MVC_RANS_STEP_(x0, p0, 0); MVC_RANS_STEP_(x1, p1, 1);
        MVC_RANS_STEP_(x2, p2, 2); MVC_RANS_STEP_(x3, p3, 3);
      }
#undef MVC_RANS_STEP_
      x[0] = x0; x[1] = x1; x[2] = x2; x[3] = x3;
      r[0].p = p0; r[1].p = p1; r[2].p = p2; r[3].p = p3;
      i += steps;
    }
    for (; i < cnt[3]; ++i) { step(0, lo[0] + i); step(1, lo[1] + i); step(2, lo[2] + i); step(3, lo[3] + i); }
    for (int j = 0; j < 3; ++j)
      for (size_t k = i; k < cnt[j]; ++k) step(j, lo[j] + k);
    for (int j = 0; j < 4; ++j) {
      if (r[j].overrun || x[j] != kRansL || r[j].p != r[j].end) {
        return Status::Corruption("rANS stream: block " + std::to_string(b) + " sub-stream " +
                                  std::to_string(j) + " does not end in the initial state");
      }
    }
  }
  if (prev_end != data_size) {
    return Status::Corruption("rANS stream: " + std::to_string(data_size - prev_end) + " trailing bytes after the last block");
  }
  return Status::Ok();
}

}  // namespace mvc::codec_internal
