#include "codec/internal/entropy_stream.h"
#include "core/endian_coding.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>

namespace mvc::codec_internal {
namespace {

Bytes Encode(const Bytes& sym, const Bytes* ctx, int ab, int cb) {
  EntropyPlan plan = PlanEntropyStream(sym.data(), ctx ? ctx->data() : nullptr, sym.size(), ab, cb);
  Bytes out;
  WriteEntropyStream(plan, sym.data(), ctx ? ctx->data() : nullptr, sym.size(), &out);
  CHECK(out.size() <= plan.encoded_bytes);
  return out;
}

TEST_CASE("Entropy streams round-trip skewed, uniform, single-symbol and contextual data") {
  std::mt19937_64 rng(3);
  for (size_t n : {1, 2, 5, 100, 65536, 65537, 300001}) {
    CAPTURE(n);
    Bytes skewed(n), uniform(n), single(n, 42), ctx(n), dependent(n);
    std::geometric_distribution<int> geo(0.3);
    for (size_t i = 0; i < n; ++i) {
      skewed[i] = static_cast<uint8_t>(std::min(geo(rng), 255));
      uniform[i] = static_cast<uint8_t>(rng());
      ctx[i] = static_cast<uint8_t>(std::min(geo(rng), 31));
      dependent[i] = static_cast<uint8_t>((ctx[i] * 7 + (rng() & 3)) & 0x7F);
    }
    for (const Bytes* s : {&skewed, &uniform, &single}) {
      Bytes enc = Encode(*s, nullptr, 8, 0);
      Bytes back(n);
      REQUIRE(DecodeEntropyStream(enc, nullptr, n, 8, 0, back.data()).ok());
      CHECK(back == *s);
    }
    Bytes enc = Encode(dependent, &ctx, 7, 5);
    Bytes back(n);
    REQUIRE(DecodeEntropyStream(enc, ctx.data(), n, 7, 5, back.data()).ok());
    CHECK(back == dependent);
    if (n >= 65536) {
      // The context makes the symbol nearly known: far below 7 bits a symbol.
      CHECK(enc.size() * 8 < n * 3);
    }
  }
}

TEST_CASE("Context-free streams decode several symbols per lookup without touching neighbours") {
  // Very skewed data packs three codes into one lookup, a long tail adds 11-bit codes;
  // the sub-streams' output ranges abut, so an overlong store would corrupt the next.
  std::mt19937_64 rng(11);
  for (size_t n : {16383, 16384, 16401, 65536 * 2 + 13, 262147}) {
    for (double p : {0.95, 0.6, 0.05}) {
      CAPTURE(n);
      CAPTURE(p);
      std::geometric_distribution<int> geo(p);
      Bytes sym(n);
      for (size_t i = 0; i < n; ++i) sym[i] = static_cast<uint8_t>(std::min(geo(rng), 255));
      for (size_t i = 0; i < n; i += 997) sym[i] = static_cast<uint8_t>(rng());  // the tail
      Bytes enc = Encode(sym, nullptr, 8, 0);
      Bytes back(n + 16, 0xA5);
      REQUIRE(DecodeEntropyStream(enc, nullptr, n, 8, 0, back.data()).ok());
      CHECK(std::equal(sym.begin(), sym.end(), back.begin()));
      CHECK(std::all_of(back.begin() + n, back.end(), [](uint8_t b) { return b == 0xA5; }));
    }
  }
}

TEST_CASE("A sub-stream padded with junk cannot make the multi-symbol decoder overrun its range") {
  // One symbol costs 0 bits, so only the output bound stops a lookup loop that has
  // bytes to spare: pad each sub-stream of a sole-symbol stream with 3000 bytes.
  const size_t n = 16384;
  Bytes enc = Encode(Bytes(n, 42), nullptr, 8, 0);
  // The stream ends with its one block's end offset and the 12-byte empty block.
  const size_t block_table = enc.size() - 4 - 12;
  REQUIRE(DecodeFixed32(enc.data() + block_table) == 12);
  enc.resize(enc.size() + 4 * 3000, 0);
  EncodeFixed32(enc.data() + block_table, 12 + 4 * 3000);
  for (int j = 0; j < 3; ++j) EncodeFixed32(enc.data() + block_table + 4 + 4 * j, 3000);
  Bytes back(n + 16, 0xA5);
  Status st = DecodeEntropyStream(enc, nullptr, n, 8, 0, back.data());
  if (st.ok()) CHECK(std::all_of(back.begin(), back.begin() + n, [](uint8_t b) { return b == 42; }));
  CHECK(std::all_of(back.begin() + n, back.end(), [](uint8_t b) { return b == 0xA5; }));
}

TEST_CASE("Entropy streams of 4096 symbols or more are in blocks, fewer in one bitstream") {
  Bytes sym(5000);
  for (size_t i = 0; i < sym.size(); ++i) sym[i] = static_cast<uint8_t>(i * 7 % 13);
  const Bytes large = Encode(sym, nullptr, 8, 0);
  const Bytes small = Encode(Bytes(sym.begin(), sym.begin() + 4095), nullptr, 8, 0);
  CHECK(large[0] == (0x80 | 8));
  CHECK(small[0] == (0x80 | 0x40 | 8));  // compact tables, the single form
  Bytes out(sym.size());
  REQUIRE(DecodeEntropyStream(small, nullptr, 4095, 8, 0, out.data()).ok());
  CHECK(std::equal(out.begin(), out.begin() + 4095, sym.begin()));
  Bytes b = small;
  b.push_back(0);
  CHECK(DecodeEntropyStream(b, nullptr, 4095, 8, 0, out.data()).message() ==
        "entropy stream: 1 trailing bytes after the bitstream");
  b = large;
  b[0] |= 0x40;
  CHECK(DecodeEntropyStream(b, nullptr, 5000, 8, 0, out.data()).message() ==
        "entropy stream: single bitstream of 5000 symbols (limit 4095)");
}

TEST_CASE("A single-form entropy stream cut anywhere is rejected, with or without a context") {
  // The single form decodes four symbols a refill while 8 bytes remain and symbol by
  // symbol after: a cut anywhere must end in an error, never in output.
  Bytes sym(3000), ctx(3000);
  for (size_t i = 0; i < sym.size(); ++i) {
    ctx[i] = static_cast<uint8_t>(i * 5 % 3);
    sym[i] = static_cast<uint8_t>((i * 7 % 13) + 13 * ctx[i]);
  }
  for (const Bytes* context_plane : {static_cast<const Bytes*>(nullptr), static_cast<const Bytes*>(&ctx)}) {
    const uint8_t* context = context_plane ? context_plane->data() : nullptr;
    const int cb = context ? 2 : 0;
    const Bytes full = Encode(sym, context_plane, 6, cb);
    Bytes out(sym.size());
    REQUIRE(DecodeEntropyStream(full, context, sym.size(), 6, cb, out.data()).ok());
    CHECK(out == sym);
    int rejected = 0;
    for (size_t cut = 0; cut < full.size(); ++cut) {
      const Bytes b(full.begin(), full.begin() + cut);
      rejected += !DecodeEntropyStream(b, context, sym.size(), 6, cb, out.data()).ok();
    }
    CHECK(rejected == int(full.size()));
  }
}

TEST_CASE("Entropy stream decoding rejects bad tables, offsets and truncation with messages") {
  Bytes sym(1000);
  for (size_t i = 0; i < sym.size(); ++i) sym[i] = static_cast<uint8_t>(i % 5);
  const Bytes good = Encode(sym, nullptr, 8, 0);
  Bytes out(sym.size());
  auto decode = [&](const Bytes& in) { return DecodeEntropyStream(in, nullptr, sym.size(), 8, 0, out.data()); };
  Bytes b = good;
  b[0] = 7;
  CHECK(decode(b).message() == "entropy stream: alphabet 7/0 bits, expected 8/0");
  b = good;
  b[2] = 2;
  CHECK(decode(b).message() == "entropy stream: 2 tables");
  b = good;
  b[3] = 0x11;  // symbols 0 and 1 at length 1, plus the others: over-subscribed
  CHECK(decode(b).message() == "entropy stream: table 0: over-subscribed Huffman table");
  b = good;
  b[3] = 0xF2;  // a sole-symbol marker beside other symbols
  CHECK(decode(b).message() == "entropy stream: table 0: sole-symbol marker in a table with other symbols");
  b = good;
  b.resize(b.size() - 1);
  CHECK(decode(b).code() == StatusCode::kCorruption);
  b = good;
  b.push_back(0);
  CHECK(decode(b).code() == StatusCode::kCorruption);
  CHECK(decode(Bytes{8, 0}).message() == "entropy stream: truncated header");
}

}  // namespace
}  // namespace mvc::codec_internal

#include "codec/internal/rans_stream.h"

namespace mvc::codec_internal {
namespace {

TEST_CASE("rANS streams round-trip and beat one bit a symbol on mostly-zero planes") {
  std::mt19937_64 rng(5);
  for (size_t n : {1, 3, 4, 5, 1000, 65536, 200003}) {
    CAPTURE(n);
    Bytes sparse(n), uniform(n), single(n, 7);
    for (size_t i = 0; i < n; ++i) {
      sparse[i] = rng() % 50 == 0 ? static_cast<uint8_t>(rng()) : 0;
      uniform[i] = static_cast<uint8_t>(rng());
    }
    for (const Bytes* s : {&sparse, &uniform, &single}) {
      RansPlan plan = PlanRansStream(s->data(), n);
      Bytes enc;
      WriteRansStream(plan, s->data(), n, &enc);
      CHECK(enc.size() <= plan.encoded_bytes);
      Bytes back(n);
      Status st = DecodeRansStream(enc, n, back.data());
      REQUIRE_MESSAGE(st.ok(), st.ToString());
      CHECK(back == *s);
      if (s == &sparse && n >= 65536) CHECK(enc.size() * 8 < n);
    }
  }
}

TEST_CASE("rANS stream decoding rejects bad frequencies, states and truncation") {
  Bytes sym(5000);
  for (size_t i = 0; i < sym.size(); ++i) sym[i] = static_cast<uint8_t>(i % 3 == 0);
  RansPlan plan = PlanRansStream(sym.data(), sym.size());
  Bytes good;
  WriteRansStream(plan, sym.data(), sym.size(), &good);
  Bytes out(sym.size());
  // The compact table: marker 0x8000, first symbol 0, span 2, two 2-byte frequencies.
  REQUIRE(good[0] == 0x00);
  REQUIRE(good[1] == 0x80);
  REQUIRE(good[2] == 0);
  REQUIRE(good[3] == 1);
  const size_t table_bytes = 8;
  Bytes b = good;
  b[4] ^= 1;
  CHECK(DecodeRansStream(b, sym.size(), out.data()).message().find("frequencies sum to") != std::string::npos);
  b = good;
  b[2] = 255;  // a span of 2 from symbol 255
  CHECK(DecodeRansStream(b, sym.size(), out.data()).message() == "rANS stream: frequency span passes symbol 255");
  b = good;
  b[5] = 0x7F;  // (0x7F << 7) | low bits > 4096
  CHECK(DecodeRansStream(b, sym.size(), out.data()).message().find("over 4096") != std::string::npos);
  b = good;
  b.resize(b.size() - 1);
  CHECK(DecodeRansStream(b, sym.size(), out.data()).code() == StatusCode::kCorruption);
  b = good;
  const size_t state_at = table_bytes + 4 + 4 + 12;  // first sub-stream's initial state
  b[state_at + 3] = 0;                               // state < 2^23
  CHECK(DecodeRansStream(b, sym.size(), out.data()).message() ==
        "rANS stream: block 0 initial state out of range");
  // The plain 512-byte table that earlier encoders wrote still decodes.
  Bytes plain(512, 0);
  EncodeFixed16(plain.data() + 0, plan.freq[0]);
  EncodeFixed16(plain.data() + 2, plan.freq[1]);
  plain.insert(plain.end(), good.begin() + table_bytes, good.end());
  REQUIRE(DecodeRansStream(plain, sym.size(), out.data()).ok());
  CHECK(out == sym);
}

// Hostile bytes in either coder: an error or some output, never a crash or a hang
// (run under -DMVC_SANITIZE=ON).
TEST_CASE("Randomly corrupted Huffman and rANS streams never crash the decoders") {
  std::mt19937_64 rng(11);
  Bytes sym(70000), ctx(sym.size());
  for (size_t i = 0; i < sym.size(); ++i) {
    ctx[i] = static_cast<uint8_t>(rng() % 4);
    sym[i] = rng() % 8 == 0 ? static_cast<uint8_t>(rng()) : ctx[i];
  }
  RansPlan rp = PlanRansStream(sym.data(), sym.size());
  Bytes rans;
  WriteRansStream(rp, sym.data(), sym.size(), &rans);
  Bytes huff = Encode(sym, &ctx, 8, 2);
  Bytes out(sym.size());
  int failures = 0;
  for (int round = 0; round < 400; ++round) {
    Bytes r = rans, h = huff;
    for (int k = 0; k < 1 + round % 4; ++k) {
      r[rng() % r.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
      h[rng() % h.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    }
    failures += !DecodeRansStream(r, sym.size(), out.data()).ok();
    failures += !DecodeEntropyStream(h, ctx.data(), sym.size(), 8, 2, out.data()).ok();
  }
  CHECK(failures > 0);
}

}  // namespace
}  // namespace mvc::codec_internal
