// codec/float_joint.h: codec 8, FloatJoint (docs/format.md, "Codec 8: FloatJoint").
//
// Codec 3's field planes, with the exponent plane and the sign-high-mantissa plane
// coded together by the joint stream (codec/internal/joint_stream.h): one Huffman
// symbol per element for the exponent and the top mantissa bits, the sign and the
// other high mantissa bits as raw bits beside it. Lower mantissa planes are stored as
// in codec 3. Float dtypes of at most 8 exponent bits (not F64).
//
//   if (FloatJointTakes(dtype)) MVC_RETURN_IF_ERROR(EncodeFloatJointPayload(dtype, raw, &out));
//   MVC_RETURN_IF_ERROR(DecodeFloatJointPayload(dtype, payload, out_span));
#ifndef MVC_CODEC_FLOAT_JOINT_H_
#define MVC_CODEC_FLOAT_JOINT_H_

#include <functional>
#include <span>

#include "core/bytes.h"
#include "core/dtype.h"
#include "core/result.h"

namespace mvc {

// Float dtypes whose exponent fits one plane: F32, F16, BF16, F8_E4M3, F8_E5M2.
bool FloatJointTakes(Dtype dtype);

// Whether the encoder writes the dtype's elements whole as heads (F16: no low plane;
// docs/format.md, "Whole F16 elements"), so its low mantissa bits are raw.
bool FloatJointWritesWholeElements(Dtype dtype);

// Appends the payload of `raw` (whole elements). REQUIRES: FloatJointTakes(dtype).
// Errors: kInternal when zstd fails.
Status EncodeFloatJointPayload(Dtype dtype, ByteView raw, Bytes* out);

// Called with each decoded block of heads [lo, hi) (two bytes each at `heads`, element i
// at heads + 2i) before they are merged into elements, when the heads are laid out as
// elements of `layout`: kBF16 for F32 and BF16 chunks (a head is the top half of an F32),
// kF16 for whole F16 heads. Lets codec 9 shift exponents back while they are in cache.
using HeadBlockHook = std::function<void(Dtype layout, uint8_t* heads, size_t lo, size_t hi)>;

// Decodes a payload into `out` (the chunk's raw size). REQUIRES: FloatJointTakes(dtype).
// With a hook, *hooked says whether it was called (the payload's heads have one of the
// layouts above) or not (F16 split heads, F8: the caller works on `out` afterwards).
// Errors: kCorruption naming the part and the problem.
Status DecodeFloatJointPayload(Dtype dtype, ByteView payload, std::span<uint8_t> out,
                               const HeadBlockHook& hook = {}, bool* hooked = nullptr);

}  // namespace mvc

#endif  // MVC_CODEC_FLOAT_JOINT_H_
