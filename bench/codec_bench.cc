// bench/codec_bench.cc: ratio and single-thread speed of each chunk codec on real files.
//
//   mvc_codec_bench FILE...              per file: each codec and the automatic choice
//   mvc_codec_bench --pair BASE NEW      delta codecs, NEW's tensors against BASE's
//   mvc_codec_bench --tensors FILE...    per-tensor frame sizes of each non-delta codec
//
// Bytes are counted as % of the raw tensor bytes; MB/s is raw MB (1e6 bytes) per second
// of encode or decode on one thread (thread CPU time), next to zstd -3 on the whole
// file's bytes measured the same way.
// Tensors a codec does not take (kFloatFields on integers, kFloatJoint on integers
// and F64) fall back to
// byte-planes-zstd inside that codec's row.
#include <zstd.h>

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "codec/chunk_codec.h"
#include "codec/float_joint.h"
#include "core/chunking.h"
#include "core/mapped_file.h"
#include "core/safetensors.h"
#include "core/sha256.h"

namespace {

using mvc::Bytes;
using mvc::ByteView;
using mvc::CodecId;
using mvc::Dtype;

struct Chunk {
  Dtype dtype;
  ByteView raw;
  std::optional<ByteView> base;
  const std::vector<uint64_t>* shape = nullptr;  // the tensor's (codec 9 sees rows and columns)
  uint64_t first_element = 0;
};

// Where a chunk lies in its tensor, for EncodeChunk.
mvc::ChunkPlace PlaceOf(const Chunk& c) {
  return c.shape ? mvc::ChunkPlace{*c.shape, c.first_element} : mvc::ChunkPlace{};
}

// Thread CPU time, not wall time: the numbers stay meaningful on a shared, loaded
// machine (they still include cache and memory effects of other processes).
double Now() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// MVC_BENCH_ONLY=NAME measures only that row (and zstd's) and MVC_BENCH_SECONDS its
// duration (default 0.3 s a direction): for profiling one codec under perf.
bool Wanted(const std::string& name) {
  const char* only = std::getenv("MVC_BENCH_ONLY");
  return only == nullptr || name == only;
}

double MeasureSeconds() {
  const char* s = std::getenv("MVC_BENCH_SECONDS");
  return s != nullptr ? std::atof(s) : 0.3;
}

struct Row {
  std::string name;
  double encoded = 0, raw = 0, enc_s = 0, dec_s = 0;
};

// Encodes and decodes every chunk, repeating until at least 0.3 s have passed.
Row Measure(const std::string& name, const std::vector<Chunk>& chunks, std::optional<CodecId> codec,
            bool exhaustive = false) {
  Row row{name};
  if (!Wanted(name)) return Row{};
  std::vector<Bytes> frames(chunks.size());
  std::vector<mvc::ObjectId> base_ids(chunks.size());
  int reps = 0;
  double t0 = Now();
  do {
    for (size_t i = 0; i < chunks.size(); ++i) {
      const Chunk& c = chunks[i];
      mvc::EncodeOptions o;
      std::optional<CodecId> use = codec;
      if (use == CodecId::kFloatFields && !mvc::GetDtypeInfo(c.dtype).is_float) use = CodecId::kBytePlanesZstd;
      if ((use == CodecId::kFloatJoint || use == CodecId::kFloatScaled) && !mvc::FloatJointTakes(c.dtype)) {
        use = CodecId::kBytePlanesZstd;
      }
      o.force_codec = use;
      o.exhaustive = exhaustive;
      mvc::ChunkBase base{base_ids[i], c.base ? *c.base : ByteView()};
      auto r = mvc::EncodeChunk(c.dtype, c.raw, c.base ? &base : nullptr, o, PlaceOf(c));
      // Codec 9 needs rows and columns: other tensors go as codec 8 in its row.
      if (!r.ok() && use == CodecId::kFloatScaled) {
        o.force_codec = CodecId::kFloatJoint;
        r = mvc::EncodeChunk(c.dtype, c.raw, nullptr, o);
      }
      if (!r.ok()) { std::fprintf(stderr, "%s: %s\n", name.c_str(), r.status().ToString().c_str()); std::exit(1); }
      frames[i] = *std::move(r);
    }
    ++reps;
  } while (Now() - t0 < MeasureSeconds());
  row.enc_s = (Now() - t0) / reps;
  Bytes out;
  reps = 0;
  t0 = Now();
  do {
    for (size_t i = 0; i < chunks.size(); ++i) {
      auto view = mvc::ParseChunkFrame(frames[i]);
      out.resize(chunks[i].raw.size());
      mvc::Status s = view.ok() ? mvc::DecodeChunk(*view, view->base_id ? *chunks[i].base : ByteView(), out)
                                : view.status();
      if (!s.ok()) { std::fprintf(stderr, "%s: %s\n", name.c_str(), s.ToString().c_str()); std::exit(1); }
      if (reps == 0 && !std::equal(out.begin(), out.end(), chunks[i].raw.begin())) {
        std::fprintf(stderr, "%s: round trip mismatch in chunk %zu\n", name.c_str(), i);
        std::exit(1);
      }
    }
    ++reps;
  } while (Now() - t0 < MeasureSeconds());
  row.dec_s = (Now() - t0) / reps;
  for (size_t i = 0; i < chunks.size(); ++i) { row.encoded += frames[i].size(); row.raw += chunks[i].raw.size(); }
  return row;
}

Row MeasureZstd(ByteView file) {
  Row row{"zstd -3 (whole file)"};
  Bytes buf(ZSTD_compressBound(file.size()));
  size_t c = 0;
  int reps = 0;
  double t0 = Now();
  do { c = ZSTD_compress(buf.data(), buf.size(), file.data(), file.size(), 3); ++reps; } while (Now() - t0 < MeasureSeconds());
  row.enc_s = (Now() - t0) / reps;
  Bytes out(file.size());
  reps = 0;
  t0 = Now();
  do { ZSTD_decompress(out.data(), out.size(), buf.data(), c); ++reps; } while (Now() - t0 < MeasureSeconds());
  row.dec_s = (Now() - t0) / reps;
  row.encoded = static_cast<double>(c);
  row.raw = static_cast<double>(file.size());
  return row;
}

void Print(const Row& r) {
  if (r.name.empty()) return;
  std::printf("  %-28s %8.3f%%  %9.0f  %9.0f\n", r.name.c_str(), 100.0 * r.encoded / r.raw,
              r.raw / 1e6 / r.enc_s, r.raw / 1e6 / r.dec_s);
}

void Header(const std::string& title, double raw_bytes) {
  std::printf("%s  (%.2f MB of tensors)\n  %-28s %9s  %9s  %9s\n", title.c_str(), raw_bytes / 1e6,
              "codec", "size", "enc MB/s", "dec MB/s");
}

struct Loaded {
  mvc::MappedFile file;
  mvc::SafetensorsLayout layout;
};

Loaded Load(const std::string& path) {
  auto f = mvc::MappedFile::Open(path);
  if (!f.ok()) { std::fprintf(stderr, "%s: %s\n", path.c_str(), f.status().ToString().c_str()); std::exit(1); }
  auto layout = mvc::ParseSafetensors(f->bytes());
  if (!layout.ok()) { std::fprintf(stderr, "%s: %s\n", path.c_str(), layout.status().ToString().c_str()); std::exit(1); }
  return {*std::move(f), *std::move(layout)};
}

void AddChunks(const mvc::TensorEntry& t, ByteView raw, std::optional<ByteView> base, std::vector<Chunk>* out) {
  mvc::ChunkLayout cl = mvc::ChunkLayout::For(t.dtype, raw.size());
  for (uint64_t i = 0; i < cl.count(); ++i) {
    std::optional<ByteView> b;
    if (base) b = base->subspan(cl.offset(i), cl.size(i));
    out->push_back({t.dtype, raw.subspan(cl.offset(i), cl.size(i)), b, &t.shape, cl.offset(i) / mvc::DtypeWidth(t.dtype)});
  }
}

void BenchFile(const std::string& path) {
  Loaded l = Load(path);
  std::vector<Chunk> chunks;
  double raw = 0;
  for (const auto& t : l.layout.tensors) {
    AddChunks(t, l.file.bytes().subspan(t.file_offset, t.num_bytes), std::nullopt, &chunks);
    raw += t.num_bytes;
  }
  Header(path, raw);
  Print(MeasureZstd(l.file.bytes()));
  Print(Measure("byte-planes-zstd", chunks, CodecId::kBytePlanesZstd));
  Print(Measure("float-fields", chunks, CodecId::kFloatFields));
  Print(Measure("float-joint", chunks, CodecId::kFloatJoint));
  Print(Measure("float-scaled", chunks, CodecId::kFloatScaled));
  Print(Measure("auto", chunks, std::nullopt));
  Print(Measure("auto exhaustive", chunks, std::nullopt, true));
}

// --tensors FILE: per tensor, the frame bytes of codecs 1, 3, 8, 9 and the automatic
// choice (no timing; a codec that does not take the dtype or shape reads as codec 1).
void ListTensors(const std::string& path) {
  Loaded l = Load(path);
  std::printf("%-48s %-5s %10s %10s %10s %10s %10s %10s\n", "tensor", "dtype", "raw", "planes", "fields", "joint",
              "scaled", "auto");
  for (const auto& t : l.layout.tensors) {
    std::vector<Chunk> chunks;
    AddChunks(t, l.file.bytes().subspan(t.file_offset, t.num_bytes), std::nullopt, &chunks);
    double sizes[5] = {0, 0, 0, 0, 0};
    for (const Chunk& c : chunks) {
      const bool joint = mvc::FloatJointTakes(c.dtype);
      const std::optional<CodecId> ids[5] = {
          CodecId::kBytePlanesZstd,
          mvc::GetDtypeInfo(c.dtype).is_float ? CodecId::kFloatFields : CodecId::kBytePlanesZstd,
          joint ? CodecId::kFloatJoint : CodecId::kBytePlanesZstd,
          joint ? CodecId::kFloatScaled : CodecId::kBytePlanesZstd, std::nullopt};
      for (int k = 0; k < 5; ++k) {
        mvc::EncodeOptions o;
        o.force_codec = ids[k];
        auto r = mvc::EncodeChunk(c.dtype, c.raw, nullptr, o, PlaceOf(c));
        if (!r.ok()) {
          o.force_codec = CodecId::kBytePlanesZstd;
          r = mvc::EncodeChunk(c.dtype, c.raw, nullptr, o);
        }
        if (r.ok()) sizes[k] += static_cast<double>(r->size());
      }
    }
    std::printf("%-48s %-5s %10llu %10.0f %10.0f %10.0f %10.0f %10.0f\n", t.name.substr(0, 48).c_str(),
                std::string(mvc::DtypeName(t.dtype)).c_str(), static_cast<unsigned long long>(t.num_bytes),
                sizes[0], sizes[1], sizes[2], sizes[3], sizes[4]);
  }
}

void BenchPair(const std::string& base_path, const std::string& new_path) {
  Loaded b = Load(base_path), n = Load(new_path);
  std::map<std::string, const mvc::TensorEntry*> by_name;
  for (const auto& t : b.layout.tensors) by_name[t.name] = &t;
  std::vector<Chunk> with_base, without;
  double raw = 0;
  for (const auto& t : n.layout.tensors) {
    ByteView bytes = n.file.bytes().subspan(t.file_offset, t.num_bytes);
    auto it = by_name.find(t.name);
    raw += t.num_bytes;
    if (it != by_name.end() && it->second->dtype == t.dtype && it->second->shape == t.shape) {
      AddChunks(t, bytes, b.file.bytes().subspan(it->second->file_offset, it->second->num_bytes), &with_base);
    } else {
      AddChunks(t, bytes, std::nullopt, &without);
    }
  }
  Header(new_path + " against " + base_path, raw);
  std::printf("  (%zu chunks paired, %zu without a base: encoded by the automatic choice in every row)\n",
              with_base.size(), without.size());
  auto combine = [&](const std::string& name, std::optional<CodecId> c, bool exhaustive = false) {
    Row a = Measure(name, with_base, c, exhaustive);
    if (!without.empty()) {
      Row o = Measure(name, without, std::nullopt, exhaustive);
      a.encoded += o.encoded; a.raw += o.raw; a.enc_s += o.enc_s; a.dec_s += o.dec_s;
    }
    Print(a);
  };
  Print(MeasureZstd(n.file.bytes()));
  combine("ordered-delta-zstd", CodecId::kOrderedDeltaZstd);
  combine("ordered-delta-entropy", CodecId::kOrderedDeltaEntropy);
  std::vector<Chunk> no_base = with_base;
  for (auto& c : no_base) c.base.reset();
  Row nb = Measure("auto without base", no_base, std::nullopt);
  if (!without.empty()) {
    Row o = Measure("", without, std::nullopt);
    nb.encoded += o.encoded; nb.raw += o.raw; nb.enc_s += o.enc_s; nb.dec_s += o.dec_s;
  }
  Print(nb);
  combine("auto with base", std::nullopt);
  combine("auto with base exhaustive", std::nullopt, true);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: mvc_codec_bench FILE...\n       mvc_codec_bench --pair BASE NEW\n");
    return 2;
  }
  std::string first = argv[1];
  if (first == "--tensors") {
    for (int i = 2; i < argc; ++i) ListTensors(argv[i]);
    return 0;
  }
  if (first == "--pair") {
    if (argc != 4) { std::fprintf(stderr, "--pair takes BASE NEW\n"); return 2; }
    BenchPair(argv[2], argv[3]);
    return 0;
  }
  for (int i = 1; i < argc; ++i) BenchFile(argv[i]);
  return 0;
}
