// codec/internal/lossy_float.h: exact float loads and correctly rounded stores for the
// near-lossless codecs (codec/bfp_encoding.h, codec/aligned_grid.h).
//
// Both codecs compute a reconstruction code * 2^k exactly in a double and round it once
// (to nearest, ties to even) into the tensor's dtype; encoder and decoder share these
// functions, so the encoder's `reconstructed` bytes are exactly what the decoder writes.
//
//   double x = LoadFloat(Dtype::kBF16, p);
//   double stored = StoreRounded(Dtype::kBF16, std::ldexp(q, k), out);
#ifndef MVC_CODEC_INTERNAL_LOSSY_FLOAT_H_
#define MVC_CODEC_INTERNAL_LOSSY_FLOAT_H_

#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/dtype.h"
#include "core/endian_coding.h"

namespace mvc::codec_internal {

// Significand precision including the leading one, and the smallest normal exponent.
// REQUIRES: dtype is F64, F32, F16 or BF16.
inline int FloatPrecision(Dtype d) {
  switch (d) {
    case Dtype::kF64: return 53;
    case Dtype::kF32: return 24;
    case Dtype::kF16: return 11;
    default: return 8;  // BF16
  }
}
inline int FloatMinNormalExponent(Dtype d) {
  switch (d) {
    case Dtype::kF64: return -1022;
    case Dtype::kF16: return -14;
    default: return -126;  // F32, BF16
  }
}
inline int FloatMaxExponent(Dtype d) {
  switch (d) {
    case Dtype::kF64: return 1023;
    case Dtype::kF16: return 15;
    default: return 127;
  }
}
// Exponent of the smallest subnormal: every multiple of 2^this below the normal range
// is representable.
inline int FloatMinSubnormalExponent(Dtype d) {
  return FloatMinNormalExponent(d) - FloatPrecision(d) + 1;
}

// The element at p as a double (exact for every supported dtype; NaN/Inf preserved).
inline double LoadFloat(Dtype d, const uint8_t* p) {
  switch (d) {
    case Dtype::kF64: { double v; std::memcpy(&v, p, 8); return v; }
    case Dtype::kF32: { float v; std::memcpy(&v, p, 4); return v; }
    case Dtype::kBF16: {
      const uint32_t bits = static_cast<uint32_t>(DecodeFixed16(p)) << 16;
      float v; std::memcpy(&v, &bits, 4); return v;
    }
    default: {  // F16
      const uint16_t h = DecodeFixed16(p);
      const int e = (h >> 10) & 31;
      const int m = h & 1023;
      double mag = e == 0 ? std::ldexp(m, -24)
                   : e == 31 ? (m ? NAN : INFINITY)
                             : std::ldexp(m + 1024, e - 25);
      return (h & 0x8000) ? -mag : mag;
    }
  }
}

// Rounds the finite value v to the nearest value of dtype d (ties to even, subnormals
// included; beyond the largest finite value: infinity), writes it at p and returns it.
// For F64, v itself is stored (callers produce it with one correctly rounded ldexp).
inline double StoreRounded(Dtype d, double v, uint8_t* p) {
  if (d == Dtype::kF64) { std::memcpy(p, &v, 8); return v; }
  if (d == Dtype::kF32) {
    const float f = static_cast<float>(v);  // correctly rounded, one step from an exact double
    std::memcpy(p, &f, 4);
    return f;
  }
  if (d == Dtype::kBF16) {
    // Fast path: v already a BF16 value (the usual case: codes fit the significand).
    const float f = static_cast<float>(v);
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    if ((bits & 0xFFFF) == 0 && static_cast<double>(f) == v) {
      EncodeFixed16(p, static_cast<uint16_t>(bits >> 16));
      return f;
    }
  }
  const int prec = FloatPrecision(d);
  double r = v;
  if (v != 0) {
    int ex;
    std::frexp(v, &ex);  // |v| in [2^(ex-1), 2^ex)
    int quantum = ex - prec;
    const int min_quantum = FloatMinSubnormalExponent(d);
    if (quantum < min_quantum) quantum = min_quantum;
    r = std::ldexp(std::nearbyint(std::ldexp(v, -quantum)), quantum);
  }
  if (d == Dtype::kBF16) {
    const float f = static_cast<float>(r);  // exact (or inf beyond the range)
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    EncodeFixed16(p, static_cast<uint16_t>(bits >> 16));
    return f;
  }
  // F16.
  uint16_t h = std::signbit(r) ? 0x8000 : 0;
  const double a = std::fabs(r);
  if (a >= 65536.0) {
    h |= 0x7C00;
    EncodeFixed16(p, h);
    return std::signbit(r) ? -INFINITY : INFINITY;
  }
  if (a >= std::ldexp(1.0, -14)) {
    const int e = std::ilogb(a);
    h |= static_cast<uint16_t>((e + 15) << 10);
    h |= static_cast<uint16_t>(std::ldexp(a, 10 - e) - 1024);
  } else {
    h |= static_cast<uint16_t>(std::ldexp(a, 24));
  }
  EncodeFixed16(p, h);
  return r;
}

// Rounds y to an integer, ties to even (std::nearbyint in the default rounding mode),
// without a libm call: adding and subtracting 1.5 * 2^52 leaves no fraction bits.
// REQUIRES: |y| < 2^51 (callers bound their codes far below).
inline double RoundHalfEven(double y) {
  constexpr double kShift = 6755399441055744.0;  // 1.5 * 2^52
  return (y + kShift) - kShift;  // not folded: that is no identity in IEEE arithmetic
}

}  // namespace mvc::codec_internal

#endif  // MVC_CODEC_INTERNAL_LOSSY_FLOAT_H_
