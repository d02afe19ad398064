// codec/chunk_codec.h: encode and decode one chunk frame, the body of a chunk object.
//
// This is the codec module's one entry point (docs/format.md, "Chunk frame"). A chunk
// is at most kChunkBytes of a tensor's raw bytes; EncodeChunk estimates the size of
// every codec it is allowed to use (with a base chunk: the delta too) on a sample,
// encodes the predicted winner and keeps the smallest frame, kRaw when nothing beats
// raw. Pure functions: no I/O, no state, safe from any thread.
// The caller verifies the SHA-256 of the decoded raw bytes (a corrupt frame may decode
// to wrong bytes; it never reads or writes out of bounds).
//
//   MVC_ASSIGN_OR_RETURN(Bytes frame, EncodeChunk(Dtype::kBF16, raw, nullptr, {}));
//   MVC_ASSIGN_OR_RETURN(ChunkFrameView view, ParseChunkFrame(frame));
//   Bytes out(view.raw_size);
//   MVC_RETURN_IF_ERROR(DecodeChunk(view, /*base_raw=*/{}, out));
#ifndef MVC_CODEC_CHUNK_CODEC_H_
#define MVC_CODEC_CHUNK_CODEC_H_

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "codec/format.h"
#include "core/bytes.h"
#include "core/dtype.h"
#include "core/object_id.h"
#include "core/result.h"

namespace mvc {

struct EncodeOptions {
  int zstd_level = 3;       // for the zstd-based codecs
  bool allow_delta = true;  // when false, `base` is ignored
  // When set, only this codec (and kRaw as the fallback for empty chunks) is tried:
  // for tests and benchmarks. A delta codec without a base is kInvalidArgument.
  std::optional<CodecId> force_codec;
  // When false (the default), chunks of 64 KiB and more encode only the candidate that
  // cheap estimates on a sample predict to be smallest (and any within 1% of it);
  // true encodes every candidate: for benchmarks that check the estimates.
  bool exhaustive = false;
};

// A base chunk for delta codecs: the id of its chunk object (stored in the frame) and
// its raw (decoded) bytes. Borrowed for the duration of the call.
struct ChunkBase {
  ObjectId id;
  ByteView raw;
};

// Where a chunk lies in its tensor: the tensor's shape and the index of the chunk's
// first element. Codec 9 needs it to see rows and columns; without a shape (the
// default) codec 9 is not tried. Borrowed for the duration of the call.
struct ChunkPlace {
  std::span<const uint64_t> shape;
  uint64_t first_element = 0;
};

// Encodes `raw` (one chunk of a tensor of `dtype`) into a chunk frame. Without
// force_codec the candidates are kBytePlanesZstd, kFloatFields and kFloatJoint (float
// dtypes), kFloatScaled (with a place whose shape has rows and columns) and, with a
// base and allow_delta, kOrderedDeltaEntropy (a superset of kOrderedDeltaZstd's
// plane modes); it returns the smallest frame it encoded, kRaw when none beats raw.
// Which candidates it encodes: see EncodeOptions::exhaustive.
// REQUIRES nothing of the inputs; checks them:
// Errors: kInvalidArgument when raw.size() > kChunkBytes, is not a multiple of the
// dtype's width, base->raw.size() != raw.size(), or the place does not hold the chunk
// (product of the shape < first_element + elements); kInternal when zstd fails.
Result<Bytes> EncodeChunk(Dtype dtype, ByteView raw, const ChunkBase* base,
                          const EncodeOptions& options, const ChunkPlace& place = {});

// A parsed chunk frame header; `payload` points into the frame passed to
// ParseChunkFrame, which must outlive the view.
struct ChunkFrameView {
  CodecId codec;
  Dtype dtype;
  uint64_t raw_size;
  std::optional<ObjectId> base_id;
  ByteView payload;
};

// Parses and validates a frame's header: version, codec id (known, not reserved),
// dtype code, reserved flag bits zero, raw_size <= kChunkBytes and a multiple of the
// width, base id present iff the codec is a delta, and the kRaw payload length.
// Errors: kUnsupportedVersion "chunk frame version N (this build reads 1)";
// kCorruption "chunk frame: <problem>".
Result<ChunkFrameView> ParseChunkFrame(ByteView frame);

// Decodes a parsed frame into `out`.
// REQUIRES: out.size() == frame.raw_size (else kInvalidArgument); base_raw is the raw
// bytes of the base chunk (size raw_size) iff frame.base_id is set, else empty (else
// kInvalidArgument).
// Errors: kCorruption naming the problem when the payload is malformed; `out` is
// then unspecified. A frame that passes may still decode to wrong bytes after
// corruption: the caller's hash check catches that.
Status DecodeChunk(const ChunkFrameView& frame, ByteView base_raw, std::span<uint8_t> out);

// ParseChunkFrame + DecodeChunk into a fresh buffer of raw_size bytes.
Result<Bytes> DecodeChunkToBytes(ByteView frame, ByteView base_raw);

}  // namespace mvc

#endif  // MVC_CODEC_CHUNK_CODEC_H_
