// codec/internal/plane_container.h: the byte-plane container shared by codecs 1, 2
// and 6 (docs/format.md, "Byte-plane container").
//
// `width` planes of `num_elems` bytes each, in order; each plane is a mode byte
// (PlaneMode) and its data. The encoder keeps, per plane, the smallest of raw,
// constant, zstd and (when allowed) the entropy coder.
//
//   Bytes payload;
//   MVC_RETURN_IF_ERROR(EncodePlanes(elems, n, 4, {3, false}, &payload));
//   MVC_RETURN_IF_ERROR(DecodePlanes(payload, n, 4, false, out));
#ifndef MVC_CODEC_INTERNAL_PLANE_CONTAINER_H_
#define MVC_CODEC_INTERNAL_PLANE_CONTAINER_H_

#include <cstddef>
#include <cstdint>

#include "core/bytes.h"
#include "core/status.h"

namespace mvc::codec_internal {

struct PlaneOptions {
  int zstd_level = 3;
  bool allow_entropy = false;  // PlaneMode::kEntropy (codec 6 only)
};

// Appends the container for the `num_elems` elements of `width` bytes at `elems`
// to `out`. Errors: kInternal when zstd fails (out of memory).
Status EncodePlanes(const uint8_t* elems, size_t num_elems, size_t width,
                    const PlaneOptions& options, Bytes* out);

// Decodes a container that must span all of `payload` into `out` (num_elems * width
// bytes, element layout). Errors: kCorruption naming the plane and the problem.
Status DecodePlanes(ByteView payload, size_t num_elems, size_t width, bool allow_entropy,
                    uint8_t* out);

}  // namespace mvc::codec_internal

#endif  // MVC_CODEC_INTERNAL_PLANE_CONTAINER_H_
