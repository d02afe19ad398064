// codec/internal/huffman_blocks.h: the block layout of the Huffman-coded streams
// (plane mode 3 and codec 8's joint stream; docs/format.md, "Entropy stream", blocks):
// u32 Block_Symbols, a u32 end offset per block, then per block three u32 sub-stream
// sizes and four LSB-first bitstreams, sub-stream j holding the block's j-th quarter;
// or, in the single form that streams of fewer than kSingleStreamBelow symbols use, one
// bitstream of all the symbols and nothing else (four sub-streams in blocks buy decode
// speed and parallelism, which matter little there, for 20 bytes and up to 3 padding
// bytes; small tensors have several such streams each).
//
//   WriteHuffmanBlocks(n, 18, n < kSingleStreamBelow, [&](BitWriter& w, size_t lo, size_t hi) { ... }, &out);
//
//   HuffmanBlockReader blocks;
//   MVC_RETURN_IF_ERROR(blocks.Open(in, pos, n, single));
//   for (size_t b = 0; b < blocks.num_blocks(); ++b) {
//     SubStreams s;
//     MVC_RETURN_IF_ERROR(blocks.Next(&s));  ... decode s.r[j] into [s.lo[j], s.hi[j])
//   }
//   MVC_RETURN_IF_ERROR(blocks.Finish());
#ifndef MVC_CODEC_INTERNAL_HUFFMAN_BLOCKS_H_
#define MVC_CODEC_INTERNAL_HUFFMAN_BLOCKS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "codec/internal/huffman_code.h"
#include "core/bytes.h"
#include "core/endian_coding.h"
#include "core/result.h"

namespace mvc::codec_internal {

// docs/format.md, "Entropy stream": the block size encoders write, and the largest read.
inline constexpr uint32_t kEntropyBlockSymbols = 1u << 16;
inline constexpr uint32_t kMaxEntropyBlockSymbols = 1u << 22;
// Streams of fewer symbols are written in the single form.
inline constexpr size_t kSingleStreamBelow = 4096;

// Appends Block_Symbols, the block table and the blocks of n symbols. code_range(w,
// lo, hi) writes symbols [lo, hi) of one sub-stream to w, flushing at least every 56
// bits; max_bits bounds the bits of one symbol.
// `single`: one bitstream per block, no sub-stream sizes (the single form).
template <typename CodeRange>
void WriteHuffmanBlocks(size_t n, unsigned max_bits, bool single, CodeRange code_range, Bytes* out) {
  if (single) {
    const size_t at = out->size();
    out->resize(at + n * max_bits / 8 + 16);
    BitWriter w{out->data() + at};
    code_range(w, 0, n);
    out->resize(static_cast<size_t>(w.Finish() - out->data()));
    return;
  }
  PutFixed32(out, kEntropyBlockSymbols);
  const size_t num_blocks = (n + kEntropyBlockSymbols - 1) / kEntropyBlockSymbols;
  const size_t table_pos = out->size();
  out->resize(table_pos + 4 * num_blocks);
  const size_t data_pos = out->size();
  for (size_t b = 0; b < num_blocks; ++b) {
    const size_t first = b * kEntropyBlockSymbols;
    const size_t m = std::min<size_t>(kEntropyBlockSymbols, n - first);
    const size_t q = (m + 3) / 4;
    const size_t block_pos = out->size();
    out->resize(block_pos + 12 + m * max_bits / 8 + 4 * 16);
    uint8_t* p = out->data() + block_pos + 12;
    for (int j = 0; j < 4; ++j) {
      BitWriter w{p};
      code_range(w, first + std::min(m, j * q), first + std::min(m, (j + 1) * q));
      uint8_t* e = w.Finish();
      if (j < 3) EncodeFixed32(out->data() + block_pos + 4 * j, static_cast<uint32_t>(e - p));
      p = e;
    }
    out->resize(p - out->data());
    EncodeFixed32(out->data() + table_pos + 4 * b, static_cast<uint32_t>(out->size() - data_pos));
  }
}

// One block's four sub-streams: reader j decodes symbols [lo[j], hi[j]).
struct SubStreams {
  BitReader r[4];
  size_t lo[4], hi[4];
};

// Walks the block table of a stream, checking every offset and size.
class HuffmanBlockReader {
 public:
  // Reads Block_Symbols and the block table at in[pos..); `single`: the single form
  // (one block whose sub-stream 0 is all of in[pos..), sub-streams 1-3 empty).
  // Errors: kCorruption.
  Status Open(ByteView in, size_t pos, size_t n, bool single);
  size_t num_blocks() const { return num_blocks_; }
  // The next block's sub-streams. Errors: kCorruption naming the block.
  Status Next(SubStreams* s);
  // Errors: kCorruption when bytes follow the last block; in the single form, when
  // the bitstream is longer than the `single_used_bytes` its symbols took.
  Status Finish(size_t single_used_bytes = 0) const;

 private:
  size_t n_ = 0, block_symbols_ = 0, num_blocks_ = 0, next_ = 0, prev_end_ = 0;
  bool single_ = false;
  const uint8_t* offsets_ = nullptr;
  const uint8_t* data_ = nullptr;
  size_t data_size_ = 0;
};

}  // namespace mvc::codec_internal

#endif  // MVC_CODEC_INTERNAL_HUFFMAN_BLOCKS_H_
