// DiffModels: match tensors, stream chunk pairs through the pool, combine in order.
#include "refs/diff_models.h"

#include <fnmatch.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>

#include "codec/chunk_codec.h"
#include "core/chunking.h"
#include "core/mapped_file.h"
#include "core/safetensors.h"
#include "core/sha256.h"
#include "core/tensor_record.h"
#include "core/thread_pool.h"
#include "refs/internal/tensor_io.h"
#include "refs/internal/worktree.h"
#include "refs/layer_names.h"

namespace mvc {

std::string_view TensorChangeName(TensorChange change) {
  switch (change) {
    case TensorChange::kUnchanged: return "unchanged";
    case TensorChange::kChanged: return "changed";
    case TensorChange::kAdded: return "added";
    case TensorChange::kRemoved: return "removed";
    case TensorChange::kDtypeChanged: return "dtype_changed";
    case TensorChange::kShapeChanged: return "shape_changed";
  }
  return "unknown";
}

namespace {

// ---- Exact conversions of every dtype to double. ----

double HalfToDouble(uint16_t h) {
  double sign = (h & 0x8000) ? -1.0 : 1.0;
  int exp = (h >> 10) & 0x1F;
  int mant = h & 0x3FF;
  if (exp == 0) return sign * std::ldexp(mant, -24);  // zero and subnormals: mant * 2^-14 * 2^-10
  if (exp == 31) return mant ? std::nan("") : sign * INFINITY;
  return sign * std::ldexp(1024 + mant, exp - 25);     // (1 + mant/2^10) * 2^(exp-15)
}

double Bf16ToDouble(uint16_t h) {
  // BF16 is the high half of an F32: widening is exact.
  uint32_t bits = uint32_t{h} << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// OCP FP8 E4M3 ("fn" in PyTorch): bias 7, no infinities, S.1111.111 is NaN.
double E4M3ToDouble(uint8_t v) {
  double sign = (v & 0x80) ? -1.0 : 1.0;
  int exp = (v >> 3) & 0xF;
  int mant = v & 0x7;
  if (exp == 15 && mant == 7) return std::nan("");
  if (exp == 0) return sign * std::ldexp(mant, -9);    // mant/8 * 2^-6
  return sign * std::ldexp(8 + mant, exp - 10);        // (1 + mant/8) * 2^(exp-7)
}

// OCP FP8 E5M2: bias 15, IEEE-style infinities and NaNs.
double E5M2ToDouble(uint8_t v) {
  double sign = (v & 0x80) ? -1.0 : 1.0;
  int exp = (v >> 2) & 0x1F;
  int mant = v & 0x3;
  if (exp == 0) return sign * std::ldexp(mant, -16);   // mant/4 * 2^-14
  if (exp == 31) return mant ? std::nan("") : sign * INFINITY;
  return sign * std::ldexp(4 + mant, exp - 17);        // (1 + mant/4) * 2^(exp-15)
}

// Partial sums of one chunk pair; combined in chunk order by the caller.
struct Partial {
  double sum_sq_a = 0, sum_sq_b = 0, sum_sq_delta = 0, dot = 0, max_abs_delta = 0;
  uint64_t changed = 0, nonfinite = 0;
  uint64_t cost = 0;
  bool identical = false;  // the chunk's bytes are the same on both sides
};

template <typename Bits, typename Decode>
void AccumulateAs(const uint8_t* a, const uint8_t* b, size_t n, Decode decode, Partial* p) {
  double sa = 0, sb = 0, sd = 0, ab = 0, mx = 0;
  uint64_t changed = 0, nonfinite = 0;
  for (size_t i = 0; i < n; ++i) {
    Bits xa, xb;
    std::memcpy(&xa, a + i * sizeof(Bits), sizeof(Bits));
    std::memcpy(&xb, b + i * sizeof(Bits), sizeof(Bits));
    changed += xa != xb;
    double va = decode(xa), vb = decode(xb);
    if (!std::isfinite(va) || !std::isfinite(vb)) {
      ++nonfinite;
      continue;
    }
    double d = vb - va;
    sa += va * va;
    sb += vb * vb;
    sd += d * d;
    ab += va * vb;
    mx = std::max(mx, std::fabs(d));
  }
  p->sum_sq_a = sa;
  p->sum_sq_b = sb;
  p->sum_sq_delta = sd;
  p->dot = ab;
  p->max_abs_delta = mx;
  p->changed = changed;
  p->nonfinite = nonfinite;
}

// REQUIRES: a.size() == b.size(), a multiple of the dtype's width.
void Accumulate(Dtype dtype, ByteView a, ByteView b, Partial* p) {
  size_t n = a.size() / DtypeWidth(dtype);
  const uint8_t* pa = a.data();
  const uint8_t* pb = b.data();
  switch (dtype) {
    case Dtype::kF64:
      return AccumulateAs<uint64_t>(pa, pb, n, [](uint64_t v) { double d; std::memcpy(&d, &v, 8); return d; }, p);
    case Dtype::kF32:
      return AccumulateAs<uint32_t>(pa, pb, n, [](uint32_t v) { float f; std::memcpy(&f, &v, 4); return double{f}; }, p);
    case Dtype::kF16: return AccumulateAs<uint16_t>(pa, pb, n, HalfToDouble, p);
    case Dtype::kBF16: return AccumulateAs<uint16_t>(pa, pb, n, Bf16ToDouble, p);
    case Dtype::kF8_E4M3: return AccumulateAs<uint8_t>(pa, pb, n, E4M3ToDouble, p);
    case Dtype::kF8_E5M2: return AccumulateAs<uint8_t>(pa, pb, n, E5M2ToDouble, p);
    case Dtype::kI64:
      return AccumulateAs<uint64_t>(pa, pb, n, [](uint64_t v) { return static_cast<double>(static_cast<int64_t>(v)); }, p);
    case Dtype::kI32:
      return AccumulateAs<uint32_t>(pa, pb, n, [](uint32_t v) { return static_cast<double>(static_cast<int32_t>(v)); }, p);
    case Dtype::kI16:
      return AccumulateAs<uint16_t>(pa, pb, n, [](uint16_t v) { return static_cast<double>(static_cast<int16_t>(v)); }, p);
    case Dtype::kI8:
      return AccumulateAs<uint8_t>(pa, pb, n, [](uint8_t v) { return static_cast<double>(static_cast<int8_t>(v)); }, p);
    case Dtype::kU8: return AccumulateAs<uint8_t>(pa, pb, n, [](uint8_t v) { return static_cast<double>(v); }, p);
    case Dtype::kBool: return AccumulateAs<uint8_t>(pa, pb, n, [](uint8_t v) { return v ? 1.0 : 0.0; }, p);
  }
}

// ---- The two sides. ----

struct SideTensor {
  std::string name;
  Dtype dtype;
  std::vector<uint64_t> shape;
  uint64_t num_bytes = 0;
  ObjectId id;               // commit side
  uint64_t file_offset = 0;  // worktree side
};

struct SideFile {
  std::vector<SideTensor> tensors;
  std::unique_ptr<MappedFile> mapped;  // worktree side only
};

using Side = std::map<std::string, SideFile>;

Result<Side> CommitSide(Repository& repo, const GitId& commit) {
  MVC_ASSIGN_OR_RETURN(std::vector<TreeFile> files, repo.ListFiles(commit));
  Side side;
  for (TreeFile& f : files) {
    if (!f.manifest) continue;
    SideFile& sf = side[f.path];
    for (const ManifestTensor& t : f.manifest->tensors) {
      sf.tensors.push_back({t.name, t.dtype, t.shape, t.num_bytes, t.id, 0});
    }
  }
  return side;
}

Result<Side> WorktreeSide(Repository& repo) {
  MVC_ASSIGN_OR_RETURN(std::vector<internal::WorktreeFile> files, internal::ScanWorktree(repo.worktree()));
  Side side;
  for (const internal::WorktreeFile& f : files) {
    if (!f.is_model) continue;
    Result<MappedFile> mapped = MappedFile::Open(repo.worktree() + "/" + f.path);
    if (!mapped.ok()) return mapped.status().WithContext(f.path);
    Result<SafetensorsLayout> layout = ParseSafetensors(mapped->bytes());
    if (!layout.ok()) return layout.status().WithContext(f.path);
    SideFile& sf = side[f.path];
    sf.mapped = std::make_unique<MappedFile>(std::move(*mapped));
    for (const TensorEntry& t : layout->tensors) {
      sf.tensors.push_back({t.name, t.dtype, t.shape, t.num_bytes, ObjectId(), t.file_offset});
    }
  }
  return side;
}

bool MatchesAny(const std::vector<std::string>& globs, const std::string& s) {
  if (globs.empty()) return true;
  for (const std::string& g : globs) {
    if (fnmatch(g.c_str(), s.c_str(), 0) == 0) return true;
  }
  return false;
}

// One tensor that needs reading: a pair to compare, or a b side to cost alone.
struct Work {
  size_t tensor;                       // index into ModelDiff::tensors
  std::optional<TensorRecord> a;       // chunk ids of a (absent: cost b alone)
  std::optional<TensorRecord> b;       // commit side b
  const MappedFile* b_file = nullptr;  // worktree side b
  uint64_t b_offset = 0;
  Dtype dtype;
  std::vector<uint64_t> shape;  // b's: codec 9 sees its rows and columns, as a commit does
  ChunkLayout layout{0, 1};
  std::vector<Partial> partials;
};

double RelL2(double sum_sq_delta, double sum_sq_a) {
  if (sum_sq_a > 0) return std::sqrt(sum_sq_delta / sum_sq_a);
  return sum_sq_delta == 0 ? 0.0 : INFINITY;
}

ChunkPlace PlaceOf(const Work& w, uint64_t c) { return {w.shape, w.layout.offset(c) / DtypeWidth(w.dtype)}; }

Status ProcessChunk(ObjectStore& store, const DiffOptions& options, Work& w, uint64_t c) {
  Partial& p = w.partials[c];
  uint64_t size = w.layout.size(c);
  Bytes b_owned;
  ByteView b;
  if (w.b_file) {
    b = w.b_file->bytes().subspan(w.b_offset + w.layout.offset(c), size);
  }
  Status status = [&]() -> Status {
    if (!w.a) {  // added, or changed dtype/shape: only the cost of storing b in full
      if (!options.compute_delta_cost) return Status::Ok();
      if (!w.b_file) {
        MVC_ASSIGN_OR_RETURN(b_owned, internal::LoadChunk(store, w.b->chunk_ids[c]));
        b = b_owned;
      }
      MVC_ASSIGN_OR_RETURN(Bytes frame, EncodeChunk(w.dtype, b, nullptr, {}, PlaceOf(w, c)));
      p.cost = frame.size();
      return Status::Ok();
    }
    const ObjectId& a_id = w.a->chunk_ids[c];
    bool identical = w.b_file ? Sha256::Digest(b) == a_id : w.b->chunk_ids[c] == a_id;
    if (identical) {
      if (!w.b_file) {
        MVC_ASSIGN_OR_RETURN(b_owned, internal::LoadChunk(store, a_id));
        b = b_owned;
      }
      Accumulate(w.dtype, b, b, &p);
      p.identical = true;
      return Status::Ok();
    }
    MVC_ASSIGN_OR_RETURN(Bytes a_raw, internal::LoadChunk(store, a_id));
    if (!w.b_file) {
      MVC_ASSIGN_OR_RETURN(b_owned, internal::LoadChunk(store, w.b->chunk_ids[c]));
      b = b_owned;
    }
    if (a_raw.size() != b.size()) return Status::Corruption("chunk sizes differ");
    Accumulate(w.dtype, a_raw, b, &p);
    if (options.compute_delta_cost) {
      ChunkBase base{a_id, a_raw};
      MVC_ASSIGN_OR_RETURN(Bytes frame, EncodeChunk(w.dtype, b, &base, {}, PlaceOf(w, c)));
      p.cost = frame.size();
    }
    return Status::Ok();
  }();
  if (w.b_file) w.b_file->Release(w.b_offset + w.layout.offset(c), size);
  return status;
}

void Finish(const Work& w, bool worktree, TensorDiff& t) {
  uint64_t cost = 0;
  for (const Partial& p : w.partials) cost += p.cost;
  t.delta_bytes = cost;
  if (!w.a) return;
  bool all_identical = true;
  for (const Partial& p : w.partials) {
    all_identical = all_identical && p.identical;
    t.sum_sq_a += p.sum_sq_a;
    t.sum_sq_b += p.sum_sq_b;
    t.sum_sq_delta += p.sum_sq_delta;
    t.dot += p.dot;
    t.max_abs_delta = std::max(t.max_abs_delta, p.max_abs_delta);
    t.elements_changed += p.changed;
    t.nonfinite += p.nonfinite;
  }
  if (all_identical && worktree) {
    // Same bytes: unchanged, reported like a same-id tensor of two commits.
    t = TensorDiff{t.file, t.name, t.layer, TensorChange::kUnchanged, t.dtype_a, t.dtype_b, t.shape_a, t.shape_b,
                   t.elements, t.bytes};
    return;
  }
  t.change = TensorChange::kChanged;
  t.rel_l2 = RelL2(t.sum_sq_delta, t.sum_sq_a);
  if (t.sum_sq_a > 0 && t.sum_sq_b > 0) {
    t.cosine = std::clamp(t.dot / (std::sqrt(t.sum_sq_a) * std::sqrt(t.sum_sq_b)), -1.0, 1.0);
  } else {
    t.cosine = (t.sum_sq_a == 0 && t.sum_sq_b == 0) ? 1.0 : 0.0;
  }
  t.changed_fraction = t.elements ? static_cast<double>(t.elements_changed) / static_cast<double>(t.elements) : 0.0;
}

bool IsStructural(TensorChange c) {
  return c == TensorChange::kAdded || c == TensorChange::kRemoved || c == TensorChange::kDtypeChanged ||
         c == TensorChange::kShapeChanged;
}

void Summarize(ModelDiff& d) {
  std::map<std::string, LayerDiff> layers;
  double sum_sq_a = 0, sum_sq_delta = 0, sum_rel = 0;
  uint64_t finite_rel = 0;
  for (const TensorDiff& t : d.tensors) {
    ++d.count[static_cast<int>(t.change)];
    LayerDiff& l = layers[t.layer];
    l.name = t.layer;
    ++l.tensors;
    l.delta_bytes += t.delta_bytes;
    d.delta_bytes += t.delta_bytes;
    if (t.change != TensorChange::kRemoved) d.bytes_b += t.bytes;
    if (t.change != TensorChange::kUnchanged) {
      ++l.tensors_changed;
      ++d.tensors_changed;
    }
    if (IsStructural(t.change)) ++l.tensors_structural;
    if (t.change == TensorChange::kUnchanged || t.change == TensorChange::kChanged) {
      l.elements += t.elements;
      l.elements_changed += t.elements_changed;
    }
    if (t.change == TensorChange::kChanged) {
      l.sum_sq_a += t.sum_sq_a;
      l.sum_sq_delta += t.sum_sq_delta;
      l.max_abs_delta = std::max(l.max_abs_delta, t.max_abs_delta);
      sum_sq_a += t.sum_sq_a;
      sum_sq_delta += t.sum_sq_delta;
      if (std::isfinite(t.rel_l2)) {
        sum_rel += t.rel_l2;
        ++finite_rel;
      }
    }
  }
  d.tensors_compared = d.tensors.size();
  d.mean_rel_l2 = finite_rel ? sum_rel / static_cast<double>(finite_rel) : 0.0;
  d.rel_l2 = RelL2(sum_sq_delta, sum_sq_a);
  for (auto& [name, l] : layers) {
    l.rel_l2 = RelL2(l.sum_sq_delta, l.sum_sq_a);
    l.changed_fraction = l.elements ? static_cast<double>(l.elements_changed) / static_cast<double>(l.elements) : 0.0;
    d.layers.push_back(std::move(l));
  }
  std::stable_sort(d.layers.begin(), d.layers.end(), [](const LayerDiff& x, const LayerDiff& y) {
    if ((x.tensors_structural > 0) != (y.tensors_structural > 0)) return x.tensors_structural > 0;
    if (x.rel_l2 != y.rel_l2) return x.rel_l2 > y.rel_l2;
    if (x.changed_fraction != y.changed_fraction) return x.changed_fraction > y.changed_fraction;
    return x.name < y.name;
  });
}

}  // namespace

Result<ModelDiff> DiffModels(Repository& repo, const std::string& rev_a, const std::optional<std::string>& rev_b,
                             const DiffOptions& options) {
  ModelDiff d;
  d.rev_a = rev_a;
  d.rev_b = rev_b ? *rev_b : "worktree";
  MVC_ASSIGN_OR_RETURN(d.commit_a, repo.ResolveCommit(rev_a));
  MVC_ASSIGN_OR_RETURN(Side side_a, CommitSide(repo, d.commit_a));
  Side side_b;
  if (rev_b) {
    MVC_ASSIGN_OR_RETURN(GitId b, repo.ResolveCommit(*rev_b));
    d.commit_b = b;
    MVC_ASSIGN_OR_RETURN(side_b, CommitSide(repo, b));
  } else {
    MVC_ASSIGN_OR_RETURN(side_b, WorktreeSide(repo));
  }
  const bool worktree = !rev_b;
  ObjectStore& store = repo.store();

  // Match tensors and decide what needs reading.
  std::vector<Work> work;
  std::map<std::string, int> paths;
  for (const auto& [p, f] : side_a) paths[p] |= 1;
  for (const auto& [p, f] : side_b) paths[p] |= 2;
  for (const auto& path_and_sides : paths) {
    // Named copies: a lambda may not capture a structured binding before C++20's
    // P1091 (clang 14 rejects it).
    const std::string& path = path_and_sides.first;
    const int where = path_and_sides.second;
    static const SideFile kNone;
    const SideFile& fa = (where & 1) ? side_a.at(path) : kNone;
    const SideFile& fb = (where & 2) ? side_b.at(path) : kNone;
    std::map<std::string_view, const SideTensor*> by_name_a, by_name_b;
    for (const SideTensor& t : fa.tensors) by_name_a[t.name] = &t;
    for (const SideTensor& t : fb.tensors) by_name_b[t.name] = &t;
    auto add = [&](const SideTensor* a, const SideTensor* b) -> Status {
      const SideTensor& any = b ? *b : *a;
      std::string layer = LayerOf(any.name);
      if (!MatchesAny(options.tensor_globs, any.name) || !MatchesAny(options.layer_globs, layer)) {
        return Status::Ok();
      }
      TensorDiff t;
      t.file = path;
      t.name = any.name;
      t.layer = std::move(layer);
      if (a) {
        t.dtype_a = a->dtype;
        t.shape_a = a->shape;
      }
      if (b) {
        t.dtype_b = b->dtype;
        t.shape_b = b->shape;
      }
      t.bytes = any.num_bytes;
      t.elements = any.num_bytes / DtypeWidth(any.dtype);
      std::string where_msg = path + ": tensor '" + any.name + "'";
      if (!b) {
        t.change = TensorChange::kRemoved;
      } else if (!worktree && a && a->id == b->id) {
        t.change = TensorChange::kUnchanged;
      } else {
        if (!a) t.change = TensorChange::kAdded;
        else if (a->dtype != b->dtype) t.change = TensorChange::kDtypeChanged;
        else if (a->shape != b->shape) t.change = TensorChange::kShapeChanged;
        else t.change = TensorChange::kChanged;  // provisional: the worktree side may prove it unchanged
        bool compare = t.change == TensorChange::kChanged;
        if (compare || options.compute_delta_cost) {
          Work w;
          w.tensor = d.tensors.size();
          w.dtype = b->dtype;
          w.shape = b->shape;
          w.layout = ChunkLayout::For(b->dtype, b->num_bytes);
          if (compare) {
            Result<TensorRecord> ra = internal::LoadTensorRecord(store, a->id);
            if (!ra.ok()) return ra.status().WithContext(where_msg + " of " + rev_a);
            if (ra->chunk_ids.size() != w.layout.count()) {
              return Status::Corruption(where_msg + ": chunk count does not match its size");
            }
            w.a = std::move(*ra);
          }
          if (worktree) {
            w.b_file = fb.mapped.get();
            w.b_offset = b->file_offset;
          } else {
            Result<TensorRecord> rb = internal::LoadTensorRecord(store, b->id);
            if (!rb.ok()) return rb.status().WithContext(where_msg + " of " + *rev_b);
            if (rb->chunk_ids.size() != w.layout.count()) {
              return Status::Corruption(where_msg + ": chunk count does not match its size");
            }
            w.b = std::move(*rb);
          }
          w.partials.resize(w.layout.count());
          work.push_back(std::move(w));
        }
      }
      d.tensors.push_back(std::move(t));
      return Status::Ok();
    };
    for (const SideTensor& b : fb.tensors) {
      auto it = by_name_a.find(b.name);
      MVC_RETURN_IF_ERROR(add(it == by_name_a.end() ? nullptr : it->second, &b));
    }
    for (const SideTensor& a : fa.tensors) {
      if (!by_name_b.count(a.name)) MVC_RETURN_IF_ERROR(add(&a, nullptr));
    }
  }

  // Stream the chunk pairs through the pool, a bounded window at a time.
  std::vector<std::pair<size_t, uint64_t>> jobs;  // (work index, chunk index)
  uint64_t total_bytes = 0;
  for (size_t i = 0; i < work.size(); ++i) {
    for (uint64_t c = 0; c < work[i].layout.count(); ++c) jobs.emplace_back(i, c);
    total_bytes += work[i].layout.num_bytes();
  }
  ThreadPool& pool = repo.pool();
  const size_t window = std::max<size_t>(1, pool.size() * internal::kWindowPerThread);
  uint64_t done_bytes = 0;
  for (size_t start = 0; start < jobs.size(); start += window) {
    size_t n = std::min(window, jobs.size() - start);
    Status s = pool.ParallelFor(n, [&](size_t k) -> Status {
      auto [wi, c] = jobs[start + k];
      Work& w = work[wi];
      Status cs = ProcessChunk(store, options, w, c);
      if (!cs.ok()) {
        const TensorDiff& t = d.tensors[w.tensor];
        return cs.WithContext(t.file + ": tensor '" + t.name + "': chunk " + std::to_string(c));
      }
      return Status::Ok();
    });
    MVC_RETURN_IF_ERROR(s);
    for (size_t k = 0; k < n; ++k) done_bytes += work[jobs[start + k].first].layout.size(jobs[start + k].second);
    if (options.progress) options.progress("diff", done_bytes, total_bytes);
  }
  for (const Work& w : work) Finish(w, worktree, d.tensors[w.tensor]);
  Summarize(d);
  return d;
}

}  // namespace mvc
