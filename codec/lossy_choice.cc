#include "codec/lossy_choice.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "codec/aligned_grid.h"
#include "codec/bfp_encoding.h"
#include "codec/chunk_codec.h"
#include "codec/internal/lossy_float.h"
#include "core/chunking.h"

namespace mvc {
namespace {

// Encodes every chunk with `encode` (given the chunk's index and bytes) and totals size
// and error.
Result<LossyTensorChoice> EncodeAll(Dtype dtype, ByteView raw, const LossyPolicy& policy,
                                    const std::function<Result<LossyChunk>(uint64_t, ByteView)>& encode) {
  LossyTensorChoice c;
  c.policy = policy;
  const ChunkLayout layout = ChunkLayout::For(dtype, raw.size());
  double sse = 0, ssr = 0;
  for (uint64_t i = 0; i < layout.count(); ++i) {
    MVC_ASSIGN_OR_RETURN(LossyChunk chunk, encode(i, raw.subspan(layout.offset(i), layout.size(i))));
    c.stored_bytes += chunk.frame.size();
    sse += chunk.sum_sq_error;
    ssr += chunk.sum_sq_reference;
    c.max_abs_error = std::max(c.max_abs_error, chunk.max_abs_error);
    c.chunks.push_back(std::move(chunk));
  }
  c.rel_l2 = RelativeL2(sse, ssr);
  return c;
}

}  // namespace

double RelativeL2(double sum_sq_error, double sum_sq_reference) {
  if (sum_sq_error == 0) return 0;
  if (sum_sq_reference == 0) return std::numeric_limits<double>::infinity();
  return std::sqrt(sum_sq_error / sum_sq_reference);
}

Result<LossyTensorChoice> ChooseLossyEncoding(Dtype dtype, ByteView raw, double max_rel_error,
                                              std::span<const ChunkPlace> places) {
  if (!(max_rel_error >= 0)) {
    return Status::InvalidArgument("max relative error " + std::to_string(max_rel_error) +
                                   " is not a non-negative number");
  }
  if (raw.size() % DtypeWidth(dtype) != 0) {
    return Status::InvalidArgument("tensor of " + std::to_string(raw.size()) +
                                   " bytes is not a whole number of " +
                                   std::string(DtypeName(dtype)) + " elements");
  }
  // Lossless first: the fallback, and the size every lossy candidate must beat.
  MVC_ASSIGN_OR_RETURN(
      LossyTensorChoice best,
      EncodeAll(dtype, raw, LossyPolicy{}, [&](uint64_t i, ByteView chunk) -> Result<LossyChunk> {
        LossyChunk c;
        MVC_ASSIGN_OR_RETURN(c.frame, EncodeChunk(dtype, chunk, nullptr, {}, i < places.size() ? places[i] : ChunkPlace{}));
        c.reconstructed.assign(chunk.begin(), chunk.end());
        return c;
      }));
  auto consider = [&](const Result<LossyTensorChoice>& r) {
    if (r.ok() && r->rel_l2 <= max_rel_error && r->stored_bytes < best.stored_bytes) {
      best = *r;
    }
  };
  LossyPolicy bfp;
  bfp.kind = LossyPolicy::Kind::kBfp;
  if (PolicyApplies(bfp, dtype) && !raw.empty()) {
    // Error falls and size grows with M: the first M within the bound is BFP's cheapest.
    const int top = BfpEffectiveMantissaBits(dtype, kMaxBfpMantissaBits);
    for (int m = kMinBfpMantissaBits; m <= top; ++m) {
      bfp.mantissa_bits = m;
      Result<LossyTensorChoice> r = EncodeAll(
          dtype, raw, bfp, [&](uint64_t, ByteView chunk) { return EncodeBfpChunk(dtype, chunk, m); });
      if (!r.ok()) return r.status();
      if (r->rel_l2 <= max_rel_error) {
        consider(r);
        break;
      }
    }
  }
  LossyPolicy grid;
  grid.kind = LossyPolicy::Kind::kAlignedGrid;
  if (PolicyApplies(grid, dtype) && !raw.empty()) {
    double max_abs = 0;
    const size_t w = DtypeWidth(dtype);
    for (size_t i = 0; i < raw.size(); i += w) {
      max_abs = std::max(max_abs, std::fabs(codec_internal::LoadFloat(dtype, raw.data() + i)));
    }
    for (int bits : {16, 32}) {
      grid.grid_bits = bits;
      const GridSpec spec = ChooseGrid(dtype, max_abs, bits);
      Result<LossyTensorChoice> r = EncodeAll(
          dtype, raw, grid, [&](uint64_t, ByteView chunk) { return EncodeGridAnchorChunk(dtype, chunk, spec); });
      if (r.ok()) r->grid_scale_exponent = spec.scale_exponent;
      consider(r);  // NaN/Inf: not a candidate
    }
  }
  return best;
}

}  // namespace mvc
