// codec/internal/code_length_coding.h: the compact form of a Huffman table's code
// lengths (docs/format.md, "Entropy stream", compact tables).
//
// A table lists one 4-bit code length per symbol of the alphabet. Exponent tables use
// a few dozen of 256 symbols and mantissa tables repeat lengths, so runs are coded:
//   0..11  one length (0: symbol absent)     15     the table's only symbol
//   12 x   x + 2 absent symbols (2..17)      13 x y  18 + x + 16 y absent (18..273)
//   14 x   the previous length x + 2 more times (2..17)
// Nibbles are packed low nibble first.
//
//   NibbleWriter w;
//   AppendCodeLengths(len, 256, &w);
//   ... NibbleReader r{bytes, num_nibbles};  ParseCodeLengths(&r, 256, len);
#ifndef MVC_CODEC_INTERNAL_CODE_LENGTH_CODING_H_
#define MVC_CODEC_INTERNAL_CODE_LENGTH_CODING_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/result.h"

namespace mvc::codec_internal {

struct NibbleWriter {
  std::vector<uint8_t> nibbles;  // one per element, packed by Pack()
  void Put(unsigned v) { nibbles.push_back(static_cast<uint8_t>(v & 15)); }
  // ceil(nibbles / 2) bytes, the last high nibble zero.
  std::vector<uint8_t> Pack() const;
};

struct NibbleReader {
  const uint8_t* bytes;
  size_t num_nibbles;
  size_t pos = 0;
  bool Next(unsigned* v) {
    if (pos >= num_nibbles) return false;
    *v = (bytes[pos / 2] >> (4 * (pos & 1))) & 15;
    ++pos;
    return true;
  }
};

// Appends the lengths of symbols 0..a-1 (each 0..11, or 15 for a sole symbol).
void AppendCodeLengths(const uint8_t* len, int a, NibbleWriter* out);

// The nibbles AppendCodeLengths would append.
size_t CodeLengthNibbles(const uint8_t* len, int a);

// Reads a lengths (a <= 256) into len[0..a). Errors: kCorruption naming the problem
// (a run past the alphabet, a repeat with nothing to repeat, a reserved value, the
// nibbles ending early). Values are not range-checked beyond the nibble codes.
Status ParseCodeLengths(NibbleReader* in, int a, uint8_t* len);

}  // namespace mvc::codec_internal

#endif  // MVC_CODEC_INTERNAL_CODE_LENGTH_CODING_H_
