// codec/format.h: the numbers of the chunk frame format (docs/format.md, "Chunk frame").
//
// Every chunk object's body is a chunk frame: a fixed header naming the codec, the
// dtype, the raw size and (for deltas) the base chunk, then the codec's payload. The
// values below are stored on disk: never renumber, only add.
//
//   Byte 0      frame version (kChunkFrameVersion)
//   Byte 1      codec id (CodecId)
//   Byte 2      dtype code (core/dtype.h)
//   Byte 3      flags: bit 0 = has base; bits 1..7 reserved, MUST be 0
//   Bytes 4-11  raw_size, u64 little-endian (<= kChunkBytes, a multiple of the width)
//   [32 bytes   base chunk id, only when flags bit 0 is set]
//   ...         codec payload (docs/format.md, "Codec payloads")
//
//   if (frame[1] == static_cast<uint8_t>(CodecId::kBytePlanesZstd)) ...
#ifndef MVC_CODEC_FORMAT_H_
#define MVC_CODEC_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mvc {

// docs/format.md, "Chunk frame": the only version this build reads and writes.
inline constexpr uint8_t kChunkFrameVersion = 1;

// docs/format.md, "Chunk frame": header sizes.
inline constexpr size_t kChunkFrameHeaderBytes = 12;
inline constexpr size_t kChunkFrameBaseIdBytes = 32;

// docs/format.md, "Chunk frame", flags byte.
inline constexpr uint8_t kChunkFlagHasBase = 0x01;
inline constexpr uint8_t kChunkFlagsReservedMask = 0xFE;

enum class CodecId : uint8_t {
  // "Codec 0: Raw": the payload is the raw bytes. No base.
  kRaw = 0,
  // "Codec 1: BytePlanesZstd": byte planes (plane k = byte k of every element), each
  // stored raw, as one constant byte, or as a zstd frame. No base.
  kBytePlanesZstd = 1,
  // "Codec 2: OrderedDeltaZstd": lossless aligned delta against a base chunk of the
  // same size; zigzagged differences of the monotone integer images, then as codec 1.
  kOrderedDeltaZstd = 2,
  // "Codec 3: FloatFields": sign+exponent and mantissa streams, entropy coded with the
  // mantissa's high bits in the context of the exponent, in independent blocks.
  kFloatFields = 3,
  // "Codec 4: Bfp" (near-lossless, opt-in; codec/bfp_encoding.h): block floating
  // point, one exponent per 32 elements, entropy-coded codes. No base.
  kBfp = 4,
  // "Codecs 5 and 7: AlignedGrid" (near-lossless, opt-in; codec/aligned_grid.h):
  // differences of grid codes against the base chunk's codes.
  kAlignedGridDelta = 5,
  // "Codec 6: OrderedDeltaEntropy": as codec 2, with planes that may also use the
  // Huffman coder of codec 3 or order-0 rANS.
  kOrderedDeltaEntropy = 6,
  // "Codecs 5 and 7: AlignedGrid": the grid codes of a chain's anchor. No base.
  kAlignedGridAnchor = 7,
  // "Codec 8: FloatJoint": codec 3's planes with the exponent and the mantissa's top
  // bits coded as one Huffman symbol (codec/float_joint.h). No base; not F64.
  kFloatJoint = 8,
  // "Codec 9: FloatScaled": codec 8 after shifting every exponent by an offset of its
  // row and/or column in the tensor's matrix view (codec/float_scaled.h). No base.
  kFloatScaled = 9,
};

// The stable display name of a codec id ("byte-planes-zstd"); "unknown" otherwise.
std::string_view CodecName(CodecId codec);

// docs/format.md, "Byte-plane container": the mode byte in front of every plane.
enum class PlaneMode : uint8_t {
  kRaw = 0,       // n bytes follow
  kConstant = 1,  // 1 byte follows: every byte of the plane has this value
  kZstd = 2,      // u32 LE size c, then a c-byte zstd frame of exactly n bytes
  kEntropy = 3,   // u32 LE size c, then a c-byte Huffman entropy stream (codecs 3, 6)
  kRans = 4,      // u32 LE size c, then a c-byte order-0 rANS stream (codec 6)
};

}  // namespace mvc

#endif  // MVC_CODEC_FORMAT_H_
