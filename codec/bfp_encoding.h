// codec/bfp_encoding.h: block floating point, the near-lossless codec 4
// (docs/format.md, "Codec 4: Bfp"; policy `bfp:M`).
//
// A chunk is cut into groups of 32 consecutive elements (the last group may be
// shorter). Each group shares one exponent e = floor(log2(max |x| in the group)); each
// element becomes a signed code q = clamp(round_half_even(x / 2^(e+1-M)), ±(2^M - 1))
// of M magnitude bits plus a sign, and is reconstructed as
//   x_hat = round_to_dtype(q * 2^(e+1-M))          (q * 2^(e+1-M) is computed exactly).
// Exponents, magnitudes and the signs of non-zero codes are stored separately; the
// first two are entropy coded (Huffman or rANS planes, codec/internal/plane_container.h).
//
// Error bound, for every element x of a finite group with exponent e:
//   |x - x_hat| <= 2^(e+1-M) + u_dtype <= 2^(1-M) * max|group| + u_dtype
// where u_dtype is 0 unless q * 2^(e+1-M) falls below the dtype's normal range, and
// then at most half the dtype's smallest subnormal (2^-150 for F32/BF16, 2^-25 for F16,
// 2^-1075 for F64). Without clamping the bound would be 2^(e-M); clamping (when a
// value rounds up to 2^M) costs at most one step more. M is capped at the dtype's
// significand precision (BF16 8, F16 11), so above the subnormal range codes are exact
// in the dtype.
//
// Groups kept exactly ("escaped", their bytes stored verbatim): any group holding a NaN
// or an infinity, and any group whose exponent lies more than 253 below the chunk's
// largest group exponent (the exponent alphabet has 254 values). Their error is 0.
// Zero groups (every element ±0) decode to +0.
//
//   MVC_ASSIGN_OR_RETURN(LossyChunk c, EncodeBfpChunk(Dtype::kF32, raw, 7));
//   Store(c.frame);   // decodes, through DecodeChunk, to exactly c.reconstructed
#ifndef MVC_CODEC_BFP_ENCODING_H_
#define MVC_CODEC_BFP_ENCODING_H_

#include <span>

#include "codec/lossy_policy.h"
#include "core/bytes.h"
#include "core/dtype.h"
#include "core/result.h"

namespace mvc {

inline constexpr size_t kBfpGroupElems = 32;

// The mantissa bits actually used for `dtype`: min(mantissa_bits, significand
// precision of the dtype incl. the leading one).
int BfpEffectiveMantissaBits(Dtype dtype, int mantissa_bits);

// Encodes one chunk (raw bytes of `dtype`, element-aligned, <= kChunkBytes) into a
// codec-4 chunk frame.
// Errors: kInvalidArgument when the dtype is not F64/F32/F16/BF16, mantissa_bits is
// outside 2..23, or raw is larger than kChunkBytes or not a whole number of elements.
Result<LossyChunk> EncodeBfpChunk(Dtype dtype, ByteView raw, int mantissa_bits);

// Decodes a codec-4 payload (the frame's bytes after its 12-byte header) into `out`
// (raw_size bytes of `dtype`). DecodeChunk calls this for codec 4.
// Errors: kInvalidArgument when dtype is not a BFP dtype or out is not element-aligned;
// kCorruption naming the problem (bad header field, section sizes, an exponent outside
// the dtype's range, a symbol out of range, non-zero padding bits, trailing bytes).
Status DecodeBfpPayload(Dtype dtype, ByteView payload, std::span<uint8_t> out);

}  // namespace mvc

#endif  // MVC_CODEC_BFP_ENCODING_H_
