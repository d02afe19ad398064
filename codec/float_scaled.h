// codec/float_scaled.h: codec 9, FloatScaled (docs/format.md, "Codec 9: FloatScaled").
//
// Codec 8 after a reversible shift of every exponent by a per-row and/or per-column
// offset of the chunk's matrix view (codec/exponent_scales.h). Weights whose channels
// differ in scale (convolutions with batch norm folded in, per-neuron gains) have
// exponents that their row and column predict; with the offsets taken out, codec 8's
// one table sees a single narrow distribution. Float dtypes of at most 8 exponent bits.
//
//   ExponentScales s = FitExponentScales(Dtype::kF16, raw, {96, 0}, ScaleAxes::kColumns);
//   MVC_RETURN_IF_ERROR(EncodeFloatScaledPayload(Dtype::kF16, raw, s, &out));
//   MVC_RETURN_IF_ERROR(DecodeFloatScaledPayload(Dtype::kF16, payload, out_span));
#ifndef MVC_CODEC_FLOAT_SCALED_H_
#define MVC_CODEC_FLOAT_SCALED_H_

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "codec/exponent_scales.h"
#include "core/bytes.h"
#include "core/dtype.h"
#include "core/result.h"

namespace mvc {

// The row lengths of a tensor's matrix views worth trying, for a shape with leading
// and trailing dimensions of 1 dropped: the last dimension (output channels of an HWIO convolution,
// input features of a [out, in] linear layer) and the product of all but the first
// (rows = output channels of an OIHW convolution), when that differs. Empty below
// rank 2 or when a row would hold 2^32 elements or more.
std::vector<uint64_t> ScaledRowLengths(std::span<const uint64_t> shape);

// Codec 9's offsets for a chunk and the estimated bytes of its payload.
struct ScaledPlan {
  ExponentScales scales;
  double estimated_bytes;
};

// The best of the views (ScaledRowLengths(shape)) and axes for the chunk `raw` whose
// first element is element `first_element` of a tensor of `shape`, by the estimated
// size of codec 8 on the shifted elements plus the offsets. Only the view and axes
// PredictScaleGains expects to pay most are fitted. Nothing when
// none is expected to pay, or, with `forced`, only when the shape has no view with two
// rows or two rows' worth of elements in the chunk (then the first such view is used).
// REQUIRES: FloatJointTakes(dtype), raw not empty, the chunk inside the tensor.
std::optional<ScaledPlan> PlanFloatScaled(Dtype dtype, ByteView raw, std::span<const uint64_t> shape,
                                          uint64_t first_element, bool forced);

// Appends the payload of `raw` (whole elements) with `scales`.
// REQUIRES: FloatJointTakes(dtype); scales cover raw's rows and columns (as
// FitExponentScales makes them), row_length < 2^32, and column offsets only when
// row_length <= the number of elements.
// Errors: kInternal when zstd fails.
Status EncodeFloatScaledPayload(Dtype dtype, ByteView raw, const ExponentScales& scales, Bytes* out);

// Decodes a payload into `out` (the chunk's raw size). REQUIRES: FloatJointTakes(dtype).
// Errors: kCorruption naming the part and the problem.
Status DecodeFloatScaledPayload(Dtype dtype, ByteView payload, std::span<uint8_t> out);

}  // namespace mvc

#endif  // MVC_CODEC_FLOAT_SCALED_H_
