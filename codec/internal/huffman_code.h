// codec/internal/huffman_code.h: the length-limited canonical Huffman code and the
// LSB-first bit I/O shared by the entropy stream (plane mode 3) and the joint stream
// of codec 8 (docs/format.md, "Entropy stream" and "Codec 8").
//
//   uint8_t len[256];
//   BuildLengths(freq, 256, len);            // lengths <= kMaxCodeBits, 15 = sole symbol
//   uint16_t code[256];
//   BuildCodes(len, 256, code);              // bit-reversed for the LSB-first writer
//   MVC_RETURN_IF_ERROR(CheckCodeLengths(len, 256, &sole));
#ifndef MVC_CODEC_INTERNAL_HUFFMAN_CODE_H_
#define MVC_CODEC_INTERNAL_HUFFMAN_CODE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/result.h"

namespace mvc::codec_internal {

// docs/format.md, "Entropy stream": the longest code, and the largest alphabet.
inline constexpr int kMaxCodeBits = 11;
inline constexpr int kMaxHuffmanSymbols = 2048;
inline constexpr uint8_t kSoleSymbol = 15;  // length nibble: the only symbol, coded in 0 bits

inline unsigned CodeLen(uint8_t nibble) { return nibble == kSoleSymbol ? 0 : nibble; }

// Huffman code lengths for freq[0..a) (a <= kMaxHuffmanSymbols), limited to
// kMaxCodeBits by halving the frequencies until the tree is shallow enough. Ties
// resolve by symbol value, so the lengths are a function of the frequencies alone.
void BuildLengths(const uint32_t* freq, int a, uint8_t* len);

// Canonical codes for len[0..a), bit-reversed for an LSB-first bit stream.
void BuildCodes(const uint8_t* len, int a, uint16_t* code);

// Checks that len[0..a) describes a decodable code: lengths <= kMaxCodeBits, a Kraft
// sum <= 1, a sole-symbol marker only alone. Sets *sole to that symbol, else -1.
// Errors: kCorruption naming the problem.
Status CheckCodeLengths(const uint8_t* len, int a, int* sole);

struct BitWriter {
  uint8_t* p;
  uint64_t acc = 0;
  unsigned bits = 0;
  // REQUIRES: 8 writable bytes at p beyond the final length.
  inline void Put(uint32_t code, unsigned len) {
    acc |= uint64_t{code} << bits;
    bits += len;
  }
  // REQUIRES: bits < 64 before the call (at most 7 pending + the puts since the last).
  inline void Flush() {
    std::memcpy(p, &acc, 8);
    p += bits >> 3;
    acc >>= bits & ~7u;
    bits &= 7;
  }
  uint8_t* Finish() {
    Flush();
    if (bits) { ++p; }
    return p;
  }
};

// LSB-first reader (the fast loops inline its refill as MVC_HUFFMAN_REFILL); the safe
// refill reads past `end` as zeros and counts how far it went.
struct BitReader {
  const uint8_t* p;
  const uint8_t* end;
  const uint8_t* begin;
  uint64_t buf = 0;
  unsigned cnt = 0;
  size_t virtual_bytes = 0;  // bytes consumed past end (zero padding)

  inline void RefillSafe() {
    while (cnt <= 56) {
      uint64_t byte = 0;
      if (p < end) byte = *p++; else ++virtual_bytes;
      buf |= byte << cnt;
      cnt += 8;
    }
  }
  // Bits consumed beyond the stream's end: corruption.
  bool Overran() const { return virtual_bytes * 8 > cnt; }
  // Bytes of the stream the consumed bits reach into (the last one partly).
  size_t UsedBytes() const {
    const size_t loaded_bits = 8 * (static_cast<size_t>(p - begin) + virtual_bytes);
    return (loaded_bits - cnt + 7) / 8;
  }
};

// Refills a reader at p (its stream ending at end) can take without bounds checks:
// each needs 8 readable bytes and advances at most 7.
inline size_t SafeRefills(const uint8_t* p, const uint8_t* end) {
  const size_t room = static_cast<size_t>(end - p);
  return room < 8 ? 0 : (room - 8) / 7 + 1;
}
inline size_t SafeRefills(const BitReader& r) { return SafeRefills(r.p, r.end); }

// The fast decoders' refill of a reader held in locals (bit buffer b, count c, byte
// pointer p): at least 56 valid bits, with no bounds check (callers bound the steps
// by SafeRefills).
#define MVC_HUFFMAN_REFILL(b, c, p) \
  do { uint64_t v_; std::memcpy(&v_, p, 8); b |= v_ << c; p += (63 - c) >> 3; c |= 56; } while (0)

}  // namespace mvc::codec_internal

#endif  // MVC_CODEC_INTERNAL_HUFFMAN_CODE_H_
