#include "codec/internal/entropy_stream.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "codec/internal/byte_histogram.h"
#include "codec/internal/code_length_coding.h"
#include "codec/internal/huffman_blocks.h"
#include "codec/internal/huffman_code.h"
#include "core/endian_coding.h"

namespace mvc::codec_internal {
namespace {

size_t TableBytes(int alphabet_bits) { return ((size_t{1} << alphabet_bits) + 1) / 2; }

// Alphabet_Bits with this bit set: the compact header (context span, run-coded tables).
constexpr uint8_t kCompactTables = 0x80;
// Alphabet_Bits with this bit set: blocks in the single form (huffman_blocks.h).
constexpr uint8_t kSingleStream = 0x40;

// The contexts [first, first + count) that the compact header lists: from the first
// to the last context with a table of its own (the others use table 0).
std::pair<size_t, size_t> ContextSpan(const std::vector<uint8_t>& ctx_to_table) {
  size_t first = ctx_to_table.size(), last = 0;
  for (size_t c = 0; c < ctx_to_table.size(); ++c) {
    if (ctx_to_table[c] == 0) continue;
    first = std::min(first, c);
    last = c;
  }
  return first > last ? std::pair<size_t, size_t>{0, 0} : std::pair<size_t, size_t>{first, last - first + 1};
}

// Decode table: entry = symbol | (length << 8). Unused slots decode as symbol 0 of
// length 1: wrong bytes (the caller's hash catches them), never out of bounds.
// `table_log` (the longest code of the stream, <= 11) sets the table's 2^table_log size:
// small alphabets and short codes make small tables, cheap to build per chunk.
Status BuildDecodeTable(const uint8_t* len, int a, unsigned table_log, uint16_t* table) {
  const uint32_t size = 1u << table_log;
  int sole = -1;
  MVC_RETURN_IF_ERROR(CheckCodeLengths(len, a, &sole));
  if (sole >= 0) {
    for (uint32_t i = 0; i < size; ++i) table[i] = static_cast<uint16_t>(sole);
    return Status::Ok();
  }
  for (uint32_t i = 0; i < size; ++i) table[i] = 1u << 8;
  uint16_t code[256];
  BuildCodes(len, a, code);
  for (int s = 0; s < a; ++s) {
    unsigned l = len[s];
    if (l == 0) continue;
    for (uint32_t i = code[s]; i < size; i += 1u << l) table[i] = static_cast<uint16_t>(s | (l << 8));
  }
  return Status::Ok();
}

// The unchecked inner loop of the decoder; returns the steps done (each step decodes
// four symbols of each of the four sub-streams). REQUIRES: `steps` refills of every
// reader stay in bounds (see the caller).
template <bool kCtx>
size_t DecodeFast4(BitReader* r, const size_t* lo, size_t steps, const uint8_t* ctx,
                   const uint16_t* const* tabptr, const uint16_t* tab0, uint64_t mask,
                   uint8_t* out) {
  // Locals rather than the array, so the compiler keeps them in registers.
  uint64_t b0 = r[0].buf, b1 = r[1].buf, b2 = r[2].buf, b3 = r[3].buf;
  unsigned c0 = r[0].cnt, c1 = r[1].cnt, c2 = r[2].cnt, c3 = r[3].cnt;
  const uint8_t *p0 = r[0].p, *p1 = r[1].p, *p2 = r[2].p, *p3 = r[3].p;
  uint8_t *o0 = out + lo[0], *o1 = out + lo[1], *o2 = out + lo[2], *o3 = out + lo[3];
  const uint8_t *x0 = nullptr, *x1 = nullptr, *x2 = nullptr, *x3 = nullptr;
  if (kCtx) { x0 = ctx + lo[0]; x1 = ctx + lo[1]; x2 = ctx + lo[2]; x3 = ctx + lo[3]; }
#define MVC_DECODE_(b, c, o, x, u)                                      \
  do {                                                                  \
    const uint16_t* t_ = kCtx ? tabptr[x[u]] : tab0;                    \
    uint16_t e_ = t_[b & mask];                                         \
    unsigned l_ = e_ >> 8;                                              \
    b >>= l_;                                                           \
    c -= l_;                                                            \
    o[u] = static_cast<uint8_t>(e_);                                    \
  } while (0)
  for (size_t k = 0; k < steps; ++k) {
    MVC_HUFFMAN_REFILL(b0, c0, p0); MVC_HUFFMAN_REFILL(b1, c1, p1); MVC_HUFFMAN_REFILL(b2, c2, p2); MVC_HUFFMAN_REFILL(b3, c3, p3);
    for (int u = 0; u < 4; ++u) {
      MVC_DECODE_(b0, c0, o0, x0, u); MVC_DECODE_(b1, c1, o1, x1, u);
      MVC_DECODE_(b2, c2, o2, x2, u); MVC_DECODE_(b3, c3, o3, x3, u);
    }
    o0 += 4; o1 += 4; o2 += 4; o3 += 4;
    if (kCtx) { x0 += 4; x1 += 4; x2 += 4; x3 += 4; }
  }
#undef MVC_DECODE_
  r[0].buf = b0; r[1].buf = b1; r[2].buf = b2; r[3].buf = b3;
  r[0].cnt = c0; r[1].cnt = c1; r[2].cnt = c2; r[3].cnt = c3;
  r[0].p = p0; r[1].p = p1; r[2].p = p2; r[3].p = p3;
  return 4 * steps;
}

// One sub-stream's symbols from i towards hi, four per refill, in rounds of as many
// refills as it has 8 readable bytes for: the single form's only stream (small planes)
// and what the four sub-streams hold past the shortest. Returns the next symbol.
template <bool kCtx>
size_t DecodeFast1(BitReader* r, size_t i, size_t hi, const uint8_t* ctx, const uint16_t* const* tabptr,
                   const uint16_t* tab0, uint64_t mask, uint8_t* out) {
  uint64_t b = r->buf;
  unsigned c = r->cnt;
  const uint8_t* p = r->p;
  for (;;) {
    const size_t steps = std::min((hi - i) / 4, SafeRefills(p, r->end));
    if (steps == 0) break;
    for (size_t k = 0; k < steps; ++k) {
      MVC_HUFFMAN_REFILL(b, c, p);
      for (int u = 0; u < 4; ++u, ++i) {
        const uint16_t* t = kCtx ? tabptr[ctx[i]] : tab0;
        const uint16_t e = t[b & mask];
        const unsigned l = e >> 8;
        b >>= l;
        c -= l;
        out[i] = static_cast<uint8_t>(e);
      }
    }
  }
  r->buf = b;
  r->cnt = c;
  r->p = p;
  return i;
}

// Multi-symbol decode table for streams without context: each slot holds up to
// three whole codes that the table's `table_log` bits determine (symbols in bits 0-23,
// their total length in bits 24-27, their count in bits 28-29). Skewed planes
// (exponents, delta bytes) average a few bits per code, so one lookup yields two or
// three symbols; the codes are the stream's own, so the format does not change.
void BuildMultiTable(const uint16_t* single, unsigned table_log, uint32_t* multi) {
  const uint32_t size = 1u << table_log;
  for (uint32_t i = 0; i < size; ++i) {
    uint32_t syms = 0, used = 0, count = 0;
    for (; count < 3; ++count) {
      const uint16_t e = single[(i >> used) & (size - 1)];
      const unsigned l = e >> 8;
      if (count > 0 && used + l > table_log) break;  // not all of its bits are known
      syms |= uint32_t{static_cast<uint8_t>(e)} << (8 * count);
      used += l;
    }
    multi[i] = syms | (used << 24) | (count << 28);
  }
}

// The multi-symbol counterpart of DecodeFast4: four lookups per sub-stream per
// refill (each consumes at most 11 bits). Each lookup stores four bytes and advances
// by its count, so every output pointer keeps 12 + 4 bytes of room per step (the
// caller's bound). Returns nothing: the pointers say how far each stream got.
void DecodeMultiFast4(BitReader* r, uint8_t** o, size_t steps, const uint32_t* multi, uint64_t mask) {
  uint64_t b0 = r[0].buf, b1 = r[1].buf, b2 = r[2].buf, b3 = r[3].buf;
  unsigned c0 = r[0].cnt, c1 = r[1].cnt, c2 = r[2].cnt, c3 = r[3].cnt;
  const uint8_t *p0 = r[0].p, *p1 = r[1].p, *p2 = r[2].p, *p3 = r[3].p;
  uint8_t *o0 = o[0], *o1 = o[1], *o2 = o[2], *o3 = o[3];
#define MVC_DECODE_(b, c, o)                 \
  do {                                       \
    const uint32_t e_ = multi[b & mask];     \
    const unsigned l_ = (e_ >> 24) & 15;     \
    std::memcpy(o, &e_, 4);                  \
    o += e_ >> 28;                           \
    b >>= l_;                                \
    c -= l_;                                 \
  } while (0)
  for (size_t k = 0; k < steps; ++k) {
    MVC_HUFFMAN_REFILL(b0, c0, p0); MVC_HUFFMAN_REFILL(b1, c1, p1); MVC_HUFFMAN_REFILL(b2, c2, p2); MVC_HUFFMAN_REFILL(b3, c3, p3);
    for (int u = 0; u < 4; ++u) {
      MVC_DECODE_(b0, c0, o0); MVC_DECODE_(b1, c1, o1); MVC_DECODE_(b2, c2, o2); MVC_DECODE_(b3, c3, o3);
    }
  }
#undef MVC_DECODE_
  r[0].buf = b0; r[1].buf = b1; r[2].buf = b2; r[3].buf = b3;
  r[0].cnt = c0; r[1].cnt = c1; r[2].cnt = c2; r[3].cnt = c3;
  r[0].p = p0; r[1].p = p1; r[2].p = p2; r[3].p = p3;
  o[0] = o0; o[1] = o1; o[2] = o2; o[3] = o3;
}

}  // namespace

EntropyPlan PlanEntropyStream(const uint8_t* sym, const uint8_t* ctx, size_t n, int ab, int cb,
                              const uint32_t* sym_counts) {
  EntropyPlan plan;
  plan.alphabet_bits = ab;
  plan.ctx_bits = ctx ? cb : 0;
  const int a = 1 << ab;
  const int nctx = plan.ctx_bits ? 1 << plan.ctx_bits : 1;
  // Contexts are exponents, which span a few dozen of their 256 values: histograms
  // over the range in use stay in cache and cost little to clear and scan.
  int cmin = 0, cmax = 0;
  if (plan.ctx_bits) {
    uint8_t lo = 255, hi = 0;
    for (size_t i = 0; i < n; ++i) { lo = std::min(lo, ctx[i]); hi = std::max(hi, ctx[i]); }
    cmin = lo;
    cmax = hi;
  }
  const int nused = cmax - cmin + 1;
  std::vector<uint32_t> hist(size_t(nused) * a, 0);
  if (plan.ctx_bits) {
    uint32_t* h = hist.data() - size_t(cmin) * a;
    for (size_t i = 0; i < n; ++i) ++h[size_t(ctx[i]) * a + sym[i]];
  } else {
    uint32_t count[256];  // symbols are below a <= 256
    if (!sym_counts) {
      ByteHistogram(sym, n, count);
      sym_counts = count;
    }
    std::copy_n(sym_counts, a, hist.begin());
  }
  auto cost = [&](const uint32_t* h, const uint8_t* len) {
    uint64_t bits = 0;
    for (int s = 0; s < a; ++s) bits += uint64_t{h[s]} * CodeLen(len[s]);
    return bits;
  };
  auto table_bits = [&](const uint8_t* len) { return 4 * CodeLengthNibbles(len, a); };
  uint64_t total_bits = 0;
  if (!plan.ctx_bits) {
    plan.lengths.resize(1);
    BuildLengths(hist.data(), a, plan.lengths[0].data());
    total_bits = cost(hist.data(), plan.lengths[0].data()) + table_bits(plan.lengths[0].data());
  } else {
    // Table 0 is shared by the rare contexts; a context gets its own table when the
    // bits it saves exceed the table's own size (and its byte in the context map).
    std::vector<uint32_t> all(a, 0);
    for (int c = 0; c < nused; ++c)
      for (int s = 0; s < a; ++s) all[s] += hist[size_t(c) * a + s];
    std::array<uint8_t, 256> shared_len;
    BuildLengths(all.data(), a, shared_len.data());
    struct Own {
      int64_t gain;
      int c;  // index into hist: context c + cmin
      std::array<uint8_t, 256> len;
    };
    std::vector<Own> own;
    for (int c = 0; c < nused; ++c) {
      const uint32_t* h = &hist[size_t(c) * a];
      uint64_t count = 0;
      for (int s = 0; s < a; ++s) count += h[s];
      // A decoder builds a lookup table of up to 2^11 entries per table: a context
      // this small cannot pay for that.
      if (count < 1024) continue;
      Own o{0, c, {}};
      BuildLengths(h, a, o.len.data());
      o.gain = int64_t(cost(h, shared_len.data())) - int64_t(cost(h, o.len.data())) -
               int64_t(table_bits(o.len.data())) - 8;
      if (o.gain > 0) own.push_back(o);
    }
    // Largest gain first, then by context (the order of (-gain, context) pairs).
    std::sort(own.begin(), own.end(), [](const Own& x, const Own& y) {
      return x.gain != y.gain ? x.gain > y.gain : x.c < y.c;
    });
    if (own.size() > 254) own.resize(254);
    plan.ctx_to_table.assign(nctx, 0);
    plan.lengths.resize(1 + own.size());
    std::vector<bool> has_own(nused, false);
    for (size_t k = 0; k < own.size(); ++k) {
      const int c = own[k].c;
      plan.ctx_to_table[c + cmin] = static_cast<uint8_t>(k + 1);
      plan.lengths[k + 1] = own[k].len;
      has_own[c] = true;
      total_bits += cost(&hist[size_t(c) * a], own[k].len.data()) + table_bits(own[k].len.data());
    }
    std::vector<uint32_t> rest(a, 0);
    for (int c = 0; c < nused; ++c)
      if (!has_own[c])
        for (int s = 0; s < a; ++s) rest[s] += hist[size_t(c) * a + s];
    BuildLengths(rest.data(), a, plan.lengths[0].data());
    total_bits += cost(rest.data(), plan.lengths[0].data()) + table_bits(plan.lengths[0].data()) +
                  8 * (3 + ContextSpan(plan.ctx_to_table).second);
  }
  const size_t num_blocks = (n + kEntropyBlockSymbols - 1) / kEntropyBlockSymbols;
  // Header, block table, per-block sub-stream sizes and up to one padding byte per
  // sub-stream: an upper bound on the written size.
  plan.encoded_bytes = 3 + (total_bits + 7) / 8 + 1 +
                       (n < kSingleStreamBelow ? 0 : 4 + num_blocks * (4 + 12 + 4));
  return plan;
}

void WriteEntropyStream(const EntropyPlan& plan, const uint8_t* sym, const uint8_t* ctx, size_t n,
                        Bytes* out) {
  const int a = 1 << plan.alphabet_bits;
  const size_t ntab = plan.lengths.size();
  // One u32 per (table, symbol): code in the low 16 bits, length above.
  std::vector<uint32_t> entries(ntab * 256, 0);
  for (size_t t = 0; t < ntab; ++t) {
    uint16_t codes[256];
    BuildCodes(plan.lengths[t].data(), a, codes);
    for (int s = 0; s < a; ++s) entries[t * 256 + s] = codes[s] | (CodeLen(plan.lengths[t][s]) << 16);
  }
  const bool single = n < kSingleStreamBelow;
  out->push_back(static_cast<uint8_t>(kCompactTables | (single ? kSingleStream : 0) | plan.alphabet_bits));
  out->push_back(static_cast<uint8_t>(plan.ctx_bits));
  out->push_back(static_cast<uint8_t>(ntab));
  if (plan.ctx_bits) {
    const auto [first, count] = ContextSpan(plan.ctx_to_table);
    out->push_back(static_cast<uint8_t>(first));
    PutFixed16(out, static_cast<uint16_t>(count));
    PutBytes(out, plan.ctx_to_table.data() + first, count);
  }
  NibbleWriter nibbles;
  for (size_t t = 0; t < ntab; ++t) AppendCodeLengths(plan.lengths[t].data(), a, &nibbles);
  const std::vector<uint8_t> packed = nibbles.Pack();
  PutBytes(out, packed.data(), packed.size());
  std::vector<const uint32_t*> ctab(plan.ctx_bits ? size_t{1} << plan.ctx_bits : 1, entries.data());
  for (size_t c = 0; c < plan.ctx_to_table.size(); ++c) ctab[c] = &entries[size_t(plan.ctx_to_table[c]) * 256];
  // Four codes (<= 44 bits) on top of at most 7 pending bits fit the 64-bit
  // accumulator: one flush per four symbols.
  WriteHuffmanBlocks(n, kMaxCodeBits, single, [&](BitWriter& w, size_t lo, size_t hi) {
    size_t i = lo;
    if (plan.ctx_bits) {
      auto put = [&](size_t k) { uint32_t e = ctab[ctx[k]][sym[k]]; w.Put(e & 0xFFFF, e >> 16); };
      for (; i + 4 <= hi; i += 4) { put(i); put(i + 1); put(i + 2); put(i + 3); w.Flush(); }
      for (; i < hi; ++i) { put(i); w.Flush(); }
    } else {
      const uint32_t* t = entries.data();
      auto put = [&](size_t k) { uint32_t e = t[sym[k]]; w.Put(e & 0xFFFF, e >> 16); };
      for (; i + 4 <= hi; i += 4) { put(i); put(i + 1); put(i + 2); put(i + 3); w.Flush(); }
      for (; i < hi; ++i) { put(i); w.Flush(); }
    }
  }, out);
}

Status DecodeEntropyStream(ByteView in, const uint8_t* ctx, size_t n, int ab, int cb,
                           uint8_t* out) {
  const int a = 1 << ab;
  const size_t nctx = cb ? size_t{1} << cb : 0;
  if (in.size() < 3) return Status::Corruption("entropy stream: truncated header");
  const bool compact = (in[0] & kCompactTables) != 0;
  const bool single = (in[0] & kSingleStream) != 0;
  const int alphabet_bits = in[0] & ~(kCompactTables | kSingleStream);
  if (single && !compact) return Status::Corruption("entropy stream: the single form needs compact tables");
  if (alphabet_bits != ab || in[1] != cb) {
    return Status::Corruption("entropy stream: alphabet " + std::to_string(alphabet_bits) + "/" +
                              std::to_string(in[1]) + " bits, expected " + std::to_string(ab) +
                              "/" + std::to_string(cb));
  }
  const size_t ntab = in[2];
  if (ntab == 0 || (!cb && ntab != 1)) {
    return Status::Corruption("entropy stream: " + std::to_string(ntab) + " tables");
  }
  size_t pos = 3;
  std::vector<uint8_t> ctx_to_table(nctx, 0);
  std::vector<std::array<uint8_t, 256>> lengths(ntab);
  if (!compact) {
    const size_t tb = TableBytes(ab);
    if (in.size() - pos < nctx + ntab * tb + 4) return Status::Corruption("entropy stream: truncated tables");
    std::copy(in.begin() + pos, in.begin() + pos + nctx, ctx_to_table.begin());
    pos += nctx;
    for (size_t t = 0; t < ntab; ++t) {
      for (int s = 0; s < a; ++s) lengths[t][s] = (in[pos + s / 2] >> (4 * (s & 1))) & 15;
      pos += tb;
    }
  } else {
    if (cb) {
      if (in.size() - pos < 3) return Status::Corruption("entropy stream: truncated context map");
      const size_t first = in[pos], count = DecodeFixed16(in.data() + pos + 1);
      pos += 3;
      if (first + count > nctx || in.size() - pos < count) {
        return Status::Corruption("entropy stream: context map of " + std::to_string(count) + " from " +
                                  std::to_string(first) + " overruns the contexts or the stream");
      }
      std::copy(in.begin() + pos, in.begin() + pos + count, ctx_to_table.begin() + first);
      pos += count;
    }
    NibbleReader r{in.data() + pos, 2 * (in.size() - pos)};
    for (size_t t = 0; t < ntab; ++t) {
      MVC_RETURN_IF_ERROR_CTX(ParseCodeLengths(&r, a, lengths[t].data()),
                              "entropy stream: table " + std::to_string(t));
    }
    pos += (r.pos + 1) / 2;
    if (!single && in.size() - pos < 4) return Status::Corruption("entropy stream: truncated after the tables");
  }
  for (uint8_t t : ctx_to_table)
    if (t >= ntab) return Status::Corruption("entropy stream: context maps to missing table " + std::to_string(t));
  unsigned table_log = 1;
  for (const auto& len : lengths) {
    for (int s = 0; s < a; ++s) {
      if (len[s] != kSoleSymbol) table_log = std::max(table_log, std::min<unsigned>(len[s], kMaxCodeBits));
    }
  }
  const size_t table_size = size_t{1} << table_log;
  const uint64_t mask = table_size - 1;
  std::vector<uint16_t> tables(ntab * table_size);
  for (size_t t = 0; t < ntab; ++t) {
    Status st = BuildDecodeTable(lengths[t].data(), a, table_log, &tables[t * table_size]);
    if (!st.ok()) return st.WithContext("entropy stream: table " + std::to_string(t));
  }
  HuffmanBlockReader blocks;
  MVC_RETURN_IF_ERROR_CTX(blocks.Open(in, pos, n, single), "entropy stream");
  const uint16_t* tab0 = tables.data();
  // Context-free streams of at least a block decode several symbols per lookup.
  std::vector<uint32_t> multi;
  if (!cb && n >= kEntropyBlockSymbols / 4) {
    multi.resize(table_size);
    BuildMultiTable(tab0, table_log, multi.data());
  }
  std::vector<const uint16_t*> tabptr(std::max<size_t>(nctx, 1), tab0);
  for (size_t c = 0; c < nctx; ++c) tabptr[c] = tab0 + size_t(ctx_to_table[c]) * table_size;
  size_t single_used = 0;  // bytes the single form's bitstream took
  for (size_t b = 0; b < blocks.num_blocks(); ++b) {
    SubStreams s;
    MVC_RETURN_IF_ERROR_CTX(blocks.Next(&s), "entropy stream");
    BitReader* r = s.r;
    const size_t* lo = s.lo;
    const size_t* hi = s.hi;
    size_t done[4] = {lo[0], lo[1], lo[2], lo[3]};  // next symbol of each sub-stream
    if (multi.empty()) {
      // Fast path: four symbols per stream per refill (4 * 11 <= 56 bits), in rounds
      // of as many steps as every stream is sure to have 8 readable bytes (a refill
      // advances at most 7 bytes, usually far fewer), so the loop needs no bounds checks.
      const size_t total_steps = (hi[3] - lo[3]) / 4;  // the last quarter is the shortest
      size_t k = 0;
      for (;;) {
        size_t steps = total_steps - k / 4;
        for (int j = 0; j < 4; ++j) steps = std::min(steps, SafeRefills(r[j]));
        if (steps == 0) break;
        const size_t at[4] = {lo[0] + k, lo[1] + k, lo[2] + k, lo[3] + k};
        k += cb ? DecodeFast4<true>(r, at, steps, ctx, tabptr.data(), tab0, mask, out)
                : DecodeFast4<false>(r, at, steps, ctx, tabptr.data(), tab0, mask, out);
      }
      for (int j = 0; j < 4; ++j) done[j] += k;
    } else {
      // Up to 12 symbols per stream per step, so rounds are bounded by the output
      // room too; a round shrinks the shortest room to about a quarter.
      for (;;) {
        size_t steps = SIZE_MAX;
        for (int j = 0; j < 4; ++j) {
          const size_t room = hi[j] - done[j];
          steps = std::min({steps, SafeRefills(r[j]), room < 16 ? 0 : (room - 4) / 12});
        }
        if (steps == 0) break;
        uint8_t* o[4] = {out + done[0], out + done[1], out + done[2], out + done[3]};
        DecodeMultiFast4(r, o, steps, multi.data(), mask);
        for (int j = 0; j < 4; ++j) done[j] = static_cast<size_t>(o[j] - out);
      }
    }
    // Tails: four a refill while the bytes last, then symbol by symbol with the safe refill.
    for (int j = 0; j < 4; ++j) {
      const size_t from = cb ? DecodeFast1<true>(&r[j], done[j], hi[j], ctx, tabptr.data(), tab0, mask, out)
                             : DecodeFast1<false>(&r[j], done[j], hi[j], ctx, tabptr.data(), tab0, mask, out);
      for (size_t i = from; i < hi[j]; ++i) {
        if (r[j].cnt < kMaxCodeBits) r[j].RefillSafe();
        const uint16_t* t = cb ? tabptr[ctx[i]] : tab0;
        const uint16_t e = t[r[j].buf & mask];
        r[j].buf >>= e >> 8;
        r[j].cnt -= e >> 8;
        out[i] = static_cast<uint8_t>(e);
      }
      if (r[j].Overran()) {
        return Status::Corruption("entropy stream: block " + std::to_string(b) + " sub-stream " +
                                  std::to_string(j) + " ends early");
      }
    }
    single_used = r[0].UsedBytes();
  }
  MVC_RETURN_IF_ERROR_CTX(blocks.Finish(single_used), "entropy stream");
  return Status::Ok();
}

}  // namespace mvc::codec_internal
