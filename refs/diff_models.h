// refs/diff_models.h: compare two versions of a repository's models tensor by tensor.
//
// DiffModels matches tensors by (file path, tensor name) across the safetensors files
// of two versions (a commit and a commit, or a commit and the worktree) and measures
// how each changed: relative L2 ||b-a||/||a||, cosine similarity, max |b-a|, the
// fraction of elements whose bits changed, and the bytes a delta from a to b costs in
// the store. Tensors are grouped into layers (refs/layer_names.h) with aggregates.
//
//   DiffOptions options;
//   options.layer_globs = {"*.layers.1?"};
//   MVC_ASSIGN_OR_RETURN(ModelDiff d, DiffModels(*repo, "HEAD~1", std::nullopt, options));
//   for (const LayerDiff& l : d.layers) Print(l.name, l.rel_l2);   // most changed first
//
// Streaming: both versions are read chunk by chunk (core/chunking.h: chunk i of a
// tensor pairs with chunk i of the same tensor elsewhere), a bounded window of chunk
// pairs at a time on repo.pool(), so memory stays bounded whatever the model size.
// Worktree files are memory-mapped and their pages released as they are consumed.
//
// Metrics (all in double precision; partial sums per chunk, combined in chunk order,
// so results do not depend on thread timing):
//   - every float dtype (F64, F32, F16, BF16, F8_E4M3, F8_E5M2) is decoded exactly to
//     double, integers and BOOL to their values (I64 beyond 2^53 rounds);
//   - an element pair where either value is NaN or +-Inf is left out of every norm,
//     dot product and max; it still counts as changed when its bits differ;
//   - "changed" compares bits: -0.0 vs +0.0 is changed (with |delta| 0).
//   - a tensor whose id is the same on both sides is "unchanged" without reading it
//     (worktree side: each chunk's SHA-256 is compared with the stored chunk id);
//     unchanged tensors report zero metrics, and their norms are not computed.
//   - delta_bytes: the sum over chunks of EncodeChunk(dtype, b, base = a) frame sizes
//     (0 for a chunk identical on both sides, which the store deduplicates); added,
//     dtype- and shape-changed tensors cost their full encoding; removed cost 0.
// Layer aggregates sum over the layer's "changed" tensors (so a layer's relative L2 is
// that of the concatenation of its changed tensors); element counts and the changed
// fraction cover all its tensors present on both sides with the same dtype and shape.
#ifndef MVC_REFS_DIFF_MODELS_H_
#define MVC_REFS_DIFF_MODELS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dtype.h"
#include "core/result.h"
#include "refs/repository.h"

namespace mvc {

enum class TensorChange { kUnchanged, kChanged, kAdded, kRemoved, kDtypeChanged, kShapeChanged };

// "unchanged", "changed", "added", "removed", "dtype_changed", "shape_changed".
std::string_view TensorChangeName(TensorChange change);

struct DiffOptions {
  // When non-empty, only tensors whose name matches one of these fnmatch(3) globs.
  std::vector<std::string> tensor_globs;
  // When non-empty, only tensors whose layer (LayerOf) matches one of these globs.
  std::vector<std::string> layer_globs;
  // Encode each changed chunk against its base to measure delta_bytes (the costliest
  // part of a diff); when false, delta_bytes stay 0.
  bool compute_delta_cost = true;
  ProgressCallback progress;  // ("diff", raw bytes of b done, raw bytes of b in total)
};

struct TensorDiff {
  std::string file;   // path of the safetensors file, relative to the worktree
  std::string name;   // tensor name
  std::string layer;  // LayerOf(name)
  TensorChange change = TensorChange::kUnchanged;
  // Present on side a / side b.
  std::optional<Dtype> dtype_a, dtype_b;
  std::vector<uint64_t> shape_a, shape_b;
  uint64_t elements = 0;          // elements of b (of a when removed)
  uint64_t bytes = 0;             // raw bytes of b (of a when removed)
  // Metrics: set for kChanged (for the others: zeros, cosine 1 when unchanged).
  uint64_t elements_changed = 0;  // bit-different element pairs
  uint64_t nonfinite = 0;         // element pairs left out of the norms (NaN/Inf)
  double sum_sq_a = 0;            // sum a^2 over finite pairs
  double sum_sq_b = 0;
  double sum_sq_delta = 0;        // sum (b-a)^2
  double dot = 0;                 // sum a*b
  double rel_l2 = 0;              // sqrt(sum_sq_delta/sum_sq_a); +inf when a == 0 != delta
  double cosine = 1;              // dot/(|a||b|); 1 when both are 0, 0 when one is
  double max_abs_delta = 0;
  double changed_fraction = 0;    // elements_changed / elements
  uint64_t delta_bytes = 0;       // store cost of b given a (see above)
};

struct LayerDiff {
  std::string name;
  uint64_t tensors = 0;
  uint64_t tensors_changed = 0;     // change != kUnchanged
  uint64_t tensors_structural = 0;  // added, removed, dtype or shape changed
  uint64_t elements = 0;            // of tensors comparable on both sides
  uint64_t elements_changed = 0;
  double sum_sq_a = 0;              // over kChanged tensors
  double sum_sq_delta = 0;
  double rel_l2 = 0;                // sqrt(sum_sq_delta / sum_sq_a), +inf when a == 0 != delta
  double max_abs_delta = 0;
  double changed_fraction = 0;      // elements_changed / elements
  uint64_t delta_bytes = 0;
};

struct ModelDiff {
  std::string rev_a;                 // as given
  std::string rev_b;                 // as given, "worktree" for the worktree
  GitId commit_a;
  std::optional<GitId> commit_b;     // nullopt: the worktree
  std::vector<TensorDiff> tensors;   // by file path, then the file order of b (a for removed)
  // Most changed first: layers with structural changes, then by rel_l2 descending,
  // changed_fraction descending, name.
  std::vector<LayerDiff> layers;
  // Summary.
  uint64_t tensors_compared = 0;     // tensors listed
  uint64_t tensors_changed = 0;      // change != kUnchanged
  uint64_t count[6] = {};            // per TensorChange, indexed by its value
  double mean_rel_l2 = 0;            // mean of rel_l2 over kChanged tensors with finite rel_l2
  double rel_l2 = 0;                 // over all kChanged tensors together
  uint64_t delta_bytes = 0;          // sum over tensors
  uint64_t bytes_b = 0;              // raw bytes of b's listed tensors
};

// Compares `rev_a` with `rev_b` (nullopt: the worktree's *.safetensors files).
// Non-model files are not compared.
// Errors: kNotFound / kAmbiguous for a revision (revision.h); kInvalidArgument "<path>:
// ..." for a malformed worktree model file; kCorruption naming the file, tensor and
// object when a stored chunk fails verification.
Result<ModelDiff> DiffModels(Repository& repo, const std::string& rev_a,
                             const std::optional<std::string>& rev_b, const DiffOptions& options);

}  // namespace mvc

#endif  // MVC_REFS_DIFF_MODELS_H_
