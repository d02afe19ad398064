#include "codec/internal/code_length_coding.h"

#include <doctest/doctest.h>

#include <random>
#include <vector>

namespace mvc::codec_internal {
namespace {

std::vector<uint8_t> RoundTrip(const std::vector<uint8_t>& len, size_t* nibbles_used) {
  NibbleWriter w;
  AppendCodeLengths(len.data(), static_cast<int>(len.size()), &w);
  CHECK(w.nibbles.size() == CodeLengthNibbles(len.data(), static_cast<int>(len.size())));
  const std::vector<uint8_t> packed = w.Pack();
  NibbleReader r{packed.data(), 2 * packed.size()};
  std::vector<uint8_t> back(len.size(), 99);
  REQUIRE(ParseCodeLengths(&r, static_cast<int>(len.size()), back.data()).ok());
  *nibbles_used = r.pos;
  return back;
}

TEST_CASE("Code lengths round-trip, and runs make sparse and flat tables small") {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 2000; ++trial) {
    const int a = 1 << (1 + trial % 8);
    std::vector<uint8_t> len(a);
    // Mixtures of absent symbols, repeated and random lengths.
    const int style = trial % 3;
    for (int s = 0; s < a; ++s) {
      const unsigned r = rng();
      len[s] = style == 0 ? (r % 4 == 0 ? r % 12 : 0) : style == 1 ? (s < a / 3 ? 0 : 7 + (r % 16 == 0)) : r % 12;
    }
    size_t used = 0;
    CHECK(RoundTrip(len, &used) == len);
  }
  // An exponent-like table: 20 used symbols of 256 in the middle.
  std::vector<uint8_t> exponents(256, 0);
  for (int s = 110; s < 130; ++s) exponents[s] = static_cast<uint8_t>(1 + (s - 110) / 3);
  size_t used = 0;
  CHECK(RoundTrip(exponents, &used) == exponents);
  CHECK(used <= 3 + 20 + 6);
  // A flat mantissa-like table: all 256 symbols of length 8.
  std::vector<uint8_t> flat(256, 8);
  CHECK(RoundTrip(flat, &used) == flat);
  CHECK(used <= 1 + 2 * 16);
  std::vector<uint8_t> sole(256, 0);
  sole[42] = 15;
  CHECK(RoundTrip(sole, &used) == sole);
}

TEST_CASE("Malformed code lengths are rejected with a message") {
  auto parse = [](std::vector<uint8_t> nibbles, int a) {
    NibbleWriter w;
    for (uint8_t v : nibbles) w.Put(v);
    const std::vector<uint8_t> packed = w.Pack();
    NibbleReader r{packed.data(), nibbles.size()};
    std::vector<uint8_t> len(a);
    return ParseCodeLengths(&r, a, len.data());
  };
  CHECK(parse({3, 3, 3, 3}, 4).ok());
  CHECK(parse({14, 0}, 4).message().find("repeat with no length") != std::string::npos);
  CHECK(parse({12, 5}, 4).message().find("past symbol 3") != std::string::npos);
  CHECK(parse({3, 14, 2}, 4).message().find("past symbol") != std::string::npos);
  CHECK(parse({13, 0, 1}, 32).message().find("past symbol 31") != std::string::npos);
  CHECK(parse({3, 3}, 4).message().find("end early") != std::string::npos);
  CHECK(parse({13, 0}, 256).message().find("end early") != std::string::npos);
}

}  // namespace
}  // namespace mvc::codec_internal
