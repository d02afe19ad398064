// codec/lossy_choice.h: `--max-rel-error E`: the cheapest encoding of one whole tensor
// whose relative L2 error stays at or below E (docs/format.md, "Near-lossless codecs").
//
// Candidates: lossless (EncodeChunk, error 0), bfp:M for every M the dtype allows
// (2..23, capped at the significand) and, for F32/F64, aligned:int16 and aligned:int32
// anchors on the grid ChooseGrid picks from the tensor's max |x|. The relative L2 error
// is sqrt(sum (x - x_hat)^2 / sum x^2) over the tensor (0 for an all-zero tensor
// reproduced exactly). BFP candidates are part of the set, so at any E the choice is
// never larger than BFP alone; lossless is, so it is never larger than lossless either.
//
//   MVC_ASSIGN_OR_RETURN(LossyTensorChoice c, ChooseLossyEncoding(Dtype::kF32, raw, 1e-3));
//   for (const LossyChunk& chunk : c.chunks) Put(chunk.frame);   // chunk i of ChunkLayout
//   Record(PolicyName(c.policy), c.rel_l2, c.max_abs_error);
#ifndef MVC_CODEC_LOSSY_CHOICE_H_
#define MVC_CODEC_LOSSY_CHOICE_H_

#include <cstdint>
#include <span>
#include <vector>

#include "codec/chunk_codec.h"
#include "codec/lossy_policy.h"
#include "core/bytes.h"
#include "core/dtype.h"
#include "core/result.h"

namespace mvc {

struct LossyTensorChoice {
  LossyPolicy policy;              // the winner; kLossless when nothing lossy is cheaper
  int grid_scale_exponent = 0;     // kAlignedGrid: the grid's step is 2^this
  std::vector<LossyChunk> chunks;  // chunk i of ChunkLayout::For(dtype, raw.size())
  uint64_t stored_bytes = 0;       // sum of the chunks' frame sizes
  double rel_l2 = 0;
  double max_abs_error = 0;
};

// Relative L2 error from the sums of a LossyChunk (0/0 counts as 0, e/0 as infinity).
double RelativeL2(double sum_sq_error, double sum_sq_reference);

// Encodes every chunk of `raw` (a whole tensor of `dtype`, or chunks of one laid end to
// end) with each candidate and keeps the smallest total whose relative L2 error is <=
// max_rel_error. places[i], when given, is chunk i's place in its tensor, so that the
// lossless candidate is what a lossless commit stores (codec 9 sees rows and columns).
// Errors: kInvalidArgument when max_rel_error is negative or NaN, raw is not a whole
// number of elements, or a place does not hold its chunk; kInternal from the lossless
// codecs (zstd).
Result<LossyTensorChoice> ChooseLossyEncoding(Dtype dtype, ByteView raw, double max_rel_error,
                                              std::span<const ChunkPlace> places = {});

}  // namespace mvc

#endif  // MVC_CODEC_LOSSY_CHOICE_H_
