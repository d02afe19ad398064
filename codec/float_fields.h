// codec/float_fields.h: split floats into field planes for codec 3 (docs/format.md,
// "Codec 3: FloatFields").
//
// A float of E exponent bits and M mantissa bits becomes, per element, one symbol in
// each plane: the exponent's low 8 bits; its high E-8 bits (F64 only); the sign with
// the mantissa's top h = min(M, 7) bits (coded in the context of the exponent: weights
// near zero have mantissas that depend on their scale); then the remaining M-h
// mantissa bits, 8 at a time from the top, the last plane taking what is left.
//
//   FloatFieldLayout layout = GetFloatFieldLayout(Dtype::kBF16);  // 2 planes
//   SplitFloatFields(Dtype::kBF16, raw, n, planes);
//   MergeFloatFields(Dtype::kBF16, planes, n, raw_again);
#ifndef MVC_CODEC_FLOAT_FIELDS_H_
#define MVC_CODEC_FLOAT_FIELDS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "codec/internal/plane_container.h"
#include "core/dtype.h"

namespace mvc {

// REQUIRES: GetDtypeInfo(dtype).is_float. specs[0] is the exponent plane, the
// context of the sign+mantissa plane.
std::vector<codec_internal::PlaneSpec> GetFloatFieldPlanes(Dtype dtype);

// Writes each element's fields to planes[k][i]. REQUIRES: a float dtype; planes has
// GetFloatFieldPlanes(dtype).size() entries of n bytes; raw holds n elements.
void SplitFloatFields(Dtype dtype, const uint8_t* raw, size_t n, uint8_t* const* planes);

// The inverse; symbols outside a plane's bit range are masked, never out of bounds.
void MergeFloatFields(Dtype dtype, const uint8_t* const* planes, size_t n, uint8_t* raw);

// Codec 8's form of the same fields: each element's head (its top 1 + E + h bits:
// sign, exponent, high mantissa; the first two planes together) as a little-endian
// u16 in heads[2i..2i+2), and the low mantissa planes (planes 2.. of
// GetFloatFieldPlanes) in low_planes. REQUIRES: at most 8 exponent bits (not F64).
void SplitFloatHeads(Dtype dtype, const uint8_t* raw, size_t n, uint8_t* heads, uint8_t* const* low_planes);
void MergeFloatHeads(Dtype dtype, const uint8_t* heads, const uint8_t* const* low_planes, size_t n, uint8_t* raw);

}  // namespace mvc

#endif  // MVC_CODEC_FLOAT_FIELDS_H_
