// codec/internal/entropy_stream.h: the entropy coder of codecs 3 and 6
// (docs/format.md, "Entropy stream").
//
// A stream of n symbols (each < 2^alphabet_bits <= 256), optionally coded in the
// context of a second, already known symbol array (the exponent, for the mantissa's
// high bits): one length-limited canonical Huffman table per frequent context value
// and a shared table for the rare ones. Symbols are cut into independently decodable
// blocks with an offset table; each block is four interleaved bitstreams so that the
// decoder keeps four table lookups in flight.
//
//   EntropyPlan plan = PlanEntropyStream(syms, ctx, n, 8, 8);
//   if (plan.encoded_bytes < n) WriteEntropyStream(plan, syms, ctx, n, &out);
//   MVC_RETURN_IF_ERROR(DecodeEntropyStream(in, ctx, n, 8, 8, syms_out));
#ifndef MVC_CODEC_INTERNAL_ENTROPY_STREAM_H_
#define MVC_CODEC_INTERNAL_ENTROPY_STREAM_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "codec/internal/huffman_blocks.h"
#include "codec/internal/huffman_code.h"

namespace mvc::codec_internal {

struct EntropyPlan {
  int alphabet_bits = 8;
  int ctx_bits = 0;                    // 0: no context
  std::vector<uint8_t> ctx_to_table;   // 2^ctx_bits entries when ctx_bits > 0
  std::vector<std::array<uint8_t, 256>> lengths;  // per table; 0 absent, 15 sole symbol
  size_t encoded_bytes = 0;            // exact size WriteEntropyStream will append
};

// Chooses tables for `n` symbols (and their contexts, or nullptr with ctx_bits 0).
// `sym_counts`, when given for symbols without context, is their ByteHistogram (a
// caller planning several coders of one plane counts it once).
// REQUIRES: n > 0; every sym < 2^alphabet_bits, every ctx < 2^ctx_bits.
EntropyPlan PlanEntropyStream(const uint8_t* sym, const uint8_t* ctx, size_t n, int alphabet_bits,
                              int ctx_bits, const uint32_t* sym_counts = nullptr);

// Appends exactly plan.encoded_bytes to `out`. REQUIRES: the same inputs as the plan.
void WriteEntropyStream(const EntropyPlan& plan, const uint8_t* sym, const uint8_t* ctx, size_t n,
                        Bytes* out);

// Decodes a stream that spans all of `in` into out[0..n). `ctx` (n symbols, each
// < 2^ctx_bits) is required iff ctx_bits > 0.
// Errors: kCorruption naming the problem (bad table, offsets, overrun bitstream).
Status DecodeEntropyStream(ByteView in, const uint8_t* ctx, size_t n, int alphabet_bits,
                           int ctx_bits, uint8_t* out);

}  // namespace mvc::codec_internal

#endif  // MVC_CODEC_INTERNAL_ENTROPY_STREAM_H_
