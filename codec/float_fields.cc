#include "codec/float_fields.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "core/status.h"

namespace mvc {
namespace {

template <typename U, int E, int M>
struct Fields {
  static constexpr int kW = int(sizeof(U)) * 8;
  static constexpr int kLoBits = E < 8 ? E : 8;
  static constexpr bool kHasHi = E > 8;
  static constexpr int kH = M < 7 ? M : 7;
  static constexpr int kR = M - kH;
  static constexpr int kLow = (kR + 7) / 8;
  static constexpr int kPlanes = 2 + kHasHi + kLow;
  static constexpr int kHPlane = 1 + kHasHi;
  static constexpr U Mask(int bits) { return static_cast<U>((U{1} << bits) - 1); }
  static constexpr int LowShift(int j) { return j < kLow - 1 ? kR - 8 * (j + 1) : 0; }
  static constexpr int LowBits(int j) { return j < kLow - 1 ? 8 : kR - 8 * (kLow - 1); }

  static std::vector<codec_internal::PlaneSpec> Specs() {
    std::vector<codec_internal::PlaneSpec> s;
    s.push_back({kLoBits, -1});
    if (kHasHi) s.push_back({E - 8, -1});
    s.push_back({kH + 1, 0});
    // A partial low plane (F16's 3 bits) depends on the exponent (values rounded from
    // coarser grids); whole low bytes are near uniform and go without context.
    for (int j = 0; j < kLow; ++j) s.push_back({LowBits(j), LowBits(j) < 8 ? 0 : -1});
    return s;
  }

  // The plane pointers are copied into locals: byte stores may alias the caller's
  // pointer array, which would be reloaded for every element (and block vectorizing).
  static void Split(const uint8_t* raw, size_t n, uint8_t* const* planes) {
    std::array<uint8_t*, kPlanes> p;
    std::copy_n(planes, kPlanes, p.begin());
    uint8_t* pe = p[0];
    uint8_t* ph = p[kHPlane];
    for (size_t i = 0; i < n; ++i) {
      U v; std::memcpy(&v, raw + i * sizeof(U), sizeof(U));
      pe[i] = static_cast<uint8_t>((v >> M) & Mask(kLoBits));
      if constexpr (kHasHi) p[1][i] = static_cast<uint8_t>((v >> (M + 8)) & Mask(E - 8));
      ph[i] = static_cast<uint8_t>(((v >> (kW - 1)) << kH) | ((v >> (M - kH)) & Mask(kH)));
      [&]<int... J>(std::integer_sequence<int, J...>) {
        ((p[kHPlane + 1 + J][i] = static_cast<uint8_t>((v >> LowShift(J)) & Mask(LowBits(J)))), ...);
      }(std::make_integer_sequence<int, kLow>{});
    }
  }

  static void Merge(const uint8_t* const* planes, size_t n, uint8_t* raw) {
    std::array<const uint8_t*, kPlanes> p;
    std::copy_n(planes, kPlanes, p.begin());
    const uint8_t* pe = p[0];
    const uint8_t* ph = p[kHPlane];
    for (size_t i = 0; i < n; ++i) {
      U h = ph[i];
      U v = static_cast<U>(((U{pe[i]} & Mask(kLoBits)) << M) | (((h >> kH) & 1) << (kW - 1)) |
                           ((h & Mask(kH)) << (M - kH)));
      if constexpr (kHasHi) v |= static_cast<U>((U{p[1][i]} & Mask(E - 8)) << (M + 8));
      [&]<int... J>(std::integer_sequence<int, J...>) {
        ((v |= static_cast<U>((U{p[kHPlane + 1 + J][i]} & Mask(LowBits(J))) << LowShift(J))), ...);
      }(std::make_integer_sequence<int, kLow>{});
      std::memcpy(raw + i * sizeof(U), &v, sizeof(U));
    }
  }

  // Codec 8's form: the head (v >> r: sign, exponent, high mantissa; 1 + E + h <= 16
  // bits) as a little-endian u16, and the low planes as in Split.
  static void SplitHeads(const uint8_t* raw, size_t n, uint8_t* heads, uint8_t* const* low_planes) {
    static_assert(!kHasHi);
    std::array<uint8_t*, kLow> low;
    std::copy_n(low_planes, kLow, low.begin());
    for (size_t i = 0; i < n; ++i) {
      U v; std::memcpy(&v, raw + i * sizeof(U), sizeof(U));
      const uint16_t head = static_cast<uint16_t>(v >> kR);
      std::memcpy(heads + 2 * i, &head, 2);
      [&]<int... J>(std::integer_sequence<int, J...>) {
        ((low[J][i] = static_cast<uint8_t>((v >> LowShift(J)) & Mask(LowBits(J)))), ...);
      }(std::make_integer_sequence<int, kLow>{});
    }
  }

  static void MergeHeads(const uint8_t* heads, const uint8_t* const* low_planes, size_t n, uint8_t* raw) {
    static_assert(!kHasHi);
    std::array<const uint8_t*, kLow> low;
    std::copy_n(low_planes, kLow, low.begin());
    for (size_t i = 0; i < n; ++i) {
      uint16_t head; std::memcpy(&head, heads + 2 * i, 2);
      U v = static_cast<U>(static_cast<U>(head) << kR);
      [&]<int... J>(std::integer_sequence<int, J...>) {
        ((v |= static_cast<U>((U{low[J][i]} & Mask(LowBits(J))) << LowShift(J))), ...);
      }(std::make_integer_sequence<int, kLow>{});
      std::memcpy(raw + i * sizeof(U), &v, sizeof(U));
    }
  }
};

using F64Fields = Fields<uint64_t, 11, 52>;
using F32Fields = Fields<uint32_t, 8, 23>;
using F16Fields = Fields<uint16_t, 5, 10>;
using BF16Fields = Fields<uint16_t, 8, 7>;
using E4M3Fields = Fields<uint8_t, 4, 3>;
using E5M2Fields = Fields<uint8_t, 5, 2>;

template <typename Fn>
auto Dispatch(Dtype dtype, Fn&& fn) {
  switch (dtype) {
    case Dtype::kF64: return fn(F64Fields{});
    case Dtype::kF32: return fn(F32Fields{});
    case Dtype::kF16: return fn(F16Fields{});
    case Dtype::kBF16: return fn(BF16Fields{});
    case Dtype::kF8_E4M3: return fn(E4M3Fields{});
    case Dtype::kF8_E5M2: return fn(E5M2Fields{});
    default: MVC_CHECK(false && "float fields need a float dtype"); return fn(BF16Fields{});
  }
}

}  // namespace

std::vector<codec_internal::PlaneSpec> GetFloatFieldPlanes(Dtype dtype) {
  return Dispatch(dtype, [](auto f) { return decltype(f)::Specs(); });
}

void SplitFloatFields(Dtype dtype, const uint8_t* raw, size_t n, uint8_t* const* planes) {
  Dispatch(dtype, [&](auto f) { decltype(f)::Split(raw, n, planes); });
}

void MergeFloatFields(Dtype dtype, const uint8_t* const* planes, size_t n, uint8_t* raw) {
  Dispatch(dtype, [&](auto f) { decltype(f)::Merge(planes, n, raw); });
}

void SplitFloatHeads(Dtype dtype, const uint8_t* raw, size_t n, uint8_t* heads, uint8_t* const* low_planes) {
  Dispatch(dtype, [&](auto f) {
    if constexpr (!decltype(f)::kHasHi) decltype(f)::SplitHeads(raw, n, heads, low_planes);
    else MVC_CHECK(false && "heads need at most 8 exponent bits");
  });
}

void MergeFloatHeads(Dtype dtype, const uint8_t* heads, const uint8_t* const* low_planes, size_t n, uint8_t* raw) {
  Dispatch(dtype, [&](auto f) {
    if constexpr (!decltype(f)::kHasHi) decltype(f)::MergeHeads(heads, low_planes, n, raw);
    else MVC_CHECK(false && "heads need at most 8 exponent bits");
  });
}

}  // namespace mvc
