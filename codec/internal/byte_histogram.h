// codec/internal/byte_histogram.h: the symbol counts of a byte plane.
//
//   uint32_t count[256];
//   ByteHistogram(plane, n, count);
#ifndef MVC_CODEC_INTERNAL_BYTE_HISTOGRAM_H_
#define MVC_CODEC_INTERNAL_BYTE_HISTOGRAM_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace mvc::codec_internal {

// Sets count[s] to the number of bytes s among the n at p (REQUIRES: n < 2^32). Four
// histograms, summed at the end: with one, a run of equal bytes (a delta's mostly
// zero planes) makes every increment wait on the store of the one before.
inline void ByteHistogram(const uint8_t* p, size_t n, uint32_t count[256]) {
  uint32_t h[4][256];
  std::memset(h, 0, sizeof(h));
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    ++h[0][p[i]];
    ++h[1][p[i + 1]];
    ++h[2][p[i + 2]];
    ++h[3][p[i + 3]];
  }
  for (; i < n; ++i) ++h[0][p[i]];
  for (int s = 0; s < 256; ++s) count[s] = h[0][s] + h[1][s] + h[2][s] + h[3][s];
}

}  // namespace mvc::codec_internal

#endif  // MVC_CODEC_INTERNAL_BYTE_HISTOGRAM_H_
