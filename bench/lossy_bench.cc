// bench/lossy_bench.cc: size against error of the near-lossless codecs on real files.
//
//   mvc_lossy_bench A.safetensors [B.safetensors]
//
// For bfp:6/7/8 and aligned int16/int32 anchors (on B when given, else A): stored % of
// raw (frames, headers included), relative L2 over the whole file, max |error|, and the
// order-0 entropy of the codec's own codes per chunk (BFP: H(|q|) + one sign bit per
// non-zero code + H(group exponent symbols) + escaped bytes; grid: H of each byte plane
// of the zigzagged code words, as lossy_bounds.py counts, and H of the whole codes).
// With B: the aligned delta of B against A's grid (tensors of equal size; a tensor whose
// codes leave the grid is re-anchored and counted). Then --max-rel-error's automatic
// choice against BFP alone at a few bounds. Compare with
//   python3 ../shared/tools/lossy_bounds.py A B
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "codec/aligned_grid.h"
#include "codec/bfp_encoding.h"
#include "codec/chunk_codec.h"
#include "codec/internal/lossy_float.h"
#include "codec/lossy_choice.h"
#include "core/chunking.h"
#include "core/mapped_file.h"
#include "core/safetensors.h"

namespace {

using mvc::ByteView;
using mvc::Dtype;
using mvc::codec_internal::LoadFloat;

struct Tensor {
  std::string name;
  Dtype dtype;
  ByteView bytes;
};

struct File {
  std::optional<mvc::MappedFile> file;
  std::vector<Tensor> tensors;
};

bool Load(const char* path, File* out) {
  auto f = mvc::MappedFile::Open(path);
  if (!f.ok()) { std::fprintf(stderr, "%s: %s\n", path, f.status().ToString().c_str()); return false; }
  out->file.emplace(*std::move(f));
  auto layout = mvc::ParseSafetensors(out->file->bytes());
  if (!layout.ok()) { std::fprintf(stderr, "%s: %s\n", path, layout.status().ToString().c_str()); return false; }
  for (const auto& t : layout->tensors) {
    out->tensors.push_back({t.name, t.dtype, out->file->bytes().subspan(t.file_offset, t.num_bytes)});
  }
  return true;
}

// Order-0 entropy in bits (total) of a histogram.
template <typename Map>
double EntropyBits(const Map& hist, double n) {
  double bits = 0;
  for (const auto& [sym, c] : hist) bits -= c * std::log2(c / n);
  return bits;
}

double VecEntropyBits(const std::vector<double>& hist, double n) {
  double bits = 0;
  for (double c : hist) if (c > 0) bits -= c * std::log2(c / n);
  return bits;
}

// BFP codes of one chunk, recomputed as the encoder defines them (codec/bfp_encoding.h).
double BfpCodeEntropyBits(Dtype d, ByteView raw, int m_req) {
  const int m = mvc::BfpEffectiveMantissaBits(d, m_req);
  const size_t w = mvc::DtypeWidth(d), n = raw.size() / w, g_elems = mvc::kBfpGroupElems;
  std::unordered_map<uint32_t, double> mags;
  std::map<int, double> exps;  // INT32_MIN: zero group, INT32_MAX: escaped
  double signs = 0, escaped_bits = 0, coded = 0, groups = 0;
  const double max_mag = std::ldexp(1.0, m) - 1;
  for (size_t b = 0; b < n; b += g_elems) {
    const size_t e = std::min(n, b + g_elems);
    double mx = 0;
    bool finite = true;
    for (size_t i = b; i < e; ++i) {
      double x = LoadFloat(d, raw.data() + i * w);
      finite &= std::isfinite(x);
      mx = std::max(mx, std::fabs(x));
    }
    ++groups;
    if (!finite) { exps[INT32_MAX] += 1; escaped_bits += 8.0 * (e - b) * w; continue; }
    if (mx == 0) { exps[INT32_MIN] += 1; continue; }
    const int ge = std::ilogb(mx);
    exps[ge] += 1;
    for (size_t i = b; i < e; ++i) {
      double q = std::nearbyint(std::ldexp(LoadFloat(d, raw.data() + i * w), -(ge + 1 - m)));
      q = std::clamp(q, -max_mag, max_mag);
      mags[static_cast<uint32_t>(std::fabs(q))] += 1;
      signs += q != 0;
      coded += 1;
    }
  }
  return EntropyBits(mags, coded) + signs + EntropyBits(exps, groups) + escaped_bits;
}

// Entropy of grid code words (zigzag, `bytes` wide): per byte plane, and joint.
void WordEntropyBits(const std::vector<uint64_t>& words, int bytes, double* planes, double* joint) {
  std::unordered_map<uint64_t, double> hist;
  std::vector<std::vector<double>> ph(bytes, std::vector<double>(256, 0));
  for (uint64_t z : words) {
    hist[z] += 1;
    for (int k = 0; k < bytes; ++k) ph[k][(z >> (8 * k)) & 0xFF] += 1;
  }
  *joint += EntropyBits(hist, words.size());
  for (int k = 0; k < bytes; ++k) *planes += VecEntropyBits(ph[k], words.size());
}

uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }

std::vector<uint64_t> GridWords(Dtype d, ByteView recon, ByteView base_recon, int s) {
  const size_t w = mvc::DtypeWidth(d);
  std::vector<uint64_t> out;
  for (size_t i = 0; i < recon.size(); i += w) {
    int64_t c = static_cast<int64_t>(std::ldexp(LoadFloat(d, recon.data() + i), -s));
    if (!base_recon.empty()) c -= static_cast<int64_t>(std::ldexp(LoadFloat(d, base_recon.data() + i), -s));
    out.push_back(ZigZag(c));
  }
  return out;
}

double MaxAbs(Dtype d, ByteView raw) {
  double m = 0;
  for (size_t i = 0; i < raw.size(); i += mvc::DtypeWidth(d)) m = std::max(m, std::fabs(LoadFloat(d, raw.data() + i)));
  return m;
}

struct Totals {
  double raw = 0, stored = 0, sse = 0, ssr = 0, maxerr = 0, ent = 0, ent_joint = 0;
  int reanchored = 0;
  void Add(const mvc::LossyChunk& c, size_t raw_bytes) {
    raw += raw_bytes; stored += c.frame.size(); sse += c.sum_sq_error; ssr += c.sum_sq_reference;
    maxerr = std::max(maxerr, c.max_abs_error);
  }
};

void Print(const std::string& label, const Totals& t, bool joint) {
  std::printf("%-24s %7.2f%% of raw  rel L2 %.2e  max|d| %.2e  entropy %6.2f%%  stored/entropy %.4f",
              label.c_str(), 100 * t.stored / t.raw, std::sqrt(t.sse / t.ssr), t.maxerr,
              100 * t.ent / 8 / t.raw, t.stored * 8 / t.ent);
  if (joint) std::printf("  (joint code entropy %.2f%%)", 100 * t.ent_joint / 8 / t.raw);
  if (t.reanchored) std::printf("  re-anchored %d tensors", t.reanchored);
  std::printf("\n");
}

bool IsGrid(Dtype d) { return d == Dtype::kF32 || d == Dtype::kF64; }
bool IsBfp(Dtype d) { return IsGrid(d) || d == Dtype::kF16 || d == Dtype::kBF16; }

template <typename Fn>
void ForChunks(const Tensor& t, Fn fn) {
  mvc::ChunkLayout layout = mvc::ChunkLayout::For(t.dtype, t.bytes.size());
  for (uint64_t i = 0; i < layout.count(); ++i) fn(i, t.bytes.subspan(layout.offset(i), layout.size(i)));
}

void Die(const mvc::Status& s) {
  std::fprintf(stderr, "error: %s\n", s.ToString().c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: mvc_lossy_bench A.safetensors [B.safetensors]\n");
    return 2;
  }
  File a, b;
  if (!Load(argv[1], &a)) return 1;
  const bool pair = argc == 3;
  if (pair && !Load(argv[2], &b)) return 1;
  const File& subject = pair ? b : a;
  std::printf("file: %s\n", pair ? argv[2] : argv[1]);

  for (int m : {6, 7, 8}) {
    Totals t;
    for (const Tensor& x : subject.tensors) {
      if (!IsBfp(x.dtype) || x.bytes.empty()) continue;
      ForChunks(x, [&](uint64_t, ByteView raw) {
        auto c = mvc::EncodeBfpChunk(x.dtype, raw, m);
        if (!c.ok()) Die(c.status());
        t.Add(*c, raw.size());
        t.ent += BfpCodeEntropyBits(x.dtype, raw, m);
      });
    }
    if (t.raw > 0) Print("bfp:" + std::to_string(m), t, false);
  }

  for (int bits : {16, 32}) {
    Totals t;
    for (const Tensor& x : subject.tensors) {
      if (!IsGrid(x.dtype) || x.bytes.empty()) continue;
      const mvc::GridSpec g = mvc::ChooseGrid(x.dtype, MaxAbs(x.dtype, x.bytes), bits);
      ForChunks(x, [&](uint64_t, ByteView raw) {
        auto c = mvc::EncodeGridAnchorChunk(x.dtype, raw, g);
        if (!c.ok()) Die(c.status());
        t.Add(*c, raw.size());
        WordEntropyBits(GridWords(x.dtype, c->reconstructed, {}, g.scale_exponent), bits / 8, &t.ent, &t.ent_joint);
      });
    }
    if (t.raw > 0) Print("aligned:int" + std::to_string(bits) + " anchor", t, true);
  }

  if (pair) {
    std::map<std::string, const Tensor*> base;
    for (const Tensor& x : a.tensors) base[x.name] = &x;
    for (int bits : {16, 32}) {
      Totals t;
      for (const Tensor& x : b.tensors) {
        auto it = base.find(x.name);
        if (!IsGrid(x.dtype) || x.bytes.empty() || it == base.end() || it->second->dtype != x.dtype ||
            it->second->bytes.size() != x.bytes.size()) {
          continue;
        }
        const Tensor& y = *it->second;
        const mvc::GridSpec g = mvc::ChooseGrid(x.dtype, MaxAbs(y.dtype, y.bytes), bits);
        // Try every chunk as a delta; if any leaves the grid, re-anchor the tensor.
        std::vector<mvc::LossyChunk> chunks;
        std::vector<std::vector<uint64_t>> words;
        bool left = false;
        ForChunks(x, [&](uint64_t i, ByteView raw) {
          if (left) return;
          mvc::ChunkLayout layout = mvc::ChunkLayout::For(y.dtype, y.bytes.size());
          auto anchor = mvc::EncodeGridAnchorChunk(y.dtype, y.bytes.subspan(layout.offset(i), layout.size(i)), g);
          if (!anchor.ok()) Die(anchor.status());
          auto d = mvc::EncodeGridDeltaChunk(x.dtype, raw, g, mvc::ObjectId(), anchor->reconstructed);
          if (!d.ok()) { left = true; return; }
          words.push_back(GridWords(x.dtype, d->reconstructed, anchor->reconstructed, g.scale_exponent));
          chunks.push_back(std::move(*d));
        });
        if (left) {
          ++t.reanchored;
          chunks.clear();
          words.clear();
          const mvc::GridSpec g2 = mvc::ChooseGrid(x.dtype, MaxAbs(x.dtype, x.bytes), bits);
          ForChunks(x, [&](uint64_t, ByteView raw) {
            auto c = mvc::EncodeGridAnchorChunk(x.dtype, raw, g2);
            if (!c.ok()) Die(c.status());
            words.push_back(GridWords(x.dtype, c->reconstructed, {}, g2.scale_exponent));
            chunks.push_back(std::move(*c));
          });
        }
        for (size_t i = 0; i < chunks.size(); ++i) {
          t.Add(chunks[i], chunks[i].reconstructed.size());
          WordEntropyBits(words[i], bits / 8, &t.ent, &t.ent_joint);
        }
      }
      if (t.raw > 0) Print("aligned:int" + std::to_string(bits) + " delta B|A", t, true);
    }
  }

  // --max-rel-error: the automatic choice per tensor against BFP alone (per tensor, the
  // smallest M within the bound; lossless where no M reaches it).
  std::printf("\n%-10s %12s %12s %12s   (stored %% of raw of the float tensors)\n", "max rel", "auto",
              "bfp only", "lossless");
  for (double e : {3e-2, 1e-2, 3e-3, 1e-3, 1e-4, 1e-5, 1e-6}) {
    double raw = 0, auto_bytes = 0, bfp_bytes = 0, lossless_bytes = 0;
    std::map<std::string, int> wins;
    for (const Tensor& x : subject.tensors) {
      if (!IsBfp(x.dtype) || x.bytes.empty()) continue;
      auto c = mvc::ChooseLossyEncoding(x.dtype, x.bytes, e);
      if (!c.ok()) Die(c.status());
      raw += x.bytes.size();
      auto_bytes += c->stored_bytes;
      ++wins[mvc::PolicyName(c->policy)];
      auto lossless = mvc::ChooseLossyEncoding(x.dtype, x.bytes, 0);
      if (!lossless.ok()) Die(lossless.status());
      lossless_bytes += lossless->stored_bytes;
      double best_bfp = lossless->stored_bytes;
      for (int m = 2; m <= mvc::BfpEffectiveMantissaBits(x.dtype, 23); ++m) {
        double sse = 0, ssr = 0, size = 0;
        ForChunks(x, [&](uint64_t, ByteView r) {
          auto bc = mvc::EncodeBfpChunk(x.dtype, r, m);
          if (!bc.ok()) Die(bc.status());
          sse += bc->sum_sq_error; ssr += bc->sum_sq_reference; size += bc->frame.size();
        });
        if (mvc::RelativeL2(sse, ssr) <= e) { best_bfp = std::min(best_bfp, size); break; }
      }
      bfp_bytes += best_bfp;
    }
    std::printf("%-10.0e %11.2f%% %11.2f%% %11.2f%%  ", e, 100 * auto_bytes / raw, 100 * bfp_bytes / raw,
                100 * lossless_bytes / raw);
    for (const auto& [name, n] : wins) std::printf(" %s x%d", name.c_str(), n);
    std::printf("%s\n", auto_bytes <= bfp_bytes ? "" : "  AUTO LARGER THAN BFP");
  }
  return 0;
}
