// codec/internal/joint_stream.h: the joint exponent-mantissa stream of codec 8
// (docs/format.md, "Codec 8: FloatJoint").
//
// Each element's exponent and the top K bits of its mantissa form one symbol of a
// single Huffman code (2^(E+K) symbols); its sign and remaining high mantissa bits
// go beside the code as R = h + 1 - K raw bits (before it in the bitstream, so neither
// side shifts them by a variable amount). Coding the pair as one symbol costs what
// coding the mantissa bits in the exponent's context costs (H(e, m) = H(e) + H(m | e)),
// with one table and one lookup per element instead of two, and a larger alphabet
// makes Huffman's redundancy on the skewed exponents smaller.
//
// Elements travel as heads: the top 1 + E + h bits of each float (sign, exponent, the
// mantissa's high h bits), right-aligned in a little-endian u16. A BF16 element is its
// own head; an F32 head is its top half.
//
//   Bytes out;
//   WriteJointStream(heads, n, {8, 7, 3}, &out);
//   MVC_RETURN_IF_ERROR(DecodeJointStream(out, n, 8, 7, heads_out));
#ifndef MVC_CODEC_INTERNAL_JOINT_STREAM_H_
#define MVC_CODEC_INTERNAL_JOINT_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace mvc::codec_internal {

struct JointShape {
  int exp_bits;   // E: 1..8
  int high_bits;  // h: mantissa bits in the head, 1..7, or 10 for whole F16 elements
  int joined;     // K: top mantissa bits joined to the exponent, 1..h, E + K <= 11, h + 1 - K <= 7
                  // (<= 10 for whole F16 heads)
};

// The largest K an encoder tries: min(3, h, 11 - E); for whole F16 heads (h = 10) 11 - E.
int DefaultJoinedBits(int exp_bits, int high_bits);

// Whether a stream's header says its heads are whole F16 elements (h = 10; docs/format.md,
// "Joint stream", bit 7 of Joined_Bits). False for a stream too short to say.
bool JointStreamHasWholeHeads(ByteView in);

// Appends the stream of the n heads at `heads` (2n bytes). REQUIRES: a valid shape,
// heads below 2^(1 + E + h).
void WriteJointStream(const uint8_t* heads, size_t n, const JointShape& shape, Bytes* out);

// WriteJointStream with the K in 1..DefaultJoinedBits(E, h) whose stream is
// smallest, found from one count of the symbols (a symbol of K - 1 bits is one of K bits
// shifted right) with exact length-limited code lengths, raw bits and table size,
// pricing K upwards from the smallest while the stream shrinks (the sizes have one
// minimum). Fewer joined bits win on small chunks (a smaller table) and on tensors whose
// exponents spread so wide that the 11-bit length limit costs the large alphabet more
// than the joined mantissa bits gain. Returns the K written.
int WriteJointStreamBestJoined(const uint8_t* heads, size_t n, int exp_bits, int high_bits, Bytes* out);

// The choice WriteJointStreamBestJoined makes, without writing: the shape (its K), the
// code lengths, and the bits that differ between choices (codes, raw fields, table).
struct JointPlan {
  JointShape shape;
  std::vector<uint8_t> lengths;
  uint64_t bits;
};
JointPlan PlanJointStream(const uint8_t* heads, size_t n, int exp_bits, int high_bits);
// Writes the stream of a plan made for the same heads.
void WriteJointStreamWithPlan(const uint8_t* heads, size_t n, const JointPlan& plan, Bytes* out);

// Decodes a stream spanning all of `in` into n heads at heads_out (2n bytes); high_bits
// is 10 exactly when JointStreamHasWholeHeads(in) (the caller decides the layout).
// Errors: kCorruption naming the problem (a field that does not match the dtype, the
// whole-heads flag against high_bits, a bad table, block offsets, a sub-stream that
// ends early, trailing bytes).
// block_done, when set, is called with each block's range of heads [lo, hi) once they
// are decoded (in order; all of [0, n) in the single form): while they are in cache.
using BlockDone = std::function<void(size_t lo, size_t hi)>;
Status DecodeJointStream(ByteView in, size_t n, int exp_bits, int high_bits, uint8_t* heads_out,
                         const BlockDone& block_done = {});

}  // namespace mvc::codec_internal

#endif  // MVC_CODEC_INTERNAL_JOINT_STREAM_H_
