// codec/internal/rans_stream.h: order-0 rANS for skewed planes (docs/format.md,
// "rANS stream", plane mode 4).
//
// Huffman cannot spend less than one bit on a symbol; the byte planes of a delta are
// mostly zero, where rANS (12-bit frequencies, 32-bit state, byte-wise output) gets
// close to the entropy. Same block layout as the entropy stream: independent blocks,
// four sub-streams each, decoded interleaved.
//
//   RansPlan plan = PlanRansStream(syms, n);
//   if (plan.encoded_bytes < n) WriteRansStream(plan, syms, n, &out);
//   MVC_RETURN_IF_ERROR(DecodeRansStream(in, n, syms_out));
#ifndef MVC_CODEC_INTERNAL_RANS_STREAM_H_
#define MVC_CODEC_INTERNAL_RANS_STREAM_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/bytes.h"
#include "core/result.h"

namespace mvc::codec_internal {

inline constexpr int kRansScaleBits = 12;

struct RansPlan {
  std::array<uint16_t, 256> freq{};  // normalized: sums to 2^kRansScaleBits
  size_t encoded_bytes = 0;          // an upper bound on what WriteRansStream appends
};

// `counts`, when given, is the ByteHistogram of sym (counted once for several coders).
// REQUIRES: n > 0.
RansPlan PlanRansStream(const uint8_t* sym, size_t n, const uint32_t* counts = nullptr);

void WriteRansStream(const RansPlan& plan, const uint8_t* sym, size_t n, Bytes* out);

// Errors: kCorruption naming the problem (frequencies, offsets, overrun, final state).
Status DecodeRansStream(ByteView in, size_t n, uint8_t* out);

}  // namespace mvc::codec_internal

#endif  // MVC_CODEC_INTERNAL_RANS_STREAM_H_
