#include "refs/internal/lossy_store.h"

#include <algorithm>
#include <cmath>

#include "codec/aligned_grid.h"
#include "codec/bfp_encoding.h"
#include "codec/chunk_codec.h"
#include "codec/lossy_choice.h"
#include "core/chunking.h"
#include "core/sha256.h"
#include "core/thread_pool.h"
#include "objectstore/object_store.h"

namespace mvc::internal {
namespace {

// How one tensor is quantized: the policy, plus the grid and base for aligned chains.
struct Plan {
  LossyPolicy policy;
  GridSpec grid;
  const ManifestTensor* base = nullptr;        // aligned delta against this tensor
  std::optional<TensorRecord> base_record;
};

struct Encoded {
  ManifestTensor tensor;
  double rel_l2 = 0;
};

// Largest |x| over the tensor's finite values; nullopt when one is not finite (no grid
// holds it). One pass over the mapped data, chunk by chunk.
std::optional<double> MaxAbs(const ByteView data, Dtype dtype) {
  double max_abs = 0;
  size_t w = DtypeWidth(dtype);
  for (size_t i = 0; i < data.size(); i += w) {
    double v;
    if (dtype == Dtype::kF32) {
      float f;
      std::memcpy(&f, data.data() + i, 4);
      v = f;
    } else {
      std::memcpy(&v, data.data() + i, 8);
    }
    if (!std::isfinite(v)) return std::nullopt;
    max_abs = std::max(max_abs, std::fabs(v));
  }
  return max_abs;
}

// Encodes every chunk of the tensor with `plan`, writing frames to the store window by
// window. kInvalidArgument from a quantizer (codes leave the grid, non-finite values)
// is returned as is, so the caller can re-plan.
Result<Encoded> EncodeWithPlan(Repository& repo, const MappedFile& file, const TensorEntry& e, const Plan& plan,
                               StoreStats* stats) {
  ObjectStore& store = repo.store();
  ThreadPool& pool = repo.pool();
  ChunkLayout layout = ChunkLayout::For(e.dtype, e.num_bytes);
  TensorRecord record{e.dtype, e.shape, e.num_bytes, std::vector<ObjectId>(layout.count())};
  size_t window = pool.size() * kWindowPerThread;
  std::vector<std::optional<LossyChunk>> slots(window);
  double sum_sq_error = 0, sum_sq_reference = 0, max_abs_error = 0;
  uint64_t stored = 0;
  std::string codec;
  for (uint64_t begin = 0; begin < layout.count(); begin += window) {
    uint64_t end = std::min<uint64_t>(layout.count(), begin + window);
    MVC_RETURN_IF_ERROR(pool.ParallelFor(end - begin, [&](size_t k) -> Status {
      uint64_t c = begin + k;
      ByteView raw = file.bytes().subspan(e.file_offset + layout.offset(c), layout.size(c));
      Result<LossyChunk> chunk = Status::Internal("no plan");
      if (plan.policy.kind == LossyPolicy::Kind::kBfp) {
        chunk = EncodeBfpChunk(e.dtype, raw, plan.policy.mantissa_bits);
      } else if (plan.base_record) {
        const ObjectId& base_id = plan.base_record->chunk_ids[c];
        Result<Bytes> base_raw = LoadChunk(store, base_id);
        if (!base_raw.ok()) return base_raw.status().WithContext("base of tensor '" + e.name + "'");
        chunk = EncodeGridDeltaChunk(e.dtype, raw, plan.grid, base_id, *base_raw);
      } else {
        chunk = EncodeGridAnchorChunk(e.dtype, raw, plan.grid);
      }
      if (!chunk.ok()) return chunk.status();
      slots[k] = std::move(*chunk);
      return Status::Ok();
    }));
    ObjectStore::WriteBatch batch;
    for (uint64_t c = begin; c < end; ++c) {
      LossyChunk& chunk = *slots[c - begin];
      ObjectId id = Sha256::Digest(chunk.reconstructed);
      record.chunk_ids[c] = id;
      sum_sq_error += chunk.sum_sq_error;
      sum_sq_reference += chunk.sum_sq_reference;
      max_abs_error = std::max(max_abs_error, chunk.max_abs_error);
      Result<ChunkFrameView> view = ParseChunkFrame(chunk.frame);
      MVC_CHECK(view.ok());
      codec = std::string(CodecName(view->codec));
      MVC_ASSIGN_OR_RETURN(bool have, store.Has(id));
      if (!have) {
        batch.Put(id, ObjectKind::kChunk, chunk.frame);
        stored += chunk.frame.size();
        stats->chunks_written++;
      }
      slots[c - begin].reset();
    }
    if (!batch.empty()) MVC_RETURN_IF_ERROR(store.Write(std::move(batch)));
    file.Release(e.file_offset + layout.offset(begin), layout.offset(end - 1) + layout.size(end - 1) - layout.offset(begin));
  }
  Encoded out;
  ManifestTensor& m = out.tensor;
  m = {e.name, e.dtype, e.shape, e.file_offset, e.num_bytes, record.Id()};
  MVC_ASSIGN_OR_RETURN(bool have_record, store.Has(m.id));
  if (!have_record) {
    std::string bytes = record.Serialize();
    ObjectStore::WriteBatch batch;
    batch.Put(m.id, ObjectKind::kTensor, AsBytes(bytes));
    MVC_RETURN_IF_ERROR(store.Write(std::move(batch)));
    stored += bytes.size();
  }
  m.encoding = codec.empty() ? "dedup" : codec;
  m.stored_bytes = stored;
  out.rel_l2 = RelativeL2(sum_sq_error, sum_sq_reference);
  m.lossy = LossyInfo{PolicyName(plan.policy), out.rel_l2, max_abs_error, std::nullopt};
  if (plan.policy.kind == LossyPolicy::Kind::kAlignedGrid) {
    m.lossy->grid_exponent = plan.grid.scale_exponent;
    if (plan.base_record) {
      m.base_id = plan.base->id;
      m.delta_depth = plan.base->delta_depth + 1;
    }
  }
  stats->stored_bytes += stored;
  return out;
}

bool IsOffGrid(const Status& s) {
  return s.code() == StatusCode::kInvalidArgument;  // codes leave the grid, non-finite values
}

// Picks a policy for --max-rel-error from a sample of up to four chunks spread over the
// tensor (ChooseLossyEncoding tries every candidate; the sample keeps that cheap).
Result<LossyPolicy> ChoosePolicyFromSample(const MappedFile& file, const TensorEntry& e, double max_rel_error) {
  ChunkLayout layout = ChunkLayout::For(e.dtype, e.num_bytes);
  uint64_t count = layout.count(), picks = std::min<uint64_t>(count, 4);
  Bytes sample;
  std::vector<ChunkPlace> places;  // each sampled chunk's place in the tensor
  for (uint64_t k = 0; k < picks; ++k) {
    uint64_t c = k * count / picks;
    ByteView raw = file.bytes().subspan(e.file_offset + layout.offset(c), layout.size(c));
    sample.insert(sample.end(), raw.begin(), raw.end());
    places.push_back({e.shape, layout.offset(c) / DtypeWidth(e.dtype)});
  }
  MVC_ASSIGN_OR_RETURN(LossyTensorChoice choice, ChooseLossyEncoding(e.dtype, sample, max_rel_error, places));
  return choice.policy;
}

}  // namespace

bool WantsLossy(const CommitOptions& options, Dtype dtype) {
  if (options.max_rel_error) return GetDtypeInfo(dtype).is_float && DtypeWidth(dtype) >= 2;
  return options.policy.kind != LossyPolicy::Kind::kLossless && PolicyApplies(options.policy, dtype);
}

Result<std::optional<ManifestTensor>> StoreLossyTensor(Repository& repo, const MappedFile& file,
                                                       const TensorEntry& e, const ManifestTensor* parent,
                                                       const CommitOptions& options, StoreStats* stats) {
  if (e.num_bytes == 0) return std::optional<ManifestTensor>();
  LossyPolicy policy = options.policy;
  if (options.max_rel_error) {
    MVC_ASSIGN_OR_RETURN(policy, ChoosePolicyFromSample(file, e, *options.max_rel_error));
  }
  // A sample can mislead: if the whole tensor misses the bound, step to finer BFP
  // mantissas, and give up (lossless) past the dtype's precision.
  for (int attempt = 0; attempt < 24; ++attempt) {
    if (policy.kind == LossyPolicy::Kind::kLossless || !PolicyApplies(policy, e.dtype)) {
      return std::optional<ManifestTensor>();
    }
    Plan plan{policy, {}, nullptr, std::nullopt};
    Result<Encoded> encoded = Status::Internal("unset");
    if (policy.kind == LossyPolicy::Kind::kAlignedGrid) {
      // Continue the parent's chain on its grid while the depth allows; else anchor.
      bool chain = parent && parent->lossy && parent->lossy->policy == PolicyName(policy) &&
                   parent->lossy->grid_exponent && parent->dtype == e.dtype && parent->shape == e.shape &&
                   parent->delta_depth + 1 <= options.max_delta_depth;
      if (chain) {
        MVC_ASSIGN_OR_RETURN(TensorRecord base, LoadTensorRecord(repo.store(), parent->id));
        plan.grid = {policy.grid_bits, *parent->lossy->grid_exponent};
        plan.base = parent;
        plan.base_record = std::move(base);
        encoded = EncodeWithPlan(repo, file, e, plan, stats);
        if (!encoded.ok() && !IsOffGrid(encoded.status())) return encoded.status();
      }
      if (!chain || !encoded.ok()) {
        std::optional<double> max_abs = MaxAbs(file.bytes().subspan(e.file_offset, e.num_bytes), e.dtype);
        if (!max_abs) return std::optional<ManifestTensor>();  // non-finite: not on any grid
        plan.grid = ChooseGrid(e.dtype, *max_abs, policy.grid_bits);
        plan.base = nullptr;
        plan.base_record.reset();
        encoded = EncodeWithPlan(repo, file, e, plan, stats);
        if (!encoded.ok()) {
          if (IsOffGrid(encoded.status())) return std::optional<ManifestTensor>();
          return encoded.status();
        }
      }
    } else {
      encoded = EncodeWithPlan(repo, file, e, plan, stats);
      if (!encoded.ok()) {
        if (IsOffGrid(encoded.status())) return std::optional<ManifestTensor>();
        return encoded.status();
      }
    }
    if (!options.max_rel_error || encoded->rel_l2 <= *options.max_rel_error) {
      return std::optional<ManifestTensor>(std::move(encoded->tensor));
    }
    if (policy.kind != LossyPolicy::Kind::kBfp) {
      policy = {LossyPolicy::Kind::kBfp, kMinBfpMantissaBits, 16};
    } else if (policy.mantissa_bits >= kMaxBfpMantissaBits) {
      return std::optional<ManifestTensor>();
    } else {
      policy.mantissa_bits++;
    }
  }
  return std::optional<ManifestTensor>();
}

}  // namespace mvc::internal
