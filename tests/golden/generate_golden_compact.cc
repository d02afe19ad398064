// tests/golden/generate_golden_compact.cc: wrote golden frames for the compact table
// forms, ONCE each (2026-11-23). It re-encodes the raw (and base) bytes of earlier
// golden frames, forcing the same codec, under NAME + SUFFIX; the earlier frames keep
// pinning the plain forms. Not built; the frames MUST NOT be regenerated. Runs:
//   gen tests/golden _compact float_fields_bf16 float_fields_f16 float_fields_f32 \
//       ordered_delta_entropy_f32          (compact Huffman tables, "Entropy stream")
//   gen tests/golden _rans_compact ordered_delta_entropy_bf16 ordered_delta_entropy_f32
//                                          (compact rANS frequencies, "rANS stream")
//   gen tests/golden _as_byte_planes float_fields_bf16:1 float_fields_f16:1
//        (codec 1 planes in Huffman and rANS modes; NAME:1 re-encodes NAME's raw bytes
//        with codec 1)
//   gen tests/golden _as_float_joint float_fields_bf16:8 float_fields_f16:8 \
//       float_fields_f32:8 float_fields_f8e4m3:8 float_fields_f8e5m2:8
//        (codec 8, "Codec 8: FloatJoint", written 2026-11-23; NAME:8 re-encodes with codec 8)
//   gen tests/golden _single float_fields_f8e4m3 float_fields_f8e5m2
//   gen tests/golden _as_float_joint_single float_fields_f8e4m3:8 float_fields_f8e5m2:8
//        (streams of fewer than 4096 symbols in the single form, "Entropy stream")
//   gen tests/golden _as_float_joint_whole float_fields_f16:8
//        (2026-12-01: codec 8 with whole F16 elements as heads, "Joint stream")
//   gen tests/golden "" float_joint_f16_k1
//        (2026-12-02: whole F16 heads at K = 1, a 10-bit raw field; its raw bytes, 1500
//        elements of exponents 1..30 equally likely with uniform signs and mantissas,
//        were written first by Python's random.Random(20261202): per element
//        getrandbits(1), 1 + randrange(30), getrandbits(10))
//
// Built by hand:  g++ -std=c++20 -O2 -I. tests/golden/generate_golden_compact.cc \
//   build/codec/libmvc_codec.a build/core/libmvc_core.a -lzstd -lcrypto -o /tmp/gen
// Run from the repository root: /tmp/gen tests/golden SUFFIX NAME... >> tests/golden/MANIFEST
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "codec/chunk_codec.h"
#include "core/sha256.h"

namespace {

using namespace mvc;

Bytes Read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) { std::perror(path.c_str()); std::exit(1); }
  return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

void Write(const std::string& path, const Bytes& b) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  if (!f) { std::perror(path.c_str()); std::exit(1); }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) { std::fprintf(stderr, "usage: gen GOLDEN_DIR SUFFIX NAME...\n"); return 2; }
  const std::string dir = argv[1], suffix = argv[2];
  struct Source { const char* name; Dtype dtype; CodecId codec; bool delta; };
  const Source sources[] = {
      {"float_fields_bf16", Dtype::kBF16, CodecId::kFloatFields, false},
      {"float_fields_f16", Dtype::kF16, CodecId::kFloatFields, false},
      {"float_fields_f32", Dtype::kF32, CodecId::kFloatFields, false},
      {"float_fields_f8e4m3", Dtype::kF8_E4M3, CodecId::kFloatFields, false},
      {"float_fields_f8e5m2", Dtype::kF8_E5M2, CodecId::kFloatFields, false},
      {"ordered_delta_entropy_bf16", Dtype::kBF16, CodecId::kOrderedDeltaEntropy, true},
      {"ordered_delta_entropy_f32", Dtype::kF32, CodecId::kOrderedDeltaEntropy, true},
      {"float_joint_f16_k1", Dtype::kF16, CodecId::kFloatJoint, false},
  };
  for (int arg = 3; arg < argc; ++arg) {
    std::string wanted = argv[arg];
    const bool as_byte_planes = wanted.size() > 2 && wanted.substr(wanted.size() - 2) == ":1";
    const bool as_float_joint = wanted.size() > 2 && wanted.substr(wanted.size() - 2) == ":8";
    if (as_byte_planes || as_float_joint) wanted.resize(wanted.size() - 2);
    const Source* found = nullptr;
    for (const Source& s : sources) if (wanted == s.name) found = &s;
    if (!found) { std::fprintf(stderr, "unknown source frame %s\n", argv[arg]); return 2; }
    Source s = *found;
    if (as_byte_planes) s.codec = CodecId::kBytePlanesZstd;
    if (as_float_joint) s.codec = CodecId::kFloatJoint;
    const Bytes raw = Read(dir + "/" + s.name + ".raw");
    const Bytes base_raw = s.delta ? Read(dir + "/" + s.name + ".base") : Bytes();
    EncodeOptions o;
    o.force_codec = s.codec;
    ChunkBase base{Sha256::Digest(base_raw), base_raw};
    Result<Bytes> frame = EncodeChunk(s.dtype, raw, s.delta ? &base : nullptr, o);
    if (!frame.ok()) { std::fprintf(stderr, "%s: %s\n", s.name, frame.status().ToString().c_str()); return 1; }
    Result<Bytes> back = DecodeChunkToBytes(*frame, base_raw);
    if (!back.ok() || *back != raw) { std::fprintf(stderr, "%s: round trip failed\n", s.name); return 1; }
    const std::string name = std::string(s.name) + suffix;
    Write(dir + "/" + name + ".frame", *frame);
    Write(dir + "/" + name + ".raw", raw);
    if (s.delta) Write(dir + "/" + name + ".base", base_raw);
    std::printf("%s %d %s %zu %s\n", name.c_str(), static_cast<int>(s.codec),
                std::string(GetDtypeInfo(s.dtype).name).c_str(), raw.size(), Sha256::Digest(raw).ToHex().c_str());
  }
  return 0;
}
