#include "codec/ordered_delta.h"

#include <cstring>
#include <type_traits>

namespace mvc {
namespace {

template <typename U>
inline U Load(const uint8_t* p) { U v; std::memcpy(&v, p, sizeof(U)); return v; }
template <typename U>
inline void Store(uint8_t* p, U v) { std::memcpy(p, &v, sizeof(U)); }

template <typename U>
constexpr U kSign = static_cast<U>(U{1} << (8 * sizeof(U) - 1));

// Monotone image of IEEE bits: negative values reversed below positive ones.
template <typename U>
inline U ToOrdered(U b) { return (b & kSign<U>) ? static_cast<U>(~b) : static_cast<U>(b | kSign<U>); }
template <typename U>
inline U FromOrdered(U u) { return (u & kSign<U>) ? static_cast<U>(u & ~kSign<U>) : static_cast<U>(~u); }

template <typename U>
inline U ZigZag(U d) {
  using S = std::make_signed_t<U>;
  return static_cast<U>((d << 1) ^ static_cast<U>(static_cast<S>(d) >> (8 * sizeof(U) - 1)));
}
template <typename U>
inline U UnZigZag(U z) { return static_cast<U>((z >> 1) ^ static_cast<U>(0 - (z & 1))); }

template <typename U, bool kFloat>
void Forward(const uint8_t* raw, const uint8_t* base, size_t n, uint8_t* out) {
  for (size_t i = 0; i < n; ++i) {
    U a = Load<U>(raw + i * sizeof(U));
    U b = Load<U>(base + i * sizeof(U));
    if constexpr (kFloat) { a = ToOrdered(a); b = ToOrdered(b); }
    Store<U>(out + i * sizeof(U), ZigZag(static_cast<U>(a - b)));
  }
}

template <typename U, bool kFloat>
void Inverse(const uint8_t* deltas, const uint8_t* base, size_t n, uint8_t* out) {
  for (size_t i = 0; i < n; ++i) {
    U d = UnZigZag(Load<U>(deltas + i * sizeof(U)));
    U b = Load<U>(base + i * sizeof(U));
    if constexpr (kFloat) {
      Store<U>(out + i * sizeof(U), FromOrdered(static_cast<U>(ToOrdered(b) + d)));
    } else {
      Store<U>(out + i * sizeof(U), static_cast<U>(b + d));
    }
  }
}

template <bool kFloat>
void ForwardW(size_t width, const uint8_t* raw, const uint8_t* base, size_t n, uint8_t* out) {
  switch (width) {
    case 1: return Forward<uint8_t, kFloat>(raw, base, n, out);
    case 2: return Forward<uint16_t, kFloat>(raw, base, n, out);
    case 4: return Forward<uint32_t, kFloat>(raw, base, n, out);
    default: return Forward<uint64_t, kFloat>(raw, base, n, out);
  }
}
template <bool kFloat>
void InverseW(size_t width, const uint8_t* d, const uint8_t* base, size_t n, uint8_t* out) {
  switch (width) {
    case 1: return Inverse<uint8_t, kFloat>(d, base, n, out);
    case 2: return Inverse<uint16_t, kFloat>(d, base, n, out);
    case 4: return Inverse<uint32_t, kFloat>(d, base, n, out);
    default: return Inverse<uint64_t, kFloat>(d, base, n, out);
  }
}

}  // namespace

void OrderedDeltaForward(Dtype dtype, const uint8_t* raw, const uint8_t* base, size_t n,
                         uint8_t* deltas) {
  const DtypeInfo& info = GetDtypeInfo(dtype);
  if (info.is_float) ForwardW<true>(info.width_bytes, raw, base, n, deltas);
  else ForwardW<false>(info.width_bytes, raw, base, n, deltas);
}

void OrderedDeltaInverse(Dtype dtype, const uint8_t* deltas, const uint8_t* base, size_t n,
                         uint8_t* raw) {
  const DtypeInfo& info = GetDtypeInfo(dtype);
  if (info.is_float) InverseW<true>(info.width_bytes, deltas, base, n, raw);
  else InverseW<false>(info.width_bytes, deltas, base, n, raw);
}

}  // namespace mvc
