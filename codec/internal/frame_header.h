// codec/internal/frame_header.h: the chunk frame header every codec writes
// (docs/format.md, "Chunk frame"; codec/format.h).
//
//   Bytes out = ChunkFrameHeader(CodecId::kBfp, Dtype::kF32, raw.size(), /*base_id=*/nullptr);
//   ... append the codec's payload to out ...
#ifndef MVC_CODEC_INTERNAL_FRAME_HEADER_H_
#define MVC_CODEC_INTERNAL_FRAME_HEADER_H_

#include <cstdint>

#include "codec/format.h"
#include "core/bytes.h"
#include "core/dtype.h"
#include "core/endian_coding.h"
#include "core/object_id.h"

namespace mvc::codec_internal {

// The 12-byte header, plus the 32-byte base id when base_id is set. Reserves room for
// a payload of half the raw size (a typical compressed chunk).
inline Bytes ChunkFrameHeader(CodecId codec, Dtype dtype, uint64_t raw_size,
                              const ObjectId* base_id) {
  Bytes out;
  out.reserve(kChunkFrameHeaderBytes + kChunkFrameBaseIdBytes + raw_size / 2);
  out.push_back(kChunkFrameVersion);
  out.push_back(static_cast<uint8_t>(codec));
  out.push_back(static_cast<uint8_t>(dtype));
  out.push_back(base_id ? kChunkFlagHasBase : 0);
  PutFixed64(&out, raw_size);
  if (base_id) PutBytes(&out, base_id->data(), ObjectId::kSize);
  return out;
}

}  // namespace mvc::codec_internal

#endif  // MVC_CODEC_INTERNAL_FRAME_HEADER_H_
