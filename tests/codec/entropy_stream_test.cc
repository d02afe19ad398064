#include "codec/internal/entropy_stream.h"

#include <doctest/doctest.h>

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
