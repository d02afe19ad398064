#include "codec/byte_planes.h"

#include <cstring>

#include "core/status.h"

namespace mvc {
namespace {

// Whole-word loads and stores with shifts: the compiler keeps these in registers and
// vectorizes the width-2 and width-4 loops; the generic byte loop is 3-5x slower.
inline uint16_t Load16(const uint8_t* p) { uint16_t v; std::memcpy(&v, p, 2); return v; }
inline uint32_t Load32(const uint8_t* p) { uint32_t v; std::memcpy(&v, p, 4); return v; }
inline uint64_t Load64(const uint8_t* p) { uint64_t v; std::memcpy(&v, p, 8); return v; }

}  // namespace

void SplitBytePlanes(const uint8_t* src, size_t n, size_t width, uint8_t* planes) {
  switch (width) {
    case 1:
      if (n) std::memcpy(planes, src, n);
      return;
    case 2: {
      uint8_t* p0 = planes;
      uint8_t* p1 = planes + n;
      for (size_t i = 0; i < n; ++i) {
        uint16_t v = Load16(src + 2 * i);
        p0[i] = static_cast<uint8_t>(v);
        p1[i] = static_cast<uint8_t>(v >> 8);
      }
      return;
    }
    case 4: {
      uint8_t* p0 = planes;
      uint8_t* p1 = planes + n;
      uint8_t* p2 = planes + 2 * n;
      uint8_t* p3 = planes + 3 * n;
      for (size_t i = 0; i < n; ++i) {
        uint32_t v = Load32(src + 4 * i);
        p0[i] = static_cast<uint8_t>(v);
        p1[i] = static_cast<uint8_t>(v >> 8);
        p2[i] = static_cast<uint8_t>(v >> 16);
        p3[i] = static_cast<uint8_t>(v >> 24);
      }
      return;
    }
    case 8: {
      for (size_t i = 0; i < n; ++i) {
        uint64_t v = Load64(src + 8 * i);
        for (size_t k = 0; k < 8; ++k) planes[k * n + i] = static_cast<uint8_t>(v >> (8 * k));
      }
      return;
    }
    default:
      MVC_CHECK(false && "byte plane width must be 1, 2, 4 or 8");
  }
}

void MergeBytePlanes(const uint8_t* planes, size_t n, size_t width, uint8_t* dst) {
  switch (width) {
    case 1:
      if (n) std::memcpy(dst, planes, n);
      return;
    case 2: {
      const uint8_t* p0 = planes;
      const uint8_t* p1 = planes + n;
      for (size_t i = 0; i < n; ++i) {
        uint16_t v = static_cast<uint16_t>(p0[i] | (p1[i] << 8));
        std::memcpy(dst + 2 * i, &v, 2);
      }
      return;
    }
    case 4: {
      const uint8_t* p0 = planes;
      const uint8_t* p1 = planes + n;
      const uint8_t* p2 = planes + 2 * n;
      const uint8_t* p3 = planes + 3 * n;
      for (size_t i = 0; i < n; ++i) {
        uint32_t v = uint32_t{p0[i]} | (uint32_t{p1[i]} << 8) | (uint32_t{p2[i]} << 16) |
                     (uint32_t{p3[i]} << 24);
        std::memcpy(dst + 4 * i, &v, 4);
      }
      return;
    }
    case 8: {
      for (size_t i = 0; i < n; ++i) {
        uint64_t v = 0;
        for (size_t k = 0; k < 8; ++k) v |= uint64_t{planes[k * n + i]} << (8 * k);
        std::memcpy(dst + 8 * i, &v, 8);
      }
      return;
    }
    default:
      MVC_CHECK(false && "byte plane width must be 1, 2, 4 or 8");
  }
}

}  // namespace mvc
