// Codec 8 (float-joint) and its joint stream: exact round trips of every shape and of
// the real models, rejection of malformed streams with messages.
#include "codec/float_joint.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>

#include "codec/chunk_codec.h"
#include "codec/internal/joint_stream.h"
#include "core/chunking.h"
#include "core/endian_coding.h"
#include "tests/codec/codec_test_data.h"
#include "tests/testing/test_util.h"

namespace mvc::codec_internal {
namespace {

// n heads of 1 + E + h bits: exponents clustered around a few values (as in weights),
// uniform sign and mantissa, plus rare outliers.
Bytes Heads(size_t n, const JointShape& s, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> exp_dist((1 << s.exp_bits) * 0.6, 1.5);
  Bytes heads(2 * n);
  for (size_t i = 0; i < n; ++i) {
    const int emax = (1 << s.exp_bits) - 1;
    int e = rng() % 97 == 0 ? int(rng() % (emax + 1)) : std::clamp(int(exp_dist(rng)), 0, emax);
    const uint32_t head = ((uint32_t(rng() & 1) << s.exp_bits | uint32_t(e)) << s.high_bits) |
                          uint32_t(rng() % (1u << s.high_bits));
    EncodeFixed16(heads.data() + 2 * i, static_cast<uint16_t>(head));
  }
  return heads;
}

Bytes Encode(const Bytes& heads, const JointShape& s) {
  Bytes out;
  WriteJointStream(heads.data(), heads.size() / 2, s, &out);
  return out;
}

TEST_CASE("Joint streams round-trip heads of every shape and length") {
  // {5, 10, K}: whole F16 elements as heads, raw fields of 10 down to 5 bits.
  const JointShape shapes[] = {{8, 7, 3}, {8, 7, 1}, {5, 7, 3}, {5, 7, 6}, {4, 3, 3}, {5, 2, 2}, {1, 1, 1},
                               {5, 10, 1}, {5, 10, 2}, {5, 10, 3}, {5, 10, 4}, {5, 10, 6}};
  for (const JointShape& s : shapes) {
    for (size_t n : {0, 1, 2, 3, 4, 5, 11, 1000, 65536, 65536 * 2 + 7}) {
      CAPTURE(s.exp_bits);
      CAPTURE(s.high_bits);
      CAPTURE(s.joined);
      CAPTURE(n);
      const Bytes heads = Heads(n, s, n * 31 + s.joined);
      const Bytes enc = Encode(heads, s);
      Bytes back(2 * n + 2, 0xA5);
      REQUIRE(DecodeJointStream(enc, n, s.exp_bits, s.high_bits, back.data()).ok());
      CHECK(std::equal(heads.begin(), heads.end(), back.begin()));
      CHECK(back[2 * n] == 0xA5);  // nothing written past the last head
    }
  }
}

TEST_CASE("A joint stream of one repeated head is its raw bits alone") {
  const JointShape s{8, 7, 3};
  Bytes heads(2 * 80000);
  for (size_t i = 0; i < heads.size(); i += 2) EncodeFixed16(heads.data() + i, static_cast<uint16_t>(0x3F80 | (i / 2 % 2)));
  const Bytes enc = Encode(heads, s);
  // 5 raw bits an element (the sign and the 4 low mantissa bits), no code bits.
  CHECK(enc.size() < 80000 * 5 / 8 + 200);
  Bytes back(heads.size());
  REQUIRE(DecodeJointStream(enc, 80000, 8, 7, back.data()).ok());
  CHECK(back == heads);
}

// BF16-shaped heads whose exponents spread over `spread` values around 120 (geometric
// tails, as in weights of very different magnitudes), uniform sign and mantissa.
Bytes SpreadHeads(size_t n, double spread, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::geometric_distribution<int> tail(1.0 / spread);
  Bytes heads(2 * n);
  for (size_t i = 0; i < n; ++i) {
    const int e = std::clamp(120 - tail(rng), 1, 254);
    EncodeFixed16(heads.data() + 2 * i, static_cast<uint16_t>((rng() & 1) << 15 | e << 7 | (rng() & 0x7F)));
  }
  return heads;
}

TEST_CASE("The encoder's choice of joined bits is never larger than any fixed choice") {
  struct Case {
    size_t n;
    double spread;
  };
  for (const Case& c : {Case{300, 2}, Case{5000, 3}, Case{200000, 1.5}, Case{200000, 40}}) {
    CAPTURE(c.n);
    CAPTURE(c.spread);
    const Bytes heads = SpreadHeads(c.n, c.spread, c.n);
    size_t smallest = SIZE_MAX;
    int smallest_k = 0;
    for (int k = 1; k <= 3; ++k) {
      const size_t size = Encode(heads, {8, 7, k}).size();
      if (size < smallest) smallest = size, smallest_k = k;
    }
    Bytes best;
    const int k = WriteJointStreamBestJoined(heads.data(), c.n, 8, 7, &best);
    CHECK(best[1] == k);
    // The price ignores each bitstream's padding to whole bytes: at most 3 bytes a block.
    CHECK(best.size() <= smallest + 3 * (c.n / 65536 + 1));
    CHECK(k == smallest_k);
    Bytes back(heads.size());
    REQUIRE(DecodeJointStream(best, c.n, 8, 7, back.data()).ok());
    CHECK(back == heads);
  }
  // Exponents spread over ~40 values: the 11-bit limit binds on 2^11 symbols, and
  // fewer joined bits win on a large chunk too.
  Bytes wide;
  CHECK(WriteJointStreamBestJoined(SpreadHeads(200000, 40, 1).data(), 200000, 8, 7, &wide) < 3);
  Bytes narrow;
  CHECK(WriteJointStreamBestJoined(SpreadHeads(200000, 1.5, 1).data(), 200000, 8, 7, &narrow) == 3);
}

TEST_CASE("Joint stream decoding rejects bad fields, tables and truncation with messages") {
  const JointShape s{8, 7, 3};
  const Bytes heads = Heads(3000, s, 7);
  const Bytes good = Encode(heads, s);
  Bytes out(heads.size());
  auto decode = [&](const Bytes& in) { return DecodeJointStream(in, 3000, 8, 7, out.data()); };
  REQUIRE(decode(good).ok());
  Bytes b = good;
  b[0] = 5;
  CHECK(decode(b).message() ==
        "joint stream: 5 exponent bits and 3 joined bits do not fit 8 exponent and 7 mantissa bits");
  b = good;
  b[1] = 0;
  CHECK(decode(b).message() ==
        "joint stream: 8 exponent bits and 0 joined bits do not fit 8 exponent and 7 mantissa bits");
  b = good;
  b[1] = 4;  // 2^12 symbols: past the largest alphabet
  CHECK(decode(b).message() ==
        "joint stream: 8 exponent bits and 4 joined bits do not fit 8 exponent and 7 mantissa bits");
  b = Bytes{8, 3, 0x11, 0x11};  // four symbols of length 1: over-subscribed
  CHECK(decode(b).message() == "joint stream: table: code lengths end early");
  b = good;
  b.push_back(0);  // 3000 elements: the single form, one bitstream and nothing after it
  CHECK(decode(b).message() == "joint stream: 1 trailing bytes after the bitstream");
  b = good;
  b.resize(b.size() - 40);
  CHECK(decode(b).code() == StatusCode::kCorruption);
  CHECK(decode(Bytes{8}).message() == "joint stream: truncated header");
  b = good;
  b[1] |= 0x80;  // whole-element heads are F16's (h = 10) only
  CHECK(decode(b).message() == "joint stream: whole-element heads flag set for 7 high mantissa bits");
  const Bytes whole = Encode(Heads(3000, {5, 10, 3}, 9), {5, 10, 3});
  CHECK(whole[1] == (0x80 | 3));
  CHECK(DecodeJointStream(whole, 3000, 5, 7, out.data()).message() ==
        "joint stream: whole-element heads flag set for 7 high mantissa bits");
  b = whole;
  b[1] = 3;
  CHECK(DecodeJointStream(b, 3000, 5, 10, out.data()).message() ==
        "joint stream: whole-element heads flag clear for 10 high mantissa bits");
  b = whole;
  b[1] = 0x80 | 7;  // E + K may not pass 11
  CHECK(DecodeJointStream(b, 3000, 5, 10, out.data()).message() ==
        "joint stream: 5 exponent bits and 7 joined bits do not fit 5 exponent and 10 mantissa bits");
  b[1] = 0x80;  // nor K be 0
  CHECK(DecodeJointStream(b, 3000, 5, 10, out.data()).message() ==
        "joint stream: 5 exponent bits and 0 joined bits do not fit 5 exponent and 10 mantissa bits");
}

TEST_CASE("F16 chunks are coded with whole elements as heads where that costs no more") {
  const Bytes raw = testing::GenerateTensorBytes(Dtype::kF16, 50000, 3);
  EncodeOptions o;
  o.force_codec = CodecId::kFloatJoint;
  Result<Bytes> frame = EncodeChunk(Dtype::kF16, raw, nullptr, o);
  REQUIRE(frame.ok());
  // Payload: Joint_Size, then the joint stream: Exp_Bits, Joined_Bits with bit 7 set.
  const ByteView payload = ByteView(*frame).subspan(kChunkFrameHeaderBytes);
  CHECK((payload[5] & 0x80) != 0);
  CHECK(DecodeFixed32(payload.data()) + 4 == payload.size());  // no low plane follows
  Result<Bytes> back = DecodeChunkToBytes(*frame, {});
  REQUIRE(back.ok());
  CHECK(*back == raw);
  Bytes longer = *frame;
  longer.push_back(0);
  CHECK(DecodeChunkToBytes(longer, {}).status().message() ==
        "float-joint: 1 trailing bytes after a stream of whole elements");
}

TEST_CASE("F16 chunks whose exponents spread over the whole range take whole heads at one joined bit") {
  // A small chunk, 30 exponents equally likely, uniform mantissas: one joined bit (64
  // symbols) beats two or more (128 and up) by the table alone; its raw field is 10 bits.
  std::mt19937_64 rng(5);
  const size_t n = 1500;
  Bytes raw(2 * n);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t r = rng();
    const unsigned e = 1 + unsigned(r % 30);
    EncodeFixed16(raw.data() + 2 * i, static_cast<uint16_t>((r >> 8 & 1) << 15 | e << 10 | (r >> 16 & 0x3FF)));
  }
  EncodeOptions o;
  o.force_codec = CodecId::kFloatJoint;
  Result<Bytes> frame = EncodeChunk(Dtype::kF16, raw, nullptr, o);
  REQUIRE(frame.ok());
  const ByteView payload = ByteView(*frame).subspan(kChunkFrameHeaderBytes);
  CHECK(payload[5] == (0x80 | 1));  // Joined_Bits: K = 1, whole heads
  CHECK(DecodeFixed32(payload.data()) + 4 == payload.size());  // no low plane follows
  Result<Bytes> back = DecodeChunkToBytes(*frame, {});
  REQUIRE(back.ok());
  CHECK(*back == raw);
}

TEST_CASE("On real F16 and BF16 weights the upward search finds the smallest K") {
  // The encoder prices K from the smallest up and stops at the first K that costs more,
  // which finds the smallest stream when the sizes have one minimum in K; every fixed K
  // is written here and compared.
  struct File {
    const char* path;
    int exp_bits, high_bits;
  };
  for (const File& file : {File{"models/human_movenet_lightning.safetensors", 5, 10},
                           File{"run/step_000240.weights.bf16.safetensors", 8, 7}}) {
    CAPTURE(file.path);
    int chunks = 0;
    for (const testing::LocalTensor& t : testing::ReadLocalSafetensors(testing::SharedDataPath(file.path))) {
      if (t.dtype != Dtype::kF16 && t.dtype != Dtype::kBF16) continue;
      const size_t n = std::min<size_t>(t.bytes.size() / 2, 65536);
      if (n < 4096 || chunks >= 12) continue;
      ++chunks;
      CAPTURE(t.name);
      size_t smallest = SIZE_MAX;
      for (int k = 1; k <= DefaultJoinedBits(file.exp_bits, file.high_bits); ++k) {
        Bytes fixed;
        WriteJointStream(t.bytes.data(), n, {file.exp_bits, file.high_bits, k}, &fixed);
        smallest = std::min(smallest, fixed.size());
      }
      Bytes best;
      WriteJointStreamBestJoined(t.bytes.data(), n, file.exp_bits, file.high_bits, &best);
      CHECK(best.size() <= smallest + 3);  // the price ignores each bitstream's padding
    }
    CHECK(chunks > 0);
  }
}

TEST_CASE("Joint streams of 4096 elements or more are in blocks, fewer in one bitstream") {
  const JointShape s{8, 7, 3};
  const Bytes small = Encode(Heads(4095, s, 1), s), large = Encode(Heads(4096, s, 1), s);
  CHECK((small[0] & 0x80) != 0);  // the single form
  CHECK(small[0] == (8 | 0x80));
  CHECK(large[0] == 8);
  Bytes out(2 * 4096);
  Bytes b = large;
  b.push_back(0);
  CHECK(DecodeJointStream(b, 4096, 8, 7, out.data()).message() ==
        "joint stream: 1 trailing bytes after the last block");
  b = large;
  b[0] |= 0x80;  // a single bitstream may not hold this many elements
  CHECK(DecodeJointStream(b, 4096, 8, 7, out.data()).message() ==
        "joint stream: single bitstream of 4096 symbols (limit 4095)");
  b = small;
  b.resize(b.size() - 1);
  CHECK(DecodeJointStream(b, 4095, 8, 7, out.data()).message() == "joint stream: block 0 sub-stream 0 ends early");
}

TEST_CASE("A single-form joint stream cut anywhere is rejected") {
  // Decoded a refill at a time while 8 bytes remain, then element by element: every cut
  // must end in an error, never in output.
  for (const JointShape& s : {JointShape{8, 7, 3}, JointShape{5, 10, 2}}) {
    CAPTURE(s.high_bits);
    const Bytes heads = Heads(3000, s, 11);
    const Bytes full = Encode(heads, s);
    Bytes out(heads.size());
    REQUIRE(DecodeJointStream(full, 3000, s.exp_bits, s.high_bits, out.data()).ok());
    CHECK(out == heads);
    int rejected = 0;
    for (size_t cut = 0; cut < full.size(); ++cut) {
      const Bytes b(full.begin(), full.begin() + cut);
      rejected += !DecodeJointStream(b, 3000, s.exp_bits, s.high_bits, out.data()).ok();
    }
    CHECK(rejected == int(full.size()));
  }
}

TEST_CASE("An over-subscribed joint table is rejected") {
  // Alphabet 2^(1+1) = 4 symbols, all of length 1.
  Bytes b{1, 1, 0x11, 0x11};
  PutFixed32(&b, 65536);
  PutFixed32(&b, 12);
  b.resize(b.size() + 12, 0);
  Bytes out(2 * 4);
  CHECK(DecodeJointStream(b, 4, 1, 1, out.data()).message() == "joint stream: table: over-subscribed Huffman table");
}

// Hostile bytes: an error or some output, never a crash or a hang (run under
// -DMVC_SANITIZE=ON), and never a write past the n heads.
TEST_CASE("Randomly corrupted joint streams never crash the decoder") {
  std::mt19937_64 rng(13);
  const JointShape s{8, 7, 3};
  const size_t n = 70000;
  const Bytes good = Encode(Heads(n, s, 3), s);
  Bytes out(2 * n + 8);
  int failures = 0;
  for (int round = 0; round < 300; ++round) {
    Bytes b = good;
    for (int k = 0; k < 1 + round % 4; ++k) b[rng() % b.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    std::fill(out.begin() + 2 * n, out.end(), 0x5A);
    failures += !DecodeJointStream(b, n, 8, 7, out.data()).ok();
    CHECK(std::all_of(out.begin() + 2 * n, out.end(), [](uint8_t x) { return x == 0x5A; }));
  }
  CHECK(failures > 0);
}

}  // namespace
}  // namespace mvc::codec_internal

namespace mvc {
namespace {

TEST_CASE("Codec 8 takes the float dtypes of at most 8 exponent bits, and frames say so") {
  CHECK(FloatJointTakes(Dtype::kBF16));
  CHECK(FloatJointTakes(Dtype::kF32));
  CHECK(FloatJointTakes(Dtype::kF16));
  CHECK(FloatJointTakes(Dtype::kF8_E4M3));
  CHECK(FloatJointTakes(Dtype::kF8_E5M2));
  CHECK_FALSE(FloatJointTakes(Dtype::kF64));
  CHECK_FALSE(FloatJointTakes(Dtype::kI32));
  EncodeOptions o;
  o.force_codec = CodecId::kFloatJoint;
  Bytes raw(64, 0);
  CHECK(EncodeChunk(Dtype::kF64, raw, nullptr, o).status().message() ==
        "codec float-joint needs a float dtype of at most 8 exponent bits, not F64");
  Result<Bytes> frame = EncodeChunk(Dtype::kF32, raw, nullptr, o);
  REQUIRE(frame.ok());
  Bytes f = *frame;
  f[2] = static_cast<uint8_t>(Dtype::kF64);
  CHECK(ParseChunkFrame(f).status().message() == "chunk frame: codec float-joint with dtype F64");
  f = *frame;
  f.push_back(1);
  CHECK(DecodeChunkToBytes(f, {}).status().code() == StatusCode::kCorruption);
}

// Every float tensor of every shared file through codec 8 alone, chunk by chunk.
TEST_CASE("Codec 8 round-trips every float tensor of every shared file exactly") {
  size_t raw_total = 0, encoded_total = 0;
  for (const std::string& path : testing::AllSharedSafetensors()) {
    CAPTURE(path);
    for (const testing::LocalTensor& t : testing::ReadLocalSafetensors(path)) {
      if (!FloatJointTakes(t.dtype)) continue;
      CAPTURE(t.name);
      ChunkLayout layout = ChunkLayout::For(t.dtype, t.bytes.size());
      for (uint64_t i = 0; i < layout.count(); ++i) {
        ByteView chunk = ByteView(t.bytes).subspan(layout.offset(i), layout.size(i));
        EncodeOptions o;
        o.force_codec = CodecId::kFloatJoint;
        Result<Bytes> frame = EncodeChunk(t.dtype, chunk, nullptr, o);
        REQUIRE(frame.ok());
        Result<Bytes> back = DecodeChunkToBytes(*frame, {});
        REQUIRE(back.ok());
        CHECK(std::equal(back->begin(), back->end(), chunk.begin(), chunk.end()));
        raw_total += chunk.size();
        encoded_total += frame->size();
      }
    }
  }
  CHECK(raw_total > 0);
  CHECK(encoded_total < raw_total);
}

}  // namespace
}  // namespace mvc
