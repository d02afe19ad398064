// codec/ordered_delta.h: the lossless aligned delta of codec 2 (docs/format.md,
// "Codec 2: OrderedDeltaZstd").
//
// Each float element's IEEE bits b are mapped to their monotone integer image
// (sign set: ~b; else b | signbit), so that image(a) - image(b) counts the ulps
// between a and b. The difference to the base element's image is taken modulo 2^w and
// zigzagged (small magnitudes of either sign become small unsigned numbers). Integer
// dtypes use plain wrapping subtraction. Every bit pattern (NaN payloads, -0, Inf)
// round-trips exactly.
//
//   OrderedDeltaForward(Dtype::kBF16, raw, base, n, deltas);
//   OrderedDeltaInverse(Dtype::kBF16, deltas, base, n, raw_again);
#ifndef MVC_CODEC_ORDERED_DELTA_H_
#define MVC_CODEC_ORDERED_DELTA_H_

#include <cstddef>
#include <cstdint>

#include "core/dtype.h"

namespace mvc {

// Writes the zigzagged ordered differences of `num_elems` elements of `raw` against
// `base` to `deltas` (element layout, little-endian). REQUIRES: all three hold
// num_elems * DtypeWidth(dtype) bytes; `deltas` may alias `raw`.
void OrderedDeltaForward(Dtype dtype, const uint8_t* raw, const uint8_t* base, size_t num_elems,
                         uint8_t* deltas);

// The exact inverse; `raw` may alias `deltas`.
void OrderedDeltaInverse(Dtype dtype, const uint8_t* deltas, const uint8_t* base,
                         size_t num_elems, uint8_t* raw);

}  // namespace mvc

#endif  // MVC_CODEC_ORDERED_DELTA_H_
