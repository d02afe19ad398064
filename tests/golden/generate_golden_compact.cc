// tests/golden/generate_golden_compact.cc: wrote the *_compact golden frames, ONCE
// (2026-11-23), when entropy streams gained the compact table header
// (docs/format.md, "Entropy stream"). It re-encodes the raw (and base) bytes of
// earlier golden frames whose payloads hold entropy streams, forcing the same codec,
// under a new name; the earlier frames keep pinning the plain header. Not built; the
// frames MUST NOT be regenerated.
//
// Built by hand:  g++ -std=c++20 -O2 -I. tests/golden/generate_golden_compact.cc \
//   build/codec/libmvc_codec.a build/core/libmvc_core.a -lzstd -lcrypto -o /tmp/gen
// Run from the repository root: /tmp/gen tests/golden >> tests/golden/MANIFEST
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
  if (argc != 2) { std::fprintf(stderr, "usage: gen GOLDEN_DIR\n"); return 2; }
  const std::string dir = argv[1];
  struct Source { const char* name; Dtype dtype; CodecId codec; bool delta; };
  const Source sources[] = {
      {"float_fields_bf16", Dtype::kBF16, CodecId::kFloatFields, false},
      {"float_fields_f16", Dtype::kF16, CodecId::kFloatFields, false},
      {"float_fields_f32", Dtype::kF32, CodecId::kFloatFields, false},
      {"ordered_delta_entropy_f32", Dtype::kF32, CodecId::kOrderedDeltaEntropy, true},
  };
  for (const Source& s : sources) {
    const Bytes raw = Read(dir + "/" + s.name + ".raw");
    const Bytes base_raw = s.delta ? Read(dir + "/" + s.name + ".base") : Bytes();
    EncodeOptions o;
    o.force_codec = s.codec;
    ChunkBase base{Sha256::Digest(base_raw), base_raw};
    Result<Bytes> frame = EncodeChunk(s.dtype, raw, s.delta ? &base : nullptr, o);
    if (!frame.ok()) { std::fprintf(stderr, "%s: %s\n", s.name, frame.status().ToString().c_str()); return 1; }
    Result<Bytes> back = DecodeChunkToBytes(*frame, base_raw);
    if (!back.ok() || *back != raw) { std::fprintf(stderr, "%s: round trip failed\n", s.name); return 1; }
    const std::string name = std::string(s.name) + "_compact";
    Write(dir + "/" + name + ".frame", *frame);
    Write(dir + "/" + name + ".raw", raw);
    if (s.delta) Write(dir + "/" + name + ".base", base_raw);
    std::printf("%s %d %s %zu %s\n", name.c_str(), static_cast<int>(s.codec),
                std::string(GetDtypeInfo(s.dtype).name).c_str(), raw.size(), Sha256::Digest(raw).ToHex().c_str());
  }
  return 0;
}
