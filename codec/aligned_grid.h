// codec/aligned_grid.h: the anchored quantization grid, near-lossless codecs 7 (anchor)
// and 5 (delta) (docs/format.md, "Codecs 5 and 7: AlignedGrid"; policy
// `aligned:int16|int32`).
//
// At a chain's anchor the caller picks one grid per tensor, step = 2^s, from the
// tensor's max |x| (ChooseGrid). Every version on the chain is quantized onto that same
// grid: code = round_half_even(x / 2^s), x_hat = code * 2^s. Because x_hat is exactly
// representable in the dtype, a decoder recovers a version's codes from its
// reconstructed raw bytes by exact division; a delta frame stores code - base_code, so
// decoding version N through N deltas is exact integer arithmetic and yields the very
// bytes its anchor encoding would. The error never grows with the chain's length:
//   |x - x_hat| <= 2^(s-1) for every element (all reconstructions are exact).
// When a version's codes (or their difference from the base's) leave the grid's range,
// the delta encoder refuses with kInvalidArgument "codes leave the grid ..." and the
// caller starts a new anchor (with a new ChooseGrid).
//
// Code ranges (|code| <= GridMaxCode): aligned:int16 is 2^15 - 1 on F32 and F64;
// aligned:int32 is 2^24 - 1 on F32 (its 24-bit significand holds no more) and 2^31 - 1
// on F64. Codes and differences are stored zigzagged as 2-byte (int16) or 4-byte
// (int32) little-endian words in byte planes; a delta whose zigzagged difference does
// not fit its word is refused like a code off the grid. Only F32 and F64 tensors:
// F16/BF16 significands (11/8 bits) cannot hold 16-bit codes (see PolicyApplies), and
// non-finite values cannot be on a grid (the encoders refuse them: store losslessly).
//
//   GridSpec grid = ChooseGrid(Dtype::kF32, max_abs_of_tensor, 16);
//   MVC_ASSIGN_OR_RETURN(LossyChunk v0, EncodeGridAnchorChunk(Dtype::kF32, raw0, grid));
//   MVC_ASSIGN_OR_RETURN(LossyChunk v1, EncodeGridDeltaChunk(Dtype::kF32, raw1, grid,
//                                                            v0_id, v0.reconstructed));
#ifndef MVC_CODEC_ALIGNED_GRID_H_
#define MVC_CODEC_ALIGNED_GRID_H_

#include <cstdint>
#include <span>

#include "codec/format.h"
#include "codec/lossy_policy.h"
#include "core/bytes.h"
#include "core/dtype.h"
#include "core/object_id.h"
#include "core/result.h"

namespace mvc {

struct GridSpec {
  int bits = 16;           // nominal code width: 16 or 32
  int scale_exponent = 0;  // step = 2^scale_exponent
};

// The largest |code| of a grid of `bits` on `dtype` (see the file comment); 0 when the
// pair is not supported.
int64_t GridMaxCode(Dtype dtype, int bits);

// The grid of lossy_bounds.py (step 2 * max_abs / (2 * GridMaxCode + 1): the anchor's
// values span the whole signed code range) with its step rounded up to the next power of
// two, so |x - x_hat| <= step / 2 is at most twice that reference's bound, and later
// versions may grow by a factor of 1 to 2 (depending on max_abs) before their codes leave
// the grid. A zero max_abs is taken as 1e-30, a non-finite one as the dtype's largest
// finite value; the step is at least the dtype's smallest subnormal.
// REQUIRES: PolicyApplies(aligned) for dtype, bits 16 or 32.
GridSpec ChooseGrid(Dtype dtype, double max_abs, int bits);

// Quantizes one chunk onto `grid` and stores its codes (codec 7, no base).
// Errors: kInvalidArgument when dtype is not F32/F64, grid.bits is not 16/32, the scale
// exponent is outside the dtype's range, raw is over kChunkBytes or not whole elements,
// an element is NaN/Inf ("element I is not finite"), or a code leaves the grid ("codes
// leave the grid: ...").
Result<LossyChunk> EncodeGridAnchorChunk(Dtype dtype, ByteView raw, const GridSpec& grid);

// Quantizes one chunk onto `grid` and stores code - base_code (codec 5; the frame names
// base_id). base_reconstructed is the base version's decoded chunk (the reconstructed
// bytes of an anchor or delta on the same grid), raw.size() bytes.
// Errors: as EncodeGridAnchorChunk, plus kInvalidArgument when base_reconstructed has
// another size or is not on the grid, and "codes leave the grid: ..." when a difference
// does not fit its word (the caller re-anchors).
Result<LossyChunk> EncodeGridDeltaChunk(Dtype dtype, ByteView raw, const GridSpec& grid,
                                        const ObjectId& base_id, ByteView base_reconstructed);

// The grid an aligned-grid frame (codec 5 or 7) was written on: how a commit finds the
// chain's grid from the base chunk's stored frame.
// Errors: kInvalidArgument when the frame is another codec; kCorruption when its
// payload header is short or names no valid grid for its dtype.
Result<GridSpec> GridSpecOfFrame(CodecId codec, Dtype dtype, ByteView payload);

// Decode the payloads (the frame's bytes after its header) into `out`. DecodeChunk
// calls these for codecs 7 and 5.
// Errors: kInvalidArgument when dtype is not F32/F64 or the sizes of out / base_raw
// disagree; kCorruption naming the problem (header fields, plane container, a code off
// the grid, a base element not on the grid).
Status DecodeGridAnchorPayload(Dtype dtype, ByteView payload, std::span<uint8_t> out);
Status DecodeGridDeltaPayload(Dtype dtype, ByteView payload, ByteView base_raw,
                              std::span<uint8_t> out);

}  // namespace mvc

#endif  // MVC_CODEC_ALIGNED_GRID_H_
