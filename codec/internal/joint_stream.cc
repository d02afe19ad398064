#include "codec/internal/joint_stream.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "codec/internal/code_length_coding.h"
#include "codec/internal/huffman_blocks.h"
#include "codec/internal/huffman_code.h"

namespace mvc::codec_internal {
namespace {

// A head's fields: bits [0, h) the high mantissa, [h, h + E) the exponent, bit h + E
// the sign. The symbol is head bits [h - K, h + E); the raw field is the low h - K
// bits with the sign above them. (Compile-time shapes were tried for the encoder's
// loops: slower, 600-660 against 880-900 MB/s on the BF16 checkpoint.)
struct Fields {
  int exp_bits, high_bits, joined;
  unsigned raw_bits, shift;
  uint32_t low_mask;
  explicit Fields(const JointShape& s)
      : exp_bits(s.exp_bits), high_bits(s.high_bits), joined(s.joined),
        raw_bits(unsigned(s.high_bits + 1 - s.joined)), shift(unsigned(s.high_bits - s.joined)),
        low_mask((1u << (s.high_bits - s.joined)) - 1) {}
  int alphabet() const { return 1 << (exp_bits + joined); }
  // The head bits a symbol and a raw field stand for.
  uint32_t HeadOfSymbol(uint32_t sym) const { return sym << shift; }
  uint32_t HeadOfRaw(uint32_t raw) const { return ((raw >> shift) << (exp_bits + high_bits)) | (raw & low_mask); }
};

inline uint32_t LoadHead(const uint8_t* heads, size_t i) {
  uint16_t h;
  std::memcpy(&h, heads + 2 * i, 2);
  return h;
}

inline void StoreHead(uint8_t* heads, size_t i, uint32_t h) {
  const uint16_t v = static_cast<uint16_t>(h);
  std::memcpy(heads + 2 * i, &v, 2);
}

// Exp_Bits with this bit set: blocks in the single form (huffman_blocks.h).
constexpr uint8_t kSingleStream = 0x80;
// Joined_Bits with this bit set: heads are whole F16 elements (h = 10).
constexpr uint8_t kWholeHeads = 0x80;

// Raw fields of up to 7 bits (heads of at most 1 + E + 7 bits) and of up to 9 (whole
// F16 elements as heads).
constexpr int kMaxHeadRawBits = 7;
constexpr int kMaxRawBits = 10;
// Elements per refill of 56 bits: three when a code (<= 11 bits) and its raw field take
// at most 18 bits (3 * 18 <= 56), two up to 20 (the writer adds them to a 64-bit
// accumulator holding up to 7 pending bits: 3 * 18 + 7 <= 64, 2 * 20 + 7 <= 64).
constexpr size_t PerRefill(unsigned raw_bits) { return raw_bits <= kMaxHeadRawBits ? 3 : 2; }
// High mantissa bits of whole F16 heads.
constexpr int kWholeHighBits = 10;

// The coding loops (the decoders' and the writer's) are built for BMI2 too and picked
// at run time where the CPU has it: its shifts by a register (shrx, shlx) are one
// micro-op where the baseline's shift by cl is three, and every element shifts a bit
// buffer by its length. The loops are inlined into each clone (multiversioned
// functions cannot be templates in clang).
#define MVC_CODER_CLONES_ __attribute__((target_clones("bmi2", "default")))

// Decode table entry: the symbol's head bits in bits 0-15, above them the bits the
// element takes (its raw field and its code).
inline uint32_t Entry(uint32_t head_bits, uint32_t bits) { return head_bits | (bits << 16); }

// The unchecked inner loop: `steps` refills of each of the four sub-streams, three
// heads each. The raw field's width and the table size are constants, so shifts and
// masks are immediates and the four sub-streams stay in registers.
template <unsigned kRawBits>
[[gnu::always_inline]] inline void DecodeJointFast4(BitReader* r, const size_t* lo, size_t steps,
                                                    const uint32_t* table, const uint16_t* raw_head,
                                                    uint8_t* heads) {
  constexpr size_t kPerRefill = PerRefill(kRawBits);
  constexpr uint64_t kMask = (uint64_t{1} << kMaxCodeBits) - 1;
  constexpr uint64_t kRawMask = (uint64_t{1} << kRawBits) - 1;
  uint64_t b0 = r[0].buf, b1 = r[1].buf, b2 = r[2].buf, b3 = r[3].buf;
  unsigned c0 = r[0].cnt, c1 = r[1].cnt, c2 = r[2].cnt, c3 = r[3].cnt;
  const uint8_t *p0 = r[0].p, *p1 = r[1].p, *p2 = r[2].p, *p3 = r[3].p;
  uint8_t *o0 = heads + 2 * lo[0], *o1 = heads + 2 * lo[1], *o2 = heads + 2 * lo[2], *o3 = heads + 2 * lo[3];
#define MVC_DECODE_(b, c, o, u)                                  \
  do {                                                           \
    const uint32_t r_ = raw_head[b & kRawMask];                  \
    const uint32_t e_ = table[(b >> kRawBits) & kMask];          \
    const unsigned l_ = e_ >> 16;                                \
    b >>= l_;                                                    \
    c -= l_;                                                     \
    StoreHead(o, u, e_ | r_);                                    \
  } while (0)
  for (size_t k = 0; k < steps; ++k) {
    MVC_HUFFMAN_REFILL(b0, c0, p0); MVC_HUFFMAN_REFILL(b1, c1, p1);
    MVC_HUFFMAN_REFILL(b2, c2, p2); MVC_HUFFMAN_REFILL(b3, c3, p3);
    for (size_t u = 0; u < kPerRefill; ++u) {
      MVC_DECODE_(b0, c0, o0, u); MVC_DECODE_(b1, c1, o1, u);
      MVC_DECODE_(b2, c2, o2, u); MVC_DECODE_(b3, c3, o3, u);
    }
    o0 += 2 * kPerRefill; o1 += 2 * kPerRefill; o2 += 2 * kPerRefill; o3 += 2 * kPerRefill;
  }
#undef MVC_DECODE_
  r[0].buf = b0; r[1].buf = b1; r[2].buf = b2; r[3].buf = b3;
  r[0].cnt = c0; r[1].cnt = c1; r[2].cnt = c2; r[3].cnt = c3;
  r[0].p = p0; r[1].p = p1; r[2].p = p2; r[3].p = p3;
}

// One sub-stream's heads from i towards hi, in rounds of as many refills as it has 8
// readable bytes for: the single form's only stream (small chunks), and what the four
// sub-streams of a block hold past the shortest. Returns the next head to decode.
template <unsigned kRawBits>
[[gnu::always_inline]] inline size_t DecodeJointFast1(BitReader* r, size_t i, size_t hi, const uint32_t* table,
                                                      const uint16_t* raw_head, uint8_t* heads) {
  constexpr size_t kPerRefill = PerRefill(kRawBits);
  constexpr uint64_t kMask = (uint64_t{1} << kMaxCodeBits) - 1;
  constexpr uint64_t kRawMask = (uint64_t{1} << kRawBits) - 1;
  uint64_t b = r->buf;
  unsigned c = r->cnt;
  const uint8_t* p = r->p;
  for (;;) {
    const size_t steps = std::min((hi - i) / kPerRefill, SafeRefills(p, r->end));
    if (steps == 0) break;
    for (size_t k = 0; k < steps; ++k) {
      MVC_HUFFMAN_REFILL(b, c, p);
      for (size_t u = 0; u < kPerRefill; ++u, ++i) {
        const uint32_t raw = raw_head[b & kRawMask];
        const uint32_t e = table[(b >> kRawBits) & kMask];
        const unsigned l = e >> 16;
        b >>= l;
        c -= l;
        StoreHead(heads, i, e | raw);
      }
    }
  }
  r->buf = b;
  r->cnt = c;
  r->p = p;
  return i;
}

MVC_CODER_CLONES_ size_t DecodeJointFast1Any(unsigned raw_bits, BitReader* r, size_t i, size_t hi,
                                             const uint32_t* table, const uint16_t* raw_head, uint8_t* heads) {
  size_t next = i;
  [&]<unsigned... B>(std::integer_sequence<unsigned, B...>) __attribute__((always_inline)) {
    ((raw_bits == B + 1 ? void(next = DecodeJointFast1<B + 1>(r, i, hi, table, raw_head, heads)) : void()), ...);
  }(std::make_integer_sequence<unsigned, kMaxRawBits>{});
  return next;
}

// DecodeJointFast4 for a raw field of raw_bits (1..kMaxRawBits).
MVC_CODER_CLONES_ void DecodeJointFast4Any(unsigned raw_bits, BitReader* r, const size_t* lo, size_t steps,
                                           const uint32_t* table, const uint16_t* raw_head, uint8_t* heads) {
  [&]<unsigned... B>(std::integer_sequence<unsigned, B...>) __attribute__((always_inline)) {
    ((raw_bits == B + 1 ? DecodeJointFast4<B + 1>(r, lo, steps, table, raw_head, heads) : void()), ...);
  }(std::make_integer_sequence<unsigned, kMaxRawBits>{});
}

// Writes elements [lo, hi) whose code(k) gives bits (0-23) and their count (24-31).
// The writer's state is held in locals: its byte stores may alias anything reached by
// reference, which would keep the accumulator in memory. kPer elements (PerRefill)
// are packed into one value, then added to the accumulator.
template <size_t kPer, typename Code>
[[gnu::always_inline]] inline void WriteCodes(BitWriter* w, size_t lo, size_t hi, Code code) {
  uint64_t acc = w->acc;
  unsigned bits = w->bits;
  uint8_t* p = w->p;
  size_t k = lo;
  for (; k + kPer <= hi; k += kPer) {
    const uint32_t e0 = code(k), e1 = code(k + 1);
    const unsigned l0 = e0 >> 24, l1 = e1 >> 24;
    uint64_t packed = uint64_t{e0 & 0xFFFFFF} | (uint64_t{e1 & 0xFFFFFF} << l0);
    unsigned len = l0 + l1;
    if constexpr (kPer == 3) {
      const uint32_t e2 = code(k + 2);
      packed |= uint64_t{e2 & 0xFFFFFF} << len;
      len += e2 >> 24;
    }
    acc |= packed << bits;
    bits += len;
    std::memcpy(p, &acc, 8);
    p += bits >> 3;
    acc >>= bits & ~7u;
    bits &= 7;
  }
  w->acc = acc;
  w->bits = bits;
  w->p = p;
  for (; k < hi; ++k) {
    const uint32_t e = code(k);
    w->Put(e & 0xFFFFFF, e >> 24);
    w->Flush();
  }
}

// Writes heads [lo, hi) by the table of whole heads when there is one, else by the
// table by sign and symbol with the head's low bits OR-ed in. Arguments by value: the
// writer's byte stores could alias anything reached by reference, and the pointers
// would be reloaded for every element.
MVC_CODER_CLONES_ void WriteHeadCodes(BitWriter* w, size_t lo, size_t hi, const uint8_t* in,
                                      const uint32_t* by_sign_symbol, const uint32_t* by_head, unsigned shift,
                                      uint32_t low_mask, size_t per_refill) {
  auto write = [&]<size_t kPer>() __attribute__((always_inline)) {
    if (by_head) {
      WriteCodes<kPer>(w, lo, hi, [by_head, in](size_t k) { return by_head[LoadHead(in, k)]; });
    } else {
      WriteCodes<kPer>(w, lo, hi, [by_sign_symbol, in, shift, low_mask](size_t k) {
        const uint32_t h = LoadHead(in, k);
        return by_sign_symbol[h >> shift] | (h & low_mask);
      });
    }
  };
  if (per_refill == 3) {
    write.template operator()<3>();
  } else {
    write.template operator()<2>();
  }
}

}  // namespace

int DefaultJoinedBits(int exp_bits, int high_bits) {
  return high_bits == kWholeHighBits ? 11 - exp_bits : std::min({3, high_bits, 11 - exp_bits});
}

bool JointStreamHasWholeHeads(ByteView in) { return in.size() >= 2 && (in[1] & kWholeHeads) != 0; }

namespace {

// Symbol counts of the n heads for f's joined bits, the sign folded in.
MVC_CODER_CLONES_ std::vector<uint32_t> CountSymbols(const uint8_t* heads, size_t n, const Fields& f) {
  const int a = f.alphabet();
  // Counted by symbol and sign (head >> shift, no mask: one operation less), in two
  // histograms that break the store-to-load dependency on repeated symbols (four
  // measured no faster).
  const size_t signed_a = 2 * size_t(a);
  std::vector<uint32_t> counts(2 * signed_a, 0);
  const unsigned shift = f.shift;
  size_t i = 0;
  for (; i + 2 <= n; i += 2) {
    ++counts[LoadHead(heads, i) >> shift];
    ++counts[signed_a + (LoadHead(heads, i + 1) >> shift)];
  }
  for (; i < n; ++i) ++counts[LoadHead(heads, i) >> shift];
  std::vector<uint32_t> hist(a);
  for (int s = 0; s < a; ++s) hist[s] = counts[s] + counts[a + s] + counts[signed_a + s] + counts[signed_a + a + s];
  return hist;
}

// Writes the stream with code lengths len (BuildLengths of the heads' symbol counts).
void WriteWithLengths(const uint8_t* heads, size_t n, const JointShape& shape, const uint8_t* len, Bytes* out) {
  const Fields f(shape);
  const int a = f.alphabet();
  std::vector<uint16_t> code(a);
  BuildCodes(len, a, code.data());

  const bool single = n < kSingleStreamBelow;
  out->push_back(static_cast<uint8_t>(shape.exp_bits | (single ? kSingleStream : 0)));
  out->push_back(static_cast<uint8_t>(shape.joined | (shape.high_bits == kWholeHighBits ? kWholeHeads : 0)));
  NibbleWriter nibbles;
  AppendCodeLengths(len, a, &nibbles);
  const std::vector<uint8_t> packed = nibbles.Pack();
  PutBytes(out, packed.data(), packed.size());
  // Codes by sign and symbol (head >> shift: 2^(1+E+K) entries, in L1): the code above
  // the raw field's place with the sign at its place in the raw field (bits 0-23), the
  // element's bits above; the head's low bits are OR-ed in per element. (A table by
  // symbol alone, the sign moved into place per element, wrote chunks of 4K-128K
  // elements 1.3-1.8x slower.)
  std::vector<uint32_t> by_sign_symbol(2 * size_t(a));
  for (uint32_t sign = 0; sign < 2; ++sign) {
    for (int s = 0; s < a; ++s) {
      by_sign_symbol[sign * a + s] =
          (uint32_t{code[s]} << f.raw_bits) | (sign << f.shift) | ((CodeLen(len[s]) + f.raw_bits) << 24);
    }
  }
  // A chunk of many elements looks each head up whole: one load (a table of 2^(1+E+h)
  // entries: 64K for BF16/F32, built when the chunk has at least twice as many
  // elements; 12-18% faster there than the L1 table, no faster at 32K-128K elements).
  const size_t head_space = size_t{1} << (1 + f.exp_bits + f.high_bits);
  std::unique_ptr<uint32_t[]> by_head;  // not zero-filled: every entry is written
  if (n >= 2 * head_space) {
    by_head.reset(new uint32_t[head_space]);
    // Runs of 2^shift heads share a sign and symbol: the inner loop is a vectorizable fill.
    const uint32_t low_count = 1u << f.shift;
    uint32_t* out_entry = by_head.get();
    for (uint32_t base : by_sign_symbol)
      for (uint32_t low = 0; low < low_count; ++low) *out_entry++ = base | low;
  }
  WriteHuffmanBlocks(n, kMaxCodeBits + f.raw_bits, single, [&](BitWriter& w, size_t lo, size_t hi) {
    WriteHeadCodes(&w, lo, hi, heads, by_sign_symbol.data(), by_head.get(), f.shift, f.low_mask,
                   PerRefill(f.raw_bits));
  }, out);
}

}  // namespace

void WriteJointStream(const uint8_t* heads, size_t n, const JointShape& shape, Bytes* out) {
  const Fields f(shape);
  const std::vector<uint32_t> hist = CountSymbols(heads, n, f);
  std::vector<uint8_t> len(hist.size());
  BuildLengths(hist.data(), f.alphabet(), len.data());
  WriteWithLengths(heads, n, shape, len.data(), out);
}

JointPlan PlanJointStream(const uint8_t* heads, size_t n, int exp_bits, int high_bits) {
  const int max_joined = DefaultJoinedBits(exp_bits, high_bits);
  // One count at the largest K; a symbol with one joined bit fewer is the symbol
  // shifted right by one, so each smaller K's counts are pairs of the next one's.
  std::vector<std::vector<uint32_t>> hists(size_t(max_joined) + 1);
  hists[max_joined] = CountSymbols(heads, n, Fields(JointShape{exp_bits, high_bits, max_joined}));
  for (int k = max_joined - 1; k >= 1; --k) {
    const std::vector<uint32_t>& up = hists[k + 1];
    std::vector<uint32_t>& h = hists[k];
    h.resize(up.size() / 2);
    for (size_t s = 0; s < h.size(); ++s) h[s] = up[2 * s] + up[2 * s + 1];
  }
  // What differs between the choices: codes, raw fields and the table.
  auto price = [&](int k, std::vector<uint8_t>* len) {
    const std::vector<uint32_t>& hist = hists[k];
    const int a = static_cast<int>(hist.size());
    len->resize(hist.size());
    BuildLengths(hist.data(), a, len->data());
    uint64_t bits = 4 * uint64_t{CodeLengthNibbles(len->data(), a)} + uint64_t{n} * unsigned(high_bits + 1 - k);
    for (int s = 0; s < a; ++s) bits += uint64_t{hist[s]} * CodeLen((*len)[s]);
    return bits;
  };
  // From the fewest joined bits up, while the stream shrinks: each joined bit saves
  // less than the one before and costs a table twice as large, so the sizes fall to
  // one minimum and rise after it (on every F16 chunk of the shared and npm models the
  // search stops at K = 1..4 of 1..6; pricing all six cost 70% of the encoder's time).
  JointPlan best{{exp_bits, high_bits, max_joined}, {}, UINT64_MAX};
  std::vector<uint8_t> len;
  for (int k = 1; k <= max_joined; ++k) {
    const uint64_t bits = price(k, &len);
    if (bits > best.bits) break;
    best.shape.joined = k;
    best.lengths = len;
    best.bits = bits;
  }
  return best;
}

void WriteJointStreamWithPlan(const uint8_t* heads, size_t n, const JointPlan& plan, Bytes* out) {
  WriteWithLengths(heads, n, plan.shape, plan.lengths.data(), out);
}

int WriteJointStreamBestJoined(const uint8_t* heads, size_t n, int exp_bits, int high_bits, Bytes* out) {
  const JointPlan plan = PlanJointStream(heads, n, exp_bits, high_bits);
  WriteJointStreamWithPlan(heads, n, plan, out);
  return plan.shape.joined;
}

Status DecodeJointStream(ByteView in, size_t n, int exp_bits, int high_bits, uint8_t* heads,
                         const BlockDone& block_done) {
  if (in.size() < 2) return Status::Corruption("joint stream: truncated header");
  const bool single = (in[0] & kSingleStream) != 0;
  const int stream_exp_bits = in[0] & ~kSingleStream;
  const int joined = in[1] & ~kWholeHeads;
  if (((in[1] & kWholeHeads) != 0) != (high_bits == kWholeHighBits)) {
    return Status::Corruption(std::string("joint stream: whole-element heads flag ") +
                              ((in[1] & kWholeHeads) ? "set" : "clear") + " for " + std::to_string(high_bits) +
                              " high mantissa bits");
  }
  if (stream_exp_bits != exp_bits || joined < 1 || joined > high_bits || exp_bits + joined > 11 ||
      high_bits + 1 - joined > kMaxRawBits) {
    return Status::Corruption("joint stream: " + std::to_string(stream_exp_bits) + " exponent bits and " +
                              std::to_string(joined) + " joined bits do not fit " + std::to_string(exp_bits) +
                              " exponent and " + std::to_string(high_bits) + " mantissa bits");
  }
  const Fields f(JointShape{exp_bits, high_bits, joined});
  const int a = f.alphabet();
  std::vector<uint8_t> len(a);
  size_t pos = 2;
  NibbleReader nibbles{in.data() + pos, 2 * (in.size() - pos)};
  MVC_RETURN_IF_ERROR_CTX(ParseCodeLengths(&nibbles, a, len.data()), "joint stream: table");
  pos += (nibbles.pos + 1) / 2;
  int sole = -1;
  MVC_RETURN_IF_ERROR_CTX(CheckCodeLengths(len.data(), a, &sole), "joint stream: table");
  // One 2^11-entry table (8 KB) whatever the longest code: the mask is a constant of
  // the inner loop, and building it costs little beside a chunk's elements.
  constexpr uint32_t kSize = 1u << kMaxCodeBits;
  constexpr uint64_t kMask = kSize - 1;
  // Unassigned slots decode as symbol 0 with a 1-bit code: wrong bytes (the chunk
  // hash catches them), never a read out of bounds or a stall.
  std::vector<uint32_t> table(kSize);
  if (sole >= 0) {
    std::fill(table.begin(), table.end(), Entry(f.HeadOfSymbol(uint32_t(sole)), f.raw_bits));
  } else {
    // The first 2^L entries (L the longest code) are the table; the rest repeat them,
    // copied in doublings (small chunks would spend more on the strided fill of all
    // 2^11 than on their elements).
    unsigned longest = 1;
    for (int s = 0; s < a; ++s) longest = std::max<unsigned>(longest, len[s]);
    const uint32_t used = 1u << longest;
    std::fill(table.begin(), table.begin() + used, Entry(0, 1 + f.raw_bits));
    std::vector<uint16_t> code(a);
    BuildCodes(len.data(), a, code.data());
    for (int s = 0; s < a; ++s) {
      const unsigned l = len[s];
      if (l == 0) continue;
      const uint32_t e = Entry(f.HeadOfSymbol(uint32_t(s)), l + f.raw_bits);
      for (uint32_t i = code[s]; i < used; i += 1u << l) table[i] = e;
    }
    for (uint32_t filled = used; filled < kSize; filled *= 2) {
      std::copy(table.begin(), table.begin() + filled, table.begin() + filled);
    }
  }
  uint16_t raw_head[1 << kMaxRawBits];
  for (uint32_t r = 0; r < (1u << f.raw_bits); ++r) raw_head[r] = static_cast<uint16_t>(f.HeadOfRaw(r));
  const unsigned raw_bits = f.raw_bits;
  const uint64_t raw_mask = (uint64_t{1} << raw_bits) - 1;

  HuffmanBlockReader blocks;
  MVC_RETURN_IF_ERROR_CTX(blocks.Open(in, pos, n, single), "joint stream");
  size_t single_used = 0;  // bytes the single form's bitstream took
  for (size_t b = 0; b < blocks.num_blocks(); ++b) {
    SubStreams s;
    MVC_RETURN_IF_ERROR_CTX(blocks.Next(&s), "joint stream");
    // Rounds of as many refills as every sub-stream has 8 readable bytes for (see
    // SafeRefills); the last quarter is the shortest.
    const size_t per = PerRefill(raw_bits);
    const size_t total_steps = (s.hi[3] - s.lo[3]) / per;
    size_t k = 0;
    for (;;) {
      size_t steps = total_steps - k / per;
      for (int j = 0; j < 4; ++j) steps = std::min(steps, SafeRefills(s.r[j]));
      if (steps == 0) break;
      const size_t at[4] = {s.lo[0] + k, s.lo[1] + k, s.lo[2] + k, s.lo[3] + k};
      DecodeJointFast4Any(raw_bits, s.r, at, steps, table.data(), raw_head, heads);
      k += per * steps;
    }
    for (int j = 0; j < 4; ++j) {
      BitReader& r = s.r[j];
      const size_t from = DecodeJointFast1Any(raw_bits, &r, s.lo[j] + k, s.hi[j], table.data(), raw_head, heads);
      for (size_t i = from; i < s.hi[j]; ++i) {
        if (r.cnt < kMaxCodeBits + raw_bits) r.RefillSafe();
        const uint32_t raw = raw_head[r.buf & raw_mask];
        const uint32_t e = table[(r.buf >> raw_bits) & kMask];
        const unsigned l = e >> 16;
        r.buf >>= l;
        r.cnt -= l;
        StoreHead(heads, i, e | raw);
      }
      if (r.Overran()) {
        return Status::Corruption("joint stream: block " + std::to_string(b) + " sub-stream " +
                                  std::to_string(j) + " ends early");
      }
    }
    if (block_done) block_done(s.lo[0], s.hi[3]);
    single_used = s.r[0].UsedBytes();
  }
  MVC_RETURN_IF_ERROR_CTX(blocks.Finish(single_used), "joint stream");
  return Status::Ok();
}

}  // namespace mvc::codec_internal
