// codec/byte_planes.h: split elements into byte planes and merge them back.
//
// Plane k holds byte k (little-endian order) of every element, so the slowly varying
// high bytes of floats (sign, exponent) land in their own, very compressible, plane.
// This is on the hot path of every encode and decode: widths 1, 2, 4 and 8 have their
// own loops.
//
//   Bytes planes(raw.size());
//   SplitBytePlanes(raw.data(), raw.size() / 4, 4, planes.data());  // plane k at k * n
//   MergeBytePlanes(planes.data(), raw.size() / 4, 4, out.data());
#ifndef MVC_CODEC_BYTE_PLANES_H_
#define MVC_CODEC_BYTE_PLANES_H_

#include <cstddef>
#include <cstdint>

namespace mvc {

// Writes plane k (byte k of each of the `num_elems` elements of `width` bytes in
// `src`) to planes[k * num_elems .. (k + 1) * num_elems).
// REQUIRES: width is 1, 2, 4 or 8; src and planes hold num_elems * width bytes and do
// not overlap.
void SplitBytePlanes(const uint8_t* src, size_t num_elems, size_t width, uint8_t* planes);

// The inverse of SplitBytePlanes. Same REQUIRES, with `dst` in place of `src`.
void MergeBytePlanes(const uint8_t* planes, size_t num_elems, size_t width, uint8_t* dst);

}  // namespace mvc

#endif  // MVC_CODEC_BYTE_PLANES_H_
