// codec/lossy_policy.h: the opt-in near-lossless policies of `mvc commit --policy`,
// and what a near-lossless chunk encoder returns (docs/format.md, "Near-lossless codecs").
//
// Every policy other than kLossless changes the stored values: the decoded tensor is
// an approximation whose error is bounded (codec/bfp_encoding.h, codec/aligned_grid.h)
// and recorded per tensor. Policies apply to float dtypes only (PolicyApplies); for
// any other tensor the caller stores the bytes losslessly.
//
//   MVC_ASSIGN_OR_RETURN(LossyPolicy policy, ParseLossyPolicy("bfp:7"));
//   if (PolicyApplies(policy, Dtype::kBF16)) { ... EncodeBfpChunk(...) ... }
//   std::string shown = PolicyName(policy);   // "bfp:7"
#ifndef MVC_CODEC_LOSSY_POLICY_H_
#define MVC_CODEC_LOSSY_POLICY_H_

#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/dtype.h"
#include "core/result.h"

namespace mvc {

struct LossyPolicy {
  enum class Kind { kLossless, kBfp, kAlignedGrid };
  Kind kind = Kind::kLossless;
  int mantissa_bits = 7;  // kBfp: magnitude bits per element, 2..23
  int grid_bits = 16;     // kAlignedGrid: 16 or 32 (the nominal code width)
};

inline constexpr int kMinBfpMantissaBits = 2;
inline constexpr int kMaxBfpMantissaBits = 23;
inline constexpr int kDefaultBfpMantissaBits = 7;

// Parses "lossless", "bfp" (= bfp:7), "bfp:M" (M in 2..23), "aligned:int16" and
// "aligned:int32".
// Errors: kInvalidArgument "unknown policy 'X' (expected lossless, bfp[:M], aligned:int16
// or aligned:int32)" or "bfp mantissa bits 'X' out of range 2..23".
Result<LossyPolicy> ParseLossyPolicy(std::string_view text);

// The canonical spelling, which ParseLossyPolicy accepts: "lossless", "bfp:7",
// "aligned:int16", "aligned:int32".
std::string PolicyName(const LossyPolicy& policy);

// Whether `policy` may encode a tensor of `dtype` (else the caller stores it losslessly):
//   kLossless    every dtype.
//   kBfp         F64, F32, F16, BF16. Integer, BOOL and F8 tensors are not approximated:
//                integers are often indices or counts, and F8's 2-3 mantissa bits leave
//                nothing to drop. On F16/BF16 the mantissa bits are capped at the
//                dtype's significand (11, 8) so every code is exact in the dtype.
//   kAlignedGrid F64 and F32 only: the grid's reconstructions code * 2^s must be exact in
//                the dtype so a delta's decoder can recover the base's codes from its raw
//                bytes; F32 holds 24-bit integers, so aligned:int32 on F32 uses codes of
//                at most 24 magnitude bits; F16 (11) and BF16 (8) cannot hold 16-bit codes.
bool PolicyApplies(const LossyPolicy& policy, Dtype dtype);

// What a near-lossless chunk encoder returns. The error sums let the caller combine
// chunks into the tensor's relative L2 error sqrt(sum_sq_error / sum_sq_reference).
// Non-finite elements (kept exactly) add nothing to either sum.
struct LossyChunk {
  Bytes reconstructed;  // exactly the raw bytes `frame` decodes to (DecodeChunk)
  Bytes frame;          // a complete chunk frame (codec/format.h layout)
  double sum_sq_error = 0;      // sum over elements of (x - x_hat)^2
  double sum_sq_reference = 0;  // sum over elements of x^2
  double max_abs_error = 0;     // max over elements of |x - x_hat|
};

}  // namespace mvc

#endif  // MVC_CODEC_LOSSY_POLICY_H_
