#include "tests/testing/tensor_factory.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "core/status.h"

namespace mvc::testing {
namespace {

// splitmix64: tiny, fast and identical everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in (0, 1): never 0, so log() below is finite.
  double Uniform() { return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53; }
  // Box-Muller; uses only basic operations whose results are correctly rounded or
  // from libm, good enough for test data (bytes are compared, not values).
  double Normal() {
    double u1 = Uniform(), u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  uint64_t state_;
};

void PutElement(Bytes* out, uint64_t i, size_t width, uint64_t bits) {
  for (size_t b = 0; b < width; ++b) (*out)[i * width + b] = static_cast<uint8_t>(bits >> (8 * b));
}

// Bit patterns of one float format, built from its field widths.
struct FloatFormat {
  int exp_bits, mant_bits;
  bool has_inf;  // F8_E4M3 (the "fn" variant) has no infinities
  uint64_t Sign() const { return uint64_t{1} << (exp_bits + mant_bits); }
  uint64_t ExpAllOnes() const { return ((uint64_t{1} << exp_bits) - 1) << mant_bits; }
  uint64_t MantMask() const { return (uint64_t{1} << mant_bits) - 1; }
};

FloatFormat FormatOf(Dtype dtype) {
  const DtypeInfo& info = GetDtypeInfo(dtype);
  MVC_CHECK(info.is_float);
  return {info.exponent_bits, info.mantissa_bits, dtype != Dtype::kF8_E4M3};
}

}  // namespace

uint64_t EncodeFloatBits(Dtype dtype, double value) {
  if (dtype == Dtype::kF64) {
    uint64_t bits;
    std::memcpy(&bits, &value, 8);
    return bits;
  }
  if (dtype == Dtype::kF32) {
    float f = static_cast<float>(value);
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    return bits;
  }
  const FloatFormat fmt = FormatOf(dtype);
  const int bias = (1 << (fmt.exp_bits - 1)) - 1;
  const uint64_t sign = std::signbit(value) ? fmt.Sign() : 0;
  if (std::isnan(value)) return fmt.has_inf ? fmt.ExpAllOnes() | (uint64_t{1} << (fmt.mant_bits - 1)) : fmt.ExpAllOnes() | fmt.MantMask();
  // Largest finite: F8_E4M3 uses exponent all-ones too, all but the NaN mantissa.
  const uint64_t max_finite =
      fmt.has_inf ? fmt.ExpAllOnes() - (uint64_t{1} << fmt.mant_bits) + fmt.MantMask()
                  : fmt.ExpAllOnes() + fmt.MantMask() - 1;
  const uint64_t overflow = fmt.has_inf ? fmt.ExpAllOnes() : max_finite;
  double a = std::fabs(value);
  if (a == 0) return sign;
  if (std::isinf(a)) return sign | overflow;
  int e2;
  std::frexp(a, &e2);
  int exp = e2 - 1;  // a = 1.f * 2^exp
  uint64_t bits;
  if (exp < 1 - bias) {
    // Denormal: a multiple of the smallest denormal; rounding up to 2^mant_bits
    // lands exactly on the smallest normal's encoding.
    bits = static_cast<uint64_t>(std::nearbyint(std::ldexp(a, bias - 1 + fmt.mant_bits)));
  } else {
    uint64_t q = static_cast<uint64_t>(std::nearbyint(std::ldexp(a, fmt.mant_bits - exp)));
    if (q == (uint64_t{2} << fmt.mant_bits)) {
      ++exp;
      q >>= 1;
    }
    bits = (static_cast<uint64_t>(exp + bias) << fmt.mant_bits) | (q & fmt.MantMask());
  }
  if (bits > max_finite) bits = overflow;
  return sign | bits;
}

Bytes RandomTensorBytes(Dtype dtype, uint64_t elems, uint64_t seed) {
  const DtypeInfo& info = GetDtypeInfo(dtype);
  Bytes out(elems * info.width_bytes);
  Rng rng(seed * 0x2545F4914F6CDD1Dull + static_cast<uint64_t>(dtype));
  for (uint64_t i = 0; i < elems; ++i) {
    uint64_t bits;
    if (info.is_float) {
      double v = 0.02 * rng.Normal();
      if (rng.Next() % 1000 == 0) v *= 50;  // trained weights have rare outliers
      bits = EncodeFloatBits(dtype, v);
    } else if (dtype == Dtype::kBool) {
      bits = rng.Next() & 1;
    } else {
      bits = rng.Next();
    }
    PutElement(&out, i, info.width_bytes, bits);
  }
  return out;
}

Bytes SpecialFloatBytes(Dtype dtype, uint64_t elems) {
  const DtypeInfo& info = GetDtypeInfo(dtype);
  std::vector<uint64_t> patterns;
  if (info.is_float) {
    const FloatFormat fmt = FormatOf(dtype);
    const uint64_t s = fmt.Sign(), e = fmt.ExpAllOnes(), m = fmt.MantMask();
    const uint64_t one = static_cast<uint64_t>((1 << (fmt.exp_bits - 1)) - 1) << fmt.mant_bits;
    const uint64_t min_normal = uint64_t{1} << fmt.mant_bits;
    if (fmt.has_inf) {
      const uint64_t quiet = uint64_t{1} << (fmt.mant_bits - 1);
      patterns = {e | quiet,        // canonical quiet NaN
                  s | e | quiet,    // negative NaN
                  e | 1,            // signalling NaN, payload 1
                  e | m,            // NaN with every payload bit set
                  e | quiet | (m >> 2),  // quiet NaN with a payload
                  e, s | e,         // +Inf, -Inf
                  e - min_normal + m, s | (e - min_normal + m)};  // +-max normal
    } else {
      // F8_E4M3 ("fn"): exponent all-ones is normal except mantissa all-ones (NaN).
      patterns = {e | m, s | e | m, e | (m - 1), s | e | (m - 1)};
    }
    patterns.insert(patterns.end(), {s,              // -0
                                     0,              // +0
                                     1, s | 1,       // smallest denormals
                                     m, s | m,       // largest denormals
                                     min_normal, s | min_normal,
                                     one, s | one});  // +-1
  } else if (dtype == Dtype::kBool) {
    patterns = {0, 1, 1, 0};
  } else {
    const int bits = 8 * info.width_bytes;
    const uint64_t all = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
    if (dtype == Dtype::kU8) {
      patterns = {0, 255, 1, 128, 127};
    } else {
      const uint64_t min = uint64_t{1} << (bits - 1);
      patterns = {min, min - 1, 0, all, 1};  // min, max, 0, -1, 1
    }
  }
  Bytes out(elems * info.width_bytes);
  for (uint64_t i = 0; i < elems; ++i) {
    PutElement(&out, i, info.width_bytes, patterns[i % patterns.size()]);
  }
  return out;
}

Bytes ConstantTensorBytes(Dtype dtype, uint64_t elems, uint8_t byte) {
  return Bytes(elems * DtypeWidth(dtype), byte);
}

}  // namespace mvc::testing
