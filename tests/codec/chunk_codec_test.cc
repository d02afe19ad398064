#include "codec/chunk_codec.h"

#include <doctest/doctest.h>

#include <map>
#include <random>
#include <string>

#include "codec/float_joint.h"
#include "codec/internal/codec_estimate.h"
#include "core/chunking.h"
#include "core/sha256.h"
#include "tests/codec/codec_test_data.h"
#include "tests/testing/tensor_factory.h"
#include "tests/testing/test_util.h"

namespace mvc {
namespace {

constexpr CodecId kNonDeltaCodecs[] = {CodecId::kRaw, CodecId::kBytePlanesZstd,
                                       CodecId::kFloatFields, CodecId::kFloatJoint};
constexpr CodecId kDeltaCodecs[] = {CodecId::kOrderedDeltaZstd, CodecId::kOrderedDeltaEntropy};

// kFloatFields takes float dtypes only, kFloatJoint those of at most 8 exponent bits.
bool Applies(CodecId c, Dtype d) {
  if (c == CodecId::kFloatJoint) return GetDtypeInfo(d).is_float && d != Dtype::kF64;
  return c != CodecId::kFloatFields || GetDtypeInfo(d).is_float;
}

ObjectId FakeId(uint8_t b) {
  std::array<uint8_t, 32> a;
  a.fill(b);
  return ObjectId(a);
}

Bytes EncodeOrDie(Dtype d, ByteView raw, const ChunkBase* base, EncodeOptions o, const ChunkPlace& place = {}) {
  Result<Bytes> r = EncodeChunk(d, raw, base, o, place);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *std::move(r);
}

Bytes DecodeOrDie(ByteView frame, ByteView base) {
  Result<Bytes> r = DecodeChunkToBytes(frame, base);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *std::move(r);
}

TEST_CASE("Every dtype round-trips exactly through every codec, including specials and odd sizes") {
  for (Dtype d : kAllDtypes) {
    for (size_t n : {0, 1, 3, 17, 1000, 65537}) {
      CAPTURE(DtypeName(d));
      CAPTURE(n);
      Bytes raw = testing::GenerateTensorBytes(d, n, n + 11);
      Bytes base_raw = testing::PerturbTensorBytes(d, raw, n + 3);
      ChunkBase base{FakeId(0xab), base_raw};
      for (CodecId c : kNonDeltaCodecs) {
        if (!Applies(c, d)) continue;
        EncodeOptions o;
        o.force_codec = c;
        Bytes frame = EncodeOrDie(d, raw, nullptr, o);
        CHECK(frame[1] == static_cast<uint8_t>(c));
        CHECK(DecodeOrDie(frame, {}) == raw);
      }
      for (CodecId c : kDeltaCodecs) {
        EncodeOptions o;
        o.force_codec = c;
        Bytes frame = EncodeOrDie(d, raw, &base, o);
        Result<ChunkFrameView> view = ParseChunkFrame(frame);
        REQUIRE(view.ok());
        CHECK(view->base_id == base.id);
        CHECK(DecodeOrDie(frame, base_raw) == raw);
      }
      Bytes automatic = EncodeOrDie(d, raw, &base, {});
      Result<ChunkFrameView> view = ParseChunkFrame(automatic);
      REQUIRE(view.ok());
      CHECK(DecodeOrDie(automatic, view->base_id ? ByteView(base_raw) : ByteView()) == raw);
    }
  }
}

TEST_CASE("The shared tensor factory's special values and random weights round-trip through every codec") {
  for (Dtype d : kAllDtypes) {
    CAPTURE(DtypeName(d));
    for (const Bytes& raw : {testing::SpecialFloatBytes(d, 999), testing::RandomTensorBytes(d, 20000, 5),
                             testing::ConstantTensorBytes(d, 300, 0x80)}) {
      Bytes base_raw = testing::RandomTensorBytes(d, raw.size() / DtypeWidth(d), 6);
      ChunkBase base{FakeId(9), base_raw};
      for (CodecId c : kNonDeltaCodecs) {
        if (!Applies(c, d)) continue;
        EncodeOptions o;
        o.force_codec = c;
        CHECK(DecodeOrDie(EncodeOrDie(d, raw, nullptr, o), {}) == raw);
      }
      for (CodecId c : kDeltaCodecs) {
        EncodeOptions o;
        o.force_codec = c;
        CHECK(DecodeOrDie(EncodeOrDie(d, raw, &base, o), base_raw) == raw);
      }
    }
  }
}

TEST_CASE("Constant chunks and BF16-upcast F32 chunks collapse their constant planes to one byte") {
  Bytes zeros(4 << 20, 0);
  EncodeOptions o;
  o.force_codec = CodecId::kBytePlanesZstd;
  Bytes frame = EncodeOrDie(Dtype::kF32, zeros, nullptr, o);
  CHECK(frame.size() == 12 + 4 * 2);  // header + four (mode, value) pairs
  CHECK(DecodeOrDie(frame, {}) == zeros);

  Bytes upcast = testing::GenerateTensorBytes(Dtype::kF32, 10000, 5);
  for (size_t i = 0; i < upcast.size(); i += 4) upcast[i] = upcast[i + 1] = 0;
  Bytes f = EncodeOrDie(Dtype::kF32, upcast, nullptr, o);
  CHECK(f[12] == static_cast<uint8_t>(PlaneMode::kConstant));
  CHECK(f[14] == static_cast<uint8_t>(PlaneMode::kConstant));
  CHECK(DecodeOrDie(f, {}) == upcast);
}

TEST_CASE("The automatic choice is never larger than raw and picks the delta for a near-identical base") {
  Dtype d = Dtype::kBF16;
  Bytes base_raw = testing::GenerateTensorBytes(d, 100000, 9);
  Bytes raw = testing::PerturbTensorBytes(d, base_raw, 10);
  ChunkBase base{FakeId(1), base_raw};
  Bytes frame = EncodeOrDie(d, raw, &base, {});
  CHECK(frame[1] == static_cast<uint8_t>(CodecId::kOrderedDeltaEntropy));
  EncodeOptions no_delta;
  no_delta.allow_delta = false;
  Bytes plain = EncodeOrDie(d, raw, &base, no_delta);
  CHECK(ParseChunkFrame(plain)->base_id == std::nullopt);
  CHECK(frame.size() < plain.size());

  std::mt19937_64 rng(4);
  Bytes noise(4096);
  for (auto& b : noise) b = static_cast<uint8_t>(rng());
  Bytes nf = EncodeOrDie(Dtype::kU8, noise, nullptr, {});
  CHECK(nf[1] == static_cast<uint8_t>(CodecId::kRaw));
  CHECK(nf.size() == 12 + noise.size());
}

TEST_CASE("An F16 chunk of repeats takes byte-planes zstd in the automatic choice, one without repeats a float codec") {
  // Codec 1 is tried on F16 only where its sampled estimate is the lowest: zstd's
  // repeats must still win it the chunk.
  const Dtype d = Dtype::kF16;
  const Bytes block = testing::GenerateTensorBytes(d, 2048, 21);
  Bytes repeated;
  for (int k = 0; k < 128; ++k) repeated.insert(repeated.end(), block.begin(), block.end());
  const Bytes tiled = EncodeOrDie(d, repeated, nullptr, {});
  CHECK(tiled[1] == static_cast<uint8_t>(CodecId::kBytePlanesZstd));
  CHECK(tiled.size() < repeated.size() / 20);
  CHECK(DecodeOrDie(tiled, {}) == repeated);

  const Bytes fresh = testing::GenerateTensorBytes(d, 2048 * 128, 22);
  const Bytes coded = EncodeOrDie(d, fresh, nullptr, {});
  CHECK((coded[1] == static_cast<uint8_t>(CodecId::kFloatJoint) ||
         coded[1] == static_cast<uint8_t>(CodecId::kFloatFields)));
  CHECK(DecodeOrDie(coded, {}) == fresh);

  // 4-bit integers times a scale: few mantissas, whose low bits the joint codes leave
  // raw; float-fields codes them in the exponent's context.
  std::mt19937 rng(23);
  Bytes quantized(2 * 2048 * 128);
  for (size_t i = 0; i < quantized.size() / 2; ++i) {
    const uint64_t bits = testing::EncodeFloatBits(d, (static_cast<int>(rng() % 15) - 7) * 0.05);
    quantized[2 * i] = static_cast<uint8_t>(bits);
    quantized[2 * i + 1] = static_cast<uint8_t>(bits >> 8);
  }
  const Bytes q = EncodeOrDie(d, quantized, nullptr, {});
  CHECK(q[1] == static_cast<uint8_t>(CodecId::kFloatFields));
  CHECK(DecodeOrDie(q, {}) == quantized);
}

TEST_CASE("EncodeChunk rejects oversized, misaligned and mismatched-base chunks") {
  Bytes big(kChunkBytes + 4);
  Result<Bytes> r = EncodeChunk(Dtype::kF32, big, nullptr, {});
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(r.status().message().find("exceeds the chunk limit") != std::string::npos);
  Bytes odd(7);
  r = EncodeChunk(Dtype::kF32, odd, nullptr, {});
  CHECK(r.status().message() == "chunk of 7 bytes is not a whole number of F32 elements");
  Bytes a(8), b(12);
  ChunkBase base{FakeId(2), b};
  r = EncodeChunk(Dtype::kF32, a, &base, {});
  CHECK(r.status().message() == "base chunk has 12 bytes, chunk has 8");
  EncodeOptions o;
  o.force_codec = CodecId::kOrderedDeltaZstd;
  r = EncodeChunk(Dtype::kF32, a, nullptr, o);
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("ParseChunkFrame rejects bad versions, codecs, dtypes, flags and sizes with clear messages") {
  Bytes raw = testing::GenerateTensorBytes(Dtype::kF32, 100, 1);
  EncodeOptions o;
  o.force_codec = CodecId::kBytePlanesZstd;
  const Bytes good = EncodeOrDie(Dtype::kF32, raw, nullptr, o);
  auto parse_error = [&](auto mutate) {
    Bytes f = good;
    mutate(f);
    Result<ChunkFrameView> v = ParseChunkFrame(f);
    REQUIRE(!v.ok());
    return v.status();
  };
  Status s = parse_error([](Bytes& f) { f[0] = 2; });
  CHECK(s.code() == StatusCode::kUnsupportedVersion);
  CHECK(s.message() == "chunk frame version 2 (this build reads 1)");
  s = parse_error([](Bytes& f) { f[1] = 99; });
  CHECK(s.message() == "chunk frame: unknown codec id 99");
  s = parse_error([](Bytes& f) { f[1] = static_cast<uint8_t>(CodecId::kAlignedGridDelta); });
  CHECK(s.code() == StatusCode::kCorruption);
  s = parse_error([](Bytes& f) { f[2] = 0; });
  CHECK(s.message() == "chunk frame: unknown dtype code 0");
  s = parse_error([](Bytes& f) { f[3] = 0x04; });
  CHECK(s.message() == "chunk frame: reserved flag bits set (flags 0x04)");
  s = parse_error([](Bytes& f) { f[3] = 0x01; });
  CHECK(s.message() == "chunk frame: codec byte-planes-zstd does not take a base");
  s = parse_error([](Bytes& f) { f[4] = 3; });
  CHECK(s.message().find("is not a whole number of F32 elements") != std::string::npos);
  s = parse_error([](Bytes& f) { f[11] = 1; });
  CHECK(s.message().find("exceeds the chunk limit") != std::string::npos);
  s = parse_error([](Bytes& f) { f[1] = static_cast<uint8_t>(CodecId::kOrderedDeltaEntropy); });
  CHECK(s.message() == "chunk frame: codec ordered-delta-entropy requires a base id");
  s = parse_error([](Bytes& f) {
    f[1] = static_cast<uint8_t>(CodecId::kFloatFields);
    f[2] = static_cast<uint8_t>(Dtype::kI32);
  });
  CHECK(s.message() == "chunk frame: codec float-fields with non-float dtype I32");
  s = parse_error([](Bytes& f) { f.resize(5); });
  CHECK(s.message() == "chunk frame: 5 bytes, shorter than its 12-byte header");
}

TEST_CASE("A float-fields frame whose plane uses a mode the codec does not allow is rejected") {
  Bytes raw = testing::GenerateTensorBytes(Dtype::kBF16, 5000, 8);
  EncodeOptions o;
  o.force_codec = CodecId::kFloatFields;
  Bytes frame = EncodeOrDie(Dtype::kBF16, raw, nullptr, o);
  REQUIRE(frame[12] == static_cast<uint8_t>(PlaneMode::kEntropy));
  frame[12] = static_cast<uint8_t>(PlaneMode::kZstd);
  Result<Bytes> r = DecodeChunkToBytes(frame, {});
  CHECK(r.status().message() == "float-fields: plane 0: mode 2 not allowed in this codec");
}

TEST_CASE("DecodeChunk checks the output size and the presence of the base") {
  Bytes raw = testing::GenerateTensorBytes(Dtype::kF16, 64, 1);
  Bytes frame = EncodeOrDie(Dtype::kF16, raw, nullptr, {});
  Result<ChunkFrameView> v = ParseChunkFrame(frame);
  REQUIRE(v.ok());
  Bytes small(raw.size() - 2);
  CHECK(DecodeChunk(*v, {}, small).code() == StatusCode::kInvalidArgument);
  Bytes out(raw.size());
  CHECK(DecodeChunk(*v, raw, out).message() == "a base chunk was given for a frame without a base");
  ChunkBase base{FakeId(3), raw};
  EncodeOptions o;
  o.force_codec = CodecId::kOrderedDeltaZstd;
  Bytes delta = EncodeOrDie(Dtype::kF16, raw, &base, o);
  Result<Bytes> missing = DecodeChunkToBytes(delta, {});
  CHECK(missing.status().message() == "base chunk of 0 bytes for a delta chunk of 128");
}

// Every corruption is either rejected or decodes to bytes whose hash differs; never
// a crash or an out-of-bounds access (run once under -DMVC_SANITIZE=ON).
TEST_CASE("Corrupted frames are rejected or decode to different bytes, never crash") {
  std::mt19937_64 rng(77);
  int rejected = 0, differed = 0, identical = 0;
  for (Dtype d : {Dtype::kF32, Dtype::kBF16, Dtype::kF64, Dtype::kU8}) {
    Bytes base_raw = testing::GenerateTensorBytes(d, 3001, 5);
    Bytes raw = testing::PerturbTensorBytes(d, base_raw, 6);
    ChunkBase base{FakeId(4), base_raw};
    std::vector<std::pair<Bytes, bool>> frames;
    for (CodecId c : kNonDeltaCodecs) {
      if (!Applies(c, d)) continue;
      EncodeOptions o;
      o.force_codec = c;
      frames.push_back({EncodeOrDie(d, raw, nullptr, o), false});
    }
    for (CodecId c : kDeltaCodecs) {
      EncodeOptions o;
      o.force_codec = c;
      frames.push_back({EncodeOrDie(d, raw, &base, o), true});
    }
    const ObjectId want = Sha256::Digest(raw);
    auto try_decode = [&](ByteView f, bool delta) {
      Result<Bytes> out = DecodeChunkToBytes(f, delta ? ByteView(base_raw) : ByteView());
      if (!out.ok()) {
        ++rejected;
        CHECK(!out.status().message().empty());
      } else if (Sha256::Digest(*out) != want) {
        ++differed;
      } else {
        ++identical;  // a flip in the base id (the caller supplies the base bytes)
      }
    };
    for (auto& [frame, delta] : frames) {
      for (size_t len = 0; len < frame.size(); len += 1 + frame.size() / 200) {
        try_decode(ByteView(frame).first(len), delta);
      }
      for (int i = 0; i < 300; ++i) {
        Bytes f = frame;
        size_t pos = rng() % f.size();
        f[pos] ^= static_cast<uint8_t>(1 + rng() % 255);
        try_decode(f, delta);
      }
    }
  }
  // Identical output happens only where the decoder does not read the byte: the base
  // id of a delta frame (a wrong base id makes the porcelain fetch the wrong base,
  // which its hash check catches) and a few zstd frame-header bits.
  CHECK(rejected > 0);
  CHECK(differed > 0);
  MESSAGE("rejected ", rejected, ", decoded to other bytes ", differed, ", identical ", identical);
}

// One chunk frame per chunk of every tensor of every shared file, automatic choice
// with the tensor's shape (so codec 9 is a candidate, as in a commit).
TEST_CASE("Every tensor of every shared safetensors file round-trips exactly") {
  std::map<CodecId, size_t> chosen;
  size_t raw_total = 0, encoded_total = 0;
  for (const std::string& path : testing::AllSharedSafetensors()) {
    CAPTURE(path);
    for (const testing::LocalTensor& t : testing::ReadLocalSafetensors(path)) {
      CAPTURE(t.name);
      ChunkLayout layout = ChunkLayout::For(t.dtype, t.bytes.size());
      for (uint64_t i = 0; i < layout.count(); ++i) {
        ByteView chunk = ByteView(t.bytes).subspan(layout.offset(i), layout.size(i));
        Bytes frame = EncodeOrDie(t.dtype, chunk, nullptr, {}, {t.shape, layout.offset(i) / DtypeWidth(t.dtype)});
        ++chosen[static_cast<CodecId>(frame[1])];
        raw_total += chunk.size();
        encoded_total += frame.size();
        Bytes back = DecodeOrDie(frame, {});
        REQUIRE(back.size() == chunk.size());
        CHECK(std::equal(back.begin(), back.end(), chunk.begin()));
      }
    }
  }
  CHECK(raw_total > 0);
  CHECK(encoded_total < raw_total);
  CHECK(chosen[CodecId::kFloatScaled] > 0);  // the CNN's channel-scaled weights
  MESSAGE("all shared files: ", encoded_total, " of ", raw_total, " bytes");
}

void CheckPairRoundTrips(const std::string& base_path, const std::string& new_path,
                         double max_delta_fraction) {
  auto base_tensors = testing::ReadLocalSafetensors(testing::SharedDataPath(base_path));
  std::map<std::string, const testing::LocalTensor*> by_name;
  for (const auto& t : base_tensors) by_name[t.name] = &t;
  size_t delta_bytes = 0, plain_bytes = 0, paired = 0;
  for (const testing::LocalTensor& t : testing::ReadLocalSafetensors(testing::SharedDataPath(new_path))) {
    auto it = by_name.find(t.name);
    if (it == by_name.end() || it->second->dtype != t.dtype ||
        it->second->bytes.size() != t.bytes.size()) {
      continue;  // e.g. classifier heads of different shape
    }
    CAPTURE(t.name);
    ++paired;
    ChunkLayout layout = ChunkLayout::For(t.dtype, t.bytes.size());
    for (uint64_t i = 0; i < layout.count(); ++i) {
      ByteView chunk = ByteView(t.bytes).subspan(layout.offset(i), layout.size(i));
      ByteView base_chunk = ByteView(it->second->bytes).subspan(layout.offset(i), layout.size(i));
      ChunkBase base{Sha256::Digest(base_chunk), base_chunk};
      EncodeOptions o;
      o.force_codec = CodecId::kOrderedDeltaZstd;
      Bytes delta = EncodeOrDie(t.dtype, chunk, &base, o);
      Bytes back = DecodeOrDie(delta, base_chunk);
      CHECK(std::equal(back.begin(), back.end(), chunk.begin(), chunk.end()));
      Bytes best = EncodeOrDie(t.dtype, chunk, &base, {});
      Result<ChunkFrameView> v = ParseChunkFrame(best);
      REQUIRE(v.ok());
      Bytes back2 = DecodeOrDie(best, v->base_id ? base_chunk : ByteView());
      CHECK(std::equal(back2.begin(), back2.end(), chunk.begin(), chunk.end()));
      delta_bytes += best.size();
      plain_bytes += chunk.size();
    }
  }
  CHECK(paired > 0);
  CHECK(static_cast<double>(delta_bytes) < max_delta_fraction * static_cast<double>(plain_bytes));
  MESSAGE(new_path, " against ", base_path, ": ", delta_bytes, " of ", plain_bytes, " bytes");
}

TEST_CASE("Real fine-tune pairs round-trip exactly as ordered deltas") {
  CheckPairRoundTrips("pairs/bert_tiny_sst2.safetensors", "pairs/bert_tiny_emotion.safetensors", 1.0);
  CheckPairRoundTrips("run/step_000180.weights.bf16.safetensors",
                      "run/step_000240.weights.bf16.safetensors", 1.0);
}

// The estimate-first choice (docs/architecture.md, "How the codec picks an encoding") must cost almost nothing in
// size: within 0.2% of encoding every candidate, per file and per pair.
TEST_CASE("Codec 3's and codec 8's estimates from one split equal the two estimates made apart") {
  auto check = [](Dtype d, ByteView chunk) {
    const codec_internal::ChunkSample s = codec_internal::SampleChunk(d, chunk, {});
    const codec_internal::FloatEstimates both = codec_internal::EstimateFloatFieldsAndJoint(s);
    CHECK(both.fields == codec_internal::EstimateFloatFields(s));
    CHECK(both.joint == codec_internal::EstimateFloatJoint(s));
  };
  for (Dtype d : {Dtype::kF32, Dtype::kBF16, Dtype::kF16, Dtype::kF8_E4M3, Dtype::kF8_E5M2}) {
    CAPTURE(DtypeName(d));
    for (size_t n : {size_t{0}, size_t{1}, size_t{1000}, size_t{100000}}) check(d, testing::GenerateTensorBytes(d, n, 3));
  }
  size_t checked = 0;
  for (const std::string& path : testing::AllSharedSafetensors()) {
    CAPTURE(path);
    for (const testing::LocalTensor& t : testing::ReadLocalSafetensors(path)) {
      if (!FloatJointTakes(t.dtype)) continue;
      CAPTURE(t.name);
      const ChunkLayout layout = ChunkLayout::For(t.dtype, t.bytes.size());
      check(t.dtype, ByteView(t.bytes).subspan(layout.offset(0), layout.size(0)));
      ++checked;
    }
  }
  CHECK(checked > 100);
}

TEST_CASE("The estimated automatic choice stays within 0.2% of the exhaustive choice on real files and pairs") {
  auto total = [](const std::vector<testing::LocalTensor>& tensors,
                  const std::vector<testing::LocalTensor>* bases, bool exhaustive) {
    std::map<std::string, const testing::LocalTensor*> by_name;
    if (bases) for (const auto& t : *bases) by_name[t.name] = &t;
    size_t bytes = 0;
    for (const testing::LocalTensor& t : tensors) {
      auto it = by_name.find(t.name);
      const bool paired = it != by_name.end() && it->second->dtype == t.dtype &&
                          it->second->bytes.size() == t.bytes.size();
      ChunkLayout layout = ChunkLayout::For(t.dtype, t.bytes.size());
      for (uint64_t i = 0; i < layout.count(); ++i) {
        ByteView chunk = ByteView(t.bytes).subspan(layout.offset(i), layout.size(i));
        EncodeOptions o;
        o.exhaustive = exhaustive;
        const ChunkPlace place{t.shape, layout.offset(i) / DtypeWidth(t.dtype)};
        if (paired) {
          ByteView b = ByteView(it->second->bytes).subspan(layout.offset(i), layout.size(i));
          ChunkBase base{FakeId(7), b};
          bytes += EncodeOrDie(t.dtype, chunk, &base, o, place).size();
        } else {
          bytes += EncodeOrDie(t.dtype, chunk, nullptr, o, place).size();
        }
      }
    }
    return bytes;
  };
  for (const std::string& path : testing::AllSharedSafetensors()) {
    CAPTURE(path);
    auto tensors = testing::ReadLocalSafetensors(path);
    const size_t estimated = total(tensors, nullptr, false), exhaustive = total(tensors, nullptr, true);
    CHECK(double(estimated) <= 1.002 * double(exhaustive));
  }
  const std::pair<const char*, const char*> pairs[] = {
      {"run/step_000180.weights.bf16.safetensors", "run/step_000240.weights.bf16.safetensors"},
      {"pairs/bert_tiny_sst2.safetensors", "pairs/bert_tiny_emotion.safetensors"}};
  for (const auto& [base_path, new_path] : pairs) {
    CAPTURE(new_path);
    auto bases = testing::ReadLocalSafetensors(testing::SharedDataPath(base_path));
    auto tensors = testing::ReadLocalSafetensors(testing::SharedDataPath(new_path));
    const size_t estimated = total(tensors, &bases, false), exhaustive = total(tensors, &bases, true);
    CHECK(double(estimated) <= 1.002 * double(exhaustive));
  }
}

}  // namespace
}  // namespace mvc
