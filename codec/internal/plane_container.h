// codec/internal/plane_container.h: the plane container shared by codecs 1, 2, 3 and
// 6 (docs/format.md, "Plane container").
//
// A chunk is split into planes of n symbols each (byte planes, or the float fields
// of codec 3); each plane is stored as a mode byte (PlaneMode) and its data. The
// encoder keeps, per plane, the smallest of the modes the codec allows.
//
//   Bytes payload;
//   MVC_RETURN_IF_ERROR(EncodePlanes(elems, n, 4, {3, true, false}, &payload));
//   MVC_RETURN_IF_ERROR(DecodePlanes(payload, n, 4, {3, true, false}, out));
#ifndef MVC_CODEC_INTERNAL_PLANE_CONTAINER_H_
#define MVC_CODEC_INTERNAL_PLANE_CONTAINER_H_

#include <zstd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace mvc::codec_internal {

// Uninitialized scratch memory: chunk-sized buffers that are overwritten in full, so
// zero-filling them would only cost time.
inline std::unique_ptr<uint8_t[]> NewScratch(size_t bytes) {
  return std::unique_ptr<uint8_t[]>(new uint8_t[bytes > 0 ? bytes : 1]);
}

// Per-thread chunk-sized buffers, reused from chunk to chunk: a fresh 4 MiB buffer is
// page-faulted in for every chunk otherwise. A slot's buffer stays valid until the
// next ThreadScratch call for the same slot on the same thread, so nested users take
// different slots. A thread keeps what it grew (a few chunk sizes) until it exits.
enum class ScratchSlot { kPlanes = 0, kFields = 1, kDeltas = 2, kScaled = 3 };
uint8_t* ThreadScratch(ScratchSlot slot, size_t bytes);

// Order-0 (plug-in) entropy of n bytes, in bits a symbol; 0 for n = 0.
double ByteEntropyBits(const uint8_t* p, size_t n);

// This thread's zstd contexts, created on first use and kept for the thread's life
// (creating one per chunk costs ~10% of decoding a file of small tensors); nullptr
// when zstd cannot allocate one.
ZSTD_CCtx* ThreadCCtx();
ZSTD_DCtx* ThreadDCtx();

struct PlaneOptions {
  int zstd_level = 3;
  bool allow_zstd = true;      // PlaneMode::kZstd
  bool allow_entropy = false;  // PlaneMode::kEntropy
  bool allow_rans = false;     // PlaneMode::kRans (planes without context only)
};

// One plane: symbols of `bits` bits (1..8), optionally entropy-coded in the context
// of an earlier plane (`context` is its index; -1 for none).
struct PlaneSpec {
  int bits = 8;
  int context = -1;
};

// Appends the container of `planes` (each n symbols, described by `specs`) to `out`.
// Planes before `first` are not stored (codec 8 codes them in its joint stream) but
// may be contexts of later ones. Errors: kInternal when zstd fails.
Status EncodePlaneSet(const std::vector<const uint8_t*>& planes,
                      const std::vector<PlaneSpec>& specs, size_t n, const PlaneOptions& options,
                      Bytes* out, size_t first = 0);

// Decodes a container spanning all of `payload` into planes[first..] (each n bytes);
// planes before `first` must hold their symbols already.
// Errors: kCorruption naming the plane and the problem (a disallowed mode, truncation,
// a symbol out of its plane's range, trailing bytes).
Status DecodePlaneSet(ByteView payload, const std::vector<PlaneSpec>& specs, size_t n,
                      const PlaneOptions& allowed, const std::vector<uint8_t*>& planes,
                      size_t first = 0);

// The byte-plane form: the planes are byte k of each of n elements of `width` bytes.
Status EncodePlanes(const uint8_t* elems, size_t n, size_t width, const PlaneOptions& options,
                    Bytes* out);
Status DecodePlanes(ByteView payload, size_t n, size_t width, const PlaneOptions& allowed,
                    uint8_t* out);

}  // namespace mvc::codec_internal

#endif  // MVC_CODEC_INTERNAL_PLANE_CONTAINER_H_
