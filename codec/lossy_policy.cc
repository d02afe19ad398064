#include "codec/lossy_policy.h"

#include <charconv>
#include <string>

namespace mvc {

Result<LossyPolicy> ParseLossyPolicy(std::string_view text) {
  LossyPolicy p;
  if (text == "lossless") return p;
  if (text == "aligned:int16" || text == "aligned:int32") {
    p.kind = LossyPolicy::Kind::kAlignedGrid;
    p.grid_bits = text == "aligned:int16" ? 16 : 32;
    return p;
  }
  if (text == "bfp") {
    p.kind = LossyPolicy::Kind::kBfp;
    p.mantissa_bits = kDefaultBfpMantissaBits;
    return p;
  }
  if (text.substr(0, 4) == "bfp:") {
    std::string_view num = text.substr(4);
    int m = 0;
    auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), m);
    if (num.empty() || ec != std::errc() || end != num.data() + num.size() ||
        m < kMinBfpMantissaBits || m > kMaxBfpMantissaBits) {
      return Status::InvalidArgument("bfp mantissa bits '" + std::string(num) +
                                     "' out of range 2..23");
    }
    p.kind = LossyPolicy::Kind::kBfp;
    p.mantissa_bits = m;
    return p;
  }
  return Status::InvalidArgument("unknown policy '" + std::string(text) +
                                 "' (expected lossless, bfp[:M], aligned:int16 or aligned:int32)");
}

std::string PolicyName(const LossyPolicy& policy) {
  switch (policy.kind) {
    case LossyPolicy::Kind::kBfp: return "bfp:" + std::to_string(policy.mantissa_bits);
    case LossyPolicy::Kind::kAlignedGrid: return "aligned:int" + std::to_string(policy.grid_bits);
    default: return "lossless";
  }
}

bool PolicyApplies(const LossyPolicy& policy, Dtype dtype) {
  switch (policy.kind) {
    case LossyPolicy::Kind::kLossless:
      return true;
    case LossyPolicy::Kind::kBfp:
      return dtype == Dtype::kF64 || dtype == Dtype::kF32 || dtype == Dtype::kF16 ||
             dtype == Dtype::kBF16;
    case LossyPolicy::Kind::kAlignedGrid:
      return dtype == Dtype::kF64 || dtype == Dtype::kF32;
  }
  return false;
}

}  // namespace mvc
