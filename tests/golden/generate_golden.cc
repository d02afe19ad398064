// tests/golden/generate_golden.cc: the program that wrote the golden frames in this
// folder, ONCE (2026-11-23, codec as of commit 05ab366). Kept to show how each frame
// was made; it is not built and the frames MUST NOT be regenerated: they pin what
// decoders must accept forever (docs/format.md, "Golden frames").
//
// Built by hand:  g++ -std=c++20 -O2 -I. tests/golden/generate_golden.cc \
//   build/codec/libmvc_codec.a build/core/libmvc_core.a -lzstd -lcrypto -o /tmp/gen
// Run from the repository root: /tmp/gen tests/golden
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "codec/chunk_codec.h"
#include "core/sha256.h"

namespace {

using namespace mvc;

void Write(const std::string& path, const Bytes& b) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(b.data(), 1, b.size(), f) != b.size()) { std::perror(path.c_str()); std::exit(1); }
  std::fclose(f);
}

uint32_t FloatBits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }

// Weight-like values: normal with a per-row scale, a few exact zeros.
std::vector<float> Weights(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = (i % 97 == 0) ? 0.0f : nd(rng) * 0.02f * (1 + (i / 64) % 3);
  return v;
}

uint16_t ToF16(float f) {
  uint32_t x = FloatBits(f);
  uint32_t sign = (x >> 16) & 0x8000;
  int e = int((x >> 23) & 0xFF) - 127 + 15;
  uint32_t m = x & 0x7FFFFF;
  if (e <= 0) return static_cast<uint16_t>(sign);  // flush tiny values to zero
  return static_cast<uint16_t>(sign | (e << 10) | (m >> 13));
}

Bytes Encode(Dtype d, const std::vector<float>& v) {
  Bytes b;
  for (float f : v) {
    uint32_t u = FloatBits(f);
    switch (d) {
      case Dtype::kF32: for (int k = 0; k < 4; ++k) b.push_back(uint8_t(u >> (8 * k))); break;
      case Dtype::kBF16: b.push_back(uint8_t(u >> 16)); b.push_back(uint8_t(u >> 24)); break;
      case Dtype::kF16: { uint16_t h = ToF16(f); b.push_back(uint8_t(h)); b.push_back(uint8_t(h >> 8)); break; }
      case Dtype::kF64: {
        double x = f; uint64_t w; std::memcpy(&w, &x, 8);
        for (int k = 0; k < 8; ++k) b.push_back(uint8_t(w >> (8 * k)));
        break;
      }
      default: std::exit(2);
    }
  }
  return b;
}

// Base + small update, as between two checkpoints.
std::vector<float> Update(const std::vector<float>& v, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> out(v);
  for (size_t i = 0; i < v.size(); ++i) if (i % 5 != 0) out[i] += nd(rng) * 0.001f;
  return out;
}

std::string g_dir;
FILE* g_manifest;

void Emit(const std::string& name, Dtype d, const Bytes& raw, const Bytes* base_raw, CodecId codec) {
  EncodeOptions o;
  o.force_codec = codec;
  ChunkBase base{Sha256::Digest(base_raw ? ByteView(*base_raw) : ByteView()), base_raw ? ByteView(*base_raw) : ByteView()};
  Result<Bytes> f = EncodeChunk(d, raw, base_raw ? &base : nullptr, o);
  if (!f.ok()) { std::fprintf(stderr, "%s: %s\n", name.c_str(), f.status().ToString().c_str()); std::exit(1); }
  Result<Bytes> back = DecodeChunkToBytes(*f, base_raw ? ByteView(*base_raw) : ByteView());
  if (!back.ok() || *back != raw) { std::fprintf(stderr, "%s: no round trip\n", name.c_str()); std::exit(1); }
  Write(g_dir + "/" + name + ".frame", *f);
  Write(g_dir + "/" + name + ".raw", raw);
  if (base_raw) Write(g_dir + "/" + name + ".base", *base_raw);
  std::fprintf(g_manifest, "%s %d %s %zu %s\n", name.c_str(), int(codec), std::string(DtypeName(d)).c_str(),
               raw.size(), Sha256::Digest(raw).ToHex().c_str());
}

void EmitError(const std::string& name, const Bytes& frame, const Bytes* base_raw, const std::string& expect) {
  Write(g_dir + "/errors/" + name + ".frame", frame);
  if (base_raw) Write(g_dir + "/errors/" + name + ".base", *base_raw);
  Result<Bytes> r = DecodeChunkToBytes(frame, base_raw ? ByteView(*base_raw) : ByteView());
  if (r.ok() || r.status().ToString().find(expect) == std::string::npos) {
    std::fprintf(stderr, "%s: got %s\n", name.c_str(), r.ok() ? "ok" : r.status().ToString().c_str());
    std::exit(1);
  }
  Write(g_dir + "/errors/" + name + ".expect", Bytes(expect.begin(), expect.end()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  g_dir = argv[1];
  g_manifest = std::fopen((g_dir + "/MANIFEST").c_str(), "w");
  std::fprintf(g_manifest, "# name codec_id dtype raw_bytes sha256(raw); files NAME.frame, NAME.raw, NAME.base (deltas)\n");

  const std::vector<float> w = Weights(3000, 1);
  const std::vector<float> big = Weights(6000, 2);
  Bytes u8;
  for (int i = 0; i < 300; ++i) u8.push_back(uint8_t(i * 7));
  Emit("raw_u8", Dtype::kU8, u8, nullptr, CodecId::kRaw);
  Emit("raw_empty_f32", Dtype::kF32, {}, nullptr, CodecId::kRaw);
  // Codec 1: F32 with a constant plane (byte 0 of integers cast to float) and zstd planes.
  std::vector<float> ints(1024);
  for (size_t i = 0; i < ints.size(); ++i) ints[i] = float(int(i % 200) - 100);
  Emit("byte_planes_f32", Dtype::kF32, Encode(Dtype::kF32, ints), nullptr, CodecId::kBytePlanesZstd);
  Bytes i32;
  for (int i = 0; i < 500; ++i) { uint32_t v = uint32_t(i * i); for (int k = 0; k < 4; ++k) i32.push_back(uint8_t(v >> (8 * k))); }
  Emit("byte_planes_i32", Dtype::kI32, i32, nullptr, CodecId::kBytePlanesZstd);
  // Codec 3 for each float layout.
  Emit("float_fields_bf16", Dtype::kBF16, Encode(Dtype::kBF16, big), nullptr, CodecId::kFloatFields);
  Emit("float_fields_f16", Dtype::kF16, Encode(Dtype::kF16, big), nullptr, CodecId::kFloatFields);
  Emit("float_fields_f32", Dtype::kF32, Encode(Dtype::kF32, w), nullptr, CodecId::kFloatFields);
  Emit("float_fields_f64", Dtype::kF64, Encode(Dtype::kF64, Weights(700, 3)), nullptr, CodecId::kFloatFields);
  Bytes e4m3, e5m2;
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) { e4m3.push_back(uint8_t(rng() % 64 + (i % 3 ? 0x80 : 0) + 0x10)); }
  for (int i = 0; i < 2000; ++i) { e5m2.push_back(uint8_t((rng() % 24 + 40) | (i % 2 ? 0x80 : 0))); }
  Emit("float_fields_f8e4m3", Dtype::kF8_E4M3, e4m3, nullptr, CodecId::kFloatFields);
  Emit("float_fields_f8e5m2", Dtype::kF8_E5M2, e5m2, nullptr, CodecId::kFloatFields);
  // Deltas.
  const Bytes base_bf16 = Encode(Dtype::kBF16, big);
  const Bytes new_bf16 = Encode(Dtype::kBF16, Update(big, 9));
  Emit("ordered_delta_zstd_bf16", Dtype::kBF16, new_bf16, &base_bf16, CodecId::kOrderedDeltaZstd);
  Emit("ordered_delta_entropy_bf16", Dtype::kBF16, new_bf16, &base_bf16, CodecId::kOrderedDeltaEntropy);
  const std::vector<float> huge = Weights(20000, 4);
  const Bytes base_f32 = Encode(Dtype::kF32, huge);
  const Bytes new_f32 = Encode(Dtype::kF32, Update(huge, 10));
  Emit("ordered_delta_entropy_f32", Dtype::kF32, new_f32, &base_f32, CodecId::kOrderedDeltaEntropy);
  Bytes base_i16, new_i16;
  for (int i = 0; i < 1000; ++i) {
    int16_t a = int16_t(i * 31 - 9000), b = int16_t(a + (i % 7) - 3);
    base_i16.push_back(uint8_t(a)); base_i16.push_back(uint8_t(uint16_t(a) >> 8));
    new_i16.push_back(uint8_t(b)); new_i16.push_back(uint8_t(uint16_t(b) >> 8));
  }
  Emit("ordered_delta_entropy_i16", Dtype::kI16, new_i16, &base_i16, CodecId::kOrderedDeltaEntropy);
  std::fclose(g_manifest);

  // Frames that MUST fail, with the message they fail with.
  EncodeOptions ff;
  ff.force_codec = CodecId::kFloatFields;
  Bytes good = *EncodeChunk(Dtype::kBF16, Encode(Dtype::kBF16, w), nullptr, ff);
  Bytes f = good; f[0] = 2;
  EmitError("version_2", f, nullptr, "chunk frame version 2 (this build reads 1)");
  f = good; f[1] = 200;
  EmitError("unknown_codec", f, nullptr, "chunk frame: unknown codec id 200");
  f = good; f[3] = 0x02;
  EmitError("reserved_flag", f, nullptr, "chunk frame: reserved flag bits set (flags 0x02)");
  f = good; f[4] = 0x01; f[5] = 0x00; f[6] = 0x40; f[7] = 0x00;  // 4194305 bytes
  EmitError("raw_size_over_limit", f, nullptr, "exceeds the chunk limit 4194304");
  f = good; f.resize(f.size() - 10);
  EmitError("truncated_plane", f, nullptr, "float-fields: plane 1: raw plane truncated");
  f = good; f[13] = 0x00; f[14] = 0xFF; f[15] = 0xFF; f[16] = 0x7F;
  EmitError("stream_overruns_payload", f, nullptr, "plane 0: stream of 2147483392 bytes overruns the payload");
  f = good; f.push_back(0);
  EmitError("trailing_byte", f, nullptr, "1 trailing bytes after the last plane");
  f = good; f[2] = static_cast<uint8_t>(Dtype::kI16);
  EmitError("float_fields_int_dtype", f, nullptr, "codec float-fields with non-float dtype");
  f = good; f[3] = 0x01;
  EmitError("base_on_non_delta", f, nullptr, "does not take a base");
  // A plane mode codec 3 does not allow (zstd), then a raw exponent plane of F16 whose
  // symbol does not fit its 5 bits.
  {
    Bytes m(good.begin(), good.begin() + 12);
    m[2] = static_cast<uint8_t>(Dtype::kF16);
    const uint64_t n = 4;
    for (int k = 0; k < 8; ++k) m[4 + k] = uint8_t((2 * n) >> (8 * k));
    Bytes zs = m;
    zs.push_back(2);
    EmitError("float_fields_zstd_mode", zs, nullptr, "plane 0: mode 2 not allowed in this codec");
    Bytes big_sym = m;
    big_sym.push_back(0);
    for (int i = 0; i < 4; ++i) big_sym.push_back(i == 2 ? 40 : 3);
    EmitError("symbol_out_of_range", big_sym, nullptr, "plane 0: symbol out of its 5-bit range");
  }
  // An over-subscribed Huffman table: every length nibble of the exponent table set to 1.
  {
    Bytes h = good;
    // Payload: plane 0 mode at 12; for an entropy plane: u32 size, then alphabet 8,
    // context 0, 1 table, then 128 length bytes.
    if (h[12] != 3) { std::fprintf(stderr, "plane 0 of the BF16 frame is not entropy coded\n"); return 1; }
    for (int i = 0; i < 128; ++i) h[12 + 1 + 4 + 3 + i] = 0x11;
    EmitError("huffman_oversubscribed", h, nullptr, "over-subscribed Huffman table");
  }
  // A rANS plane whose frequencies do not sum to 4096, and a delta frame without its base id.
  {
    EncodeOptions ode;
    ode.force_codec = CodecId::kOrderedDeltaEntropy;
    ChunkBase b{Sha256::Digest(base_f32), base_f32};
    Bytes d = *EncodeChunk(Dtype::kF32, new_f32, &b, ode);
    size_t pos = 44;
    bool done = false;
    for (int k = 0; k < 4 && !done; ++k) {
      const uint8_t mode = d[pos];
      if (mode == 4) { d[pos + 1 + 4] ^= 1; done = true; break; }
      if (mode == 1) { pos += 2; continue; }
      if (mode == 0) { pos += 1 + new_f32.size() / 4; continue; }
      uint32_t c = d[pos + 1] | d[pos + 2] << 8 | d[pos + 3] << 16 | uint32_t(d[pos + 4]) << 24;
      pos += 5 + c;
    }
    if (!done) { std::fprintf(stderr, "no rANS plane in the F32 delta frame\n"); return 1; }
    EmitError("rans_bad_frequencies", d, &base_f32, "rANS stream: frequencies sum to");
    Bytes nb = *EncodeChunk(Dtype::kF32, new_f32, &b, ode);
    nb[3] = 0;
    EmitError("delta_without_base", nb, nullptr, "requires a base id");
  }
  return 0;
}
