#include "codec/internal/huffman_blocks.h"

#include <string>

namespace mvc::codec_internal {

Status HuffmanBlockReader::Open(ByteView in, size_t pos, size_t n, bool single) {
  single_ = single;
  if (single) {
    if (in.size() < pos) return Status::Corruption("truncated before the bitstream");
    if (n >= kSingleStreamBelow) {
      return Status::Corruption("single bitstream of " + std::to_string(n) + " symbols (limit " +
                                std::to_string(kSingleStreamBelow - 1) + ")");
    }
    n_ = n;
    block_symbols_ = kSingleStreamBelow;
    num_blocks_ = n > 0 ? 1 : 0;
    data_ = in.data() + pos;
    data_size_ = in.size() - pos;
    next_ = 0;
    prev_end_ = n > 0 ? 0 : data_size_;
    return Status::Ok();
  }
  if (in.size() < pos || in.size() - pos < 4) return Status::Corruption("truncated before the block size");
  const uint32_t bsz = DecodeFixed32(in.data() + pos);
  pos += 4;
  if (bsz == 0 || bsz > kMaxEntropyBlockSymbols) {
    return Status::Corruption("block size " + std::to_string(bsz) + " symbols");
  }
  n_ = n;
  block_symbols_ = bsz;
  num_blocks_ = (n + bsz - 1) / bsz;
  if ((in.size() - pos) / 4 < num_blocks_) return Status::Corruption("truncated block table");
  offsets_ = in.data() + pos;
  pos += 4 * num_blocks_;
  data_ = in.data() + pos;
  data_size_ = in.size() - pos;
  next_ = 0;
  prev_end_ = 0;
  return Status::Ok();
}

Status HuffmanBlockReader::Next(SubStreams* s) {
  const size_t b = next_++;
  const size_t end = single_ ? data_size_ : DecodeFixed32(offsets_ + 4 * b);
  if (end < prev_end_ || end > data_size_ || end - prev_end_ < (single_ ? 0 : 12)) {
    return Status::Corruption("block " + std::to_string(b) + " offset " + std::to_string(end) +
                              " out of order or range");
  }
  const uint8_t* blk = data_ + prev_end_;
  const size_t blk_size = end - prev_end_;
  prev_end_ = end;
  const size_t first = b * block_symbols_;
  const size_t m = std::min<size_t>(block_symbols_, n_ - first);
  if (single_) {
    for (int j = 0; j < 4; ++j) {
      s->r[j] = BitReader{};
      s->r[j].begin = s->r[j].p = j == 0 ? blk : blk + blk_size;
      s->r[j].end = blk + blk_size;
      s->lo[j] = j == 0 ? first : first + m;
      s->hi[j] = first + m;
    }
    return Status::Ok();
  }
  size_t sizes[4];
  size_t sum = 0;
  for (int j = 0; j < 3; ++j) { sizes[j] = DecodeFixed32(blk + 4 * j); sum += sizes[j]; }
  if (sum > blk_size - 12) {
    return Status::Corruption("block " + std::to_string(b) + " sub-stream sizes overrun the block");
  }
  sizes[3] = blk_size - 12 - sum;
  const size_t q = (m + 3) / 4;
  const uint8_t* p = blk + 12;
  for (int j = 0; j < 4; ++j) {
    s->r[j] = BitReader{};
    s->r[j].begin = s->r[j].p = p;
    s->r[j].end = p + sizes[j];
    p += sizes[j];
    s->lo[j] = first + std::min(m, j * q);
    s->hi[j] = first + std::min(m, (j + 1) * q);
  }
  return Status::Ok();
}

Status HuffmanBlockReader::Finish(size_t single_used_bytes) const {
  if (single_ && num_blocks_ > 0 && single_used_bytes < data_size_) {
    return Status::Corruption(std::to_string(data_size_ - single_used_bytes) + " trailing bytes after the bitstream");
  }
  if (prev_end_ != data_size_) {
    return Status::Corruption(std::to_string(data_size_ - prev_end_) + " trailing bytes after the last block");
  }
  return Status::Ok();
}

}  // namespace mvc::codec_internal
