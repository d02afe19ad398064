#include "codec/chunk_codec.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "codec/aligned_grid.h"
#include "codec/bfp_encoding.h"
#include "codec/float_fields.h"
#include "codec/float_joint.h"
#include "codec/float_scaled.h"
#include "codec/internal/codec_estimate.h"
#include "codec/internal/frame_header.h"
#include "codec/internal/plane_container.h"
#include "codec/ordered_delta.h"
#include "core/chunking.h"
#include "core/endian_coding.h"

namespace mvc {
namespace {

using codec_internal::DecodePlanes;
using codec_internal::DecodePlaneSet;
using codec_internal::EncodePlaneSet;
using codec_internal::PlaneSpec;
using codec_internal::EncodePlanes;
using codec_internal::PlaneOptions;

bool IsDelta(CodecId c) {
  return c == CodecId::kOrderedDeltaZstd || c == CodecId::kOrderedDeltaEntropy ||
         c == CodecId::kAlignedGridDelta;
}

// docs/format.md, "Near-lossless codecs": the dtypes each may carry.
bool LossyCodecTakes(CodecId c, Dtype d) {
  const bool wide = d == Dtype::kF32 || d == Dtype::kF64;
  if (c == CodecId::kBfp) return wide || d == Dtype::kF16 || d == Dtype::kBF16;
  if (c == CodecId::kAlignedGridDelta || c == CodecId::kAlignedGridAnchor) return wide;
  return true;
}

// docs/format.md, "Codec 3": field planes are raw, constant or entropy coded.
constexpr PlaneOptions kFloatFieldModes{0, false, true};

void AppendFrameHeader(CodecId codec, Dtype dtype, uint64_t raw_size, const ObjectId* base_id, Bytes* out) {
  const Bytes header = codec_internal::ChunkFrameHeader(codec, dtype, raw_size, base_id);
  out->insert(out->end(), header.begin(), header.end());
}

// Appends the frame of `raw` in `codec` to *out (empty on entry); `scales` is codec 9's
// offsets (nullptr for the other codecs).
Status EncodeInto(CodecId codec, Dtype dtype, ByteView raw, const ChunkBase* base,
                  const EncodeOptions& options, const ExponentScales* scales, Bytes* out) {
  const size_t width = DtypeWidth(dtype);
  const size_t n = raw.size() / width;
  switch (codec) {
    case CodecId::kRaw: {
      AppendFrameHeader(codec, dtype, raw.size(), nullptr, out);
      PutBytes(out, raw.data(), raw.size());
      return Status::Ok();
    }
    case CodecId::kBytePlanesZstd: {
      AppendFrameHeader(codec, dtype, raw.size(), nullptr, out);
      return EncodePlanes(raw.data(), n, width, PlaneOptions{options.zstd_level, true, true, true}, out);
    }
    case CodecId::kFloatFields: {
      if (!GetDtypeInfo(dtype).is_float) {
        return Status::InvalidArgument("codec float-fields needs a float dtype, not " +
                                       std::string(DtypeName(dtype)));
      }
      const std::vector<PlaneSpec> specs = GetFloatFieldPlanes(dtype);
      uint8_t* buf = codec_internal::ThreadScratch(codec_internal::ScratchSlot::kFields, n * specs.size());
      std::vector<uint8_t*> planes(specs.size());
      for (size_t k = 0; k < specs.size(); ++k) planes[k] = buf + k * n;
      SplitFloatFields(dtype, raw.data(), n, planes.data());
      AppendFrameHeader(codec, dtype, raw.size(), nullptr, out);
      return EncodePlaneSet(std::vector<const uint8_t*>(planes.begin(), planes.end()), specs, n,
                            kFloatFieldModes, out);
    }
    case CodecId::kFloatJoint: {
      if (!FloatJointTakes(dtype)) {
        return Status::InvalidArgument("codec float-joint needs a float dtype of at most 8 exponent bits, not " +
                                       std::string(DtypeName(dtype)));
      }
      AppendFrameHeader(codec, dtype, raw.size(), nullptr, out);
      return EncodeFloatJointPayload(dtype, raw, out);
    }
    case CodecId::kFloatScaled: {
      if (!FloatJointTakes(dtype)) {
        return Status::InvalidArgument("codec float-scaled needs a float dtype of at most 8 exponent bits, not " +
                                       std::string(DtypeName(dtype)));
      }
      if (!scales) return Status::InvalidArgument("codec float-scaled needs a tensor shape with rows and columns");
      AppendFrameHeader(codec, dtype, raw.size(), nullptr, out);
      return EncodeFloatScaledPayload(dtype, raw, *scales, out);
    }
    case CodecId::kOrderedDeltaZstd:
    case CodecId::kOrderedDeltaEntropy: {
      uint8_t* deltas = codec_internal::ThreadScratch(codec_internal::ScratchSlot::kDeltas, raw.size());
      OrderedDeltaForward(dtype, raw.data(), base->raw.data(), n, deltas);
      AppendFrameHeader(codec, dtype, raw.size(), &base->id, out);
      return EncodePlanes(deltas, n, width,
                          PlaneOptions{options.zstd_level, true, codec == CodecId::kOrderedDeltaEntropy,
                                       codec == CodecId::kOrderedDeltaEntropy},
                          out);
    }
    default:
      return Status::InvalidArgument("codec " + std::to_string(static_cast<int>(codec)) +
                                     " cannot encode");
  }
}

// EncodeInto through a per-thread buffer that keeps its capacity from chunk to chunk:
// a fresh buffer per frame is page-faulted in and zero-filled as it grows (a fifth of
// the automatic choice's encode time on the BF16 checkpoint). The result is a copy of
// exactly the frame's bytes.
Result<Bytes> EncodeWith(CodecId codec, Dtype dtype, ByteView raw, const ChunkBase* base,
                         const EncodeOptions& options, const ExponentScales* scales = nullptr) {
  thread_local Bytes frame;
  frame.clear();
  MVC_RETURN_IF_ERROR(EncodeInto(codec, dtype, raw, base, options, scales, &frame));
  return Bytes(frame.begin(), frame.end());
}

// Chunks below this size try every candidate: estimating would cost about as much.
constexpr size_t kEstimateFromBytes = 64 * 1024;
// Candidates whose estimate is within this fraction of the best one are encoded too.
constexpr double kEstimateMargin = 0.01;

struct Candidate {
  CodecId codec;
  double estimate;
};

// Codec 9 decodes a pass slower than codec 8 (the exponents are shifted back): it is
// kept only when its frame is this much smaller than the best other frame.
constexpr double kScaledMinGain = 0.0005;
// Codec 8 is not encoded when codec 9's estimate is this much below its own: both
// estimates code the same sampled runs, so their ratio tracks the frames' (within
// 0.1% on the real models; the largest miss measured at or above this margin left
// codec 9 0.17% smaller, above kScaledMinGain).
constexpr double kJointBehindScaledMargin = 0.005;

// The candidates worth encoding, best estimate first (codec_internal/codec_estimate.h).
// `scaled` is codec 9's plan, when it has one.
std::vector<Candidate> EstimateCandidates(Dtype dtype, ByteView raw, const ChunkBase* base,
                                          int zstd_level, const std::optional<ScaledPlan>& scaled) {
  const codec_internal::ChunkSample sample =
      codec_internal::SampleChunk(dtype, raw, base ? base->raw : ByteView());
  std::vector<Candidate> all;
  all.push_back({CodecId::kBytePlanesZstd, codec_internal::EstimateBytePlanesZstd(sample, zstd_level)});
  if (FloatJointTakes(dtype)) {
    const codec_internal::FloatEstimates e = codec_internal::EstimateFloatFieldsAndJoint(sample);
    all.push_back({CodecId::kFloatFields, e.fields});
    all.push_back({CodecId::kFloatJoint, e.joint});
  } else if (GetDtypeInfo(dtype).is_float) {
    all.push_back({CodecId::kFloatFields, codec_internal::EstimateFloatFields(sample)});
  }
  if (scaled) all.push_back({CodecId::kFloatScaled, scaled->estimated_bytes});
  if (base) all.push_back({CodecId::kOrderedDeltaEntropy, codec_internal::EstimateOrderedDelta(sample)});
  std::sort(all.begin(), all.end(),
            [](const Candidate& a, const Candidate& b) { return a.estimate < b.estimate; });
  // Codec 8 decodes ~1.5x faster than codec 3 and codes the same fields: codec 3 is
  // tried only where its estimate is below codec 8's. (Trying it within 0.5% above, as
  // before codec 8 chose its joined bits by exact cost, now saves 0.03% of faceres-deep
  // and 0.001% of the F32 + AdamW checkpoint, at up to half the automatic encode speed.)
  double joint_estimate = -1, best_other_estimate = -1;
  for (const Candidate& c : all) {
    if (c.codec == CodecId::kFloatJoint) joint_estimate = c.estimate;
    // `all` is sorted: the first other candidate has the lowest other estimate.
    if (c.codec != CodecId::kBytePlanesZstd && best_other_estimate < 0) best_other_estimate = c.estimate;
  }
  // F16: codec 1 is tried only where its estimate is the lowest. That estimate (zstd
  // run on the sample) lands at or above its frame (median +0.3% on the F16 models'
  // large chunks), and where byte planes win by much (repeats, skewed low bytes) it is
  // the lowest; within the 1% margin codec 1 was encoded on 36 of the F16 models' 166
  // chunks of 64 KiB and more and won none (on one it was not tried on it would have
  // saved 0.02%). movenet-thunder's automatic choice encodes 1.4x faster without those
  // tries, its frames unchanged.
  const bool bytes_need_lowest = dtype == Dtype::kF16;
  std::vector<Candidate> chosen;
  for (const Candidate& c : all) {
    if (c.codec == CodecId::kBytePlanesZstd && bytes_need_lowest && best_other_estimate >= 0 &&
        c.estimate >= best_other_estimate) {
      continue;
    }
    if (c.codec == CodecId::kFloatFields && joint_estimate >= 0 && c.estimate >= joint_estimate) continue;
    if (c.codec == CodecId::kFloatScaled && c.estimate >= joint_estimate * (1 - kScaledMinGain)) continue;
    if (c.codec == CodecId::kFloatJoint && scaled &&
        c.estimate >= scaled->estimated_bytes * (1 + kJointBehindScaledMargin)) {
      continue;
    }
    if (c.estimate <= all[0].estimate * (1 + kEstimateMargin)) chosen.push_back(c);
  }
  return chosen;
}

}  // namespace

std::string_view CodecName(CodecId codec) {
  switch (codec) {
    case CodecId::kRaw: return "raw";
    case CodecId::kBytePlanesZstd: return "byte-planes-zstd";
    case CodecId::kOrderedDeltaZstd: return "ordered-delta-zstd";
    case CodecId::kFloatFields: return "float-fields";
    case CodecId::kOrderedDeltaEntropy: return "ordered-delta-entropy";
    case CodecId::kBfp: return "bfp";
    case CodecId::kAlignedGridDelta: return "aligned-grid-delta";
    case CodecId::kAlignedGridAnchor: return "aligned-grid-anchor";
    case CodecId::kFloatJoint: return "float-joint";
    case CodecId::kFloatScaled: return "float-scaled";
    default: return "unknown";
  }
}

Result<Bytes> EncodeChunk(Dtype dtype, ByteView raw, const ChunkBase* base,
                          const EncodeOptions& options, const ChunkPlace& place) {
  const size_t width = DtypeWidth(dtype);
  if (raw.size() > kChunkBytes) {
    return Status::InvalidArgument("chunk of " + std::to_string(raw.size()) +
                                   " bytes exceeds the chunk limit " + std::to_string(kChunkBytes));
  }
  if (raw.size() % width != 0) {
    return Status::InvalidArgument("chunk of " + std::to_string(raw.size()) +
                                   " bytes is not a whole number of " +
                                   std::string(DtypeName(dtype)) + " elements");
  }
  if (base && base->raw.size() != raw.size()) {
    return Status::InvalidArgument("base chunk has " + std::to_string(base->raw.size()) +
                                   " bytes, chunk has " + std::to_string(raw.size()));
  }
  if (!place.shape.empty()) {
    uint64_t elements = 1;
    for (uint64_t d : place.shape) elements = d != 0 && elements > UINT64_MAX / d ? UINT64_MAX : elements * d;
    const uint64_t n = raw.size() / width;
    if (place.first_element > elements || elements - place.first_element < n) {
      return Status::InvalidArgument("chunk of " + std::to_string(n) + " elements at element " +
                                     std::to_string(place.first_element) + " lies outside its tensor of " +
                                     std::to_string(elements));
    }
  }
  const ChunkBase* usable_base = options.allow_delta ? base : nullptr;
  // Codec 9's offsets, for float chunks of a tensor whose shape has rows and columns.
  auto scaled_choice = [&](bool forced) -> std::optional<ScaledPlan> {
    if (raw.empty() || !FloatJointTakes(dtype) || place.shape.empty()) return std::nullopt;
    return PlanFloatScaled(dtype, raw, place.shape, place.first_element, forced);
  };

  if (options.force_codec) {
    CodecId c = *options.force_codec;
    if (IsDelta(c) && !usable_base) {
      return Status::InvalidArgument(std::string("codec ") + std::string(CodecName(c)) +
                                     " needs a base chunk");
    }
    if (c == CodecId::kFloatScaled) {
      if (raw.empty()) return EncodeWith(CodecId::kRaw, dtype, raw, nullptr, options);
      const std::optional<ScaledPlan> scaled = scaled_choice(/*forced=*/true);
      return EncodeWith(c, dtype, raw, usable_base, options, scaled ? &scaled->scales : nullptr);
    }
    return EncodeWith(c, dtype, raw, usable_base, options);
  }

  if (raw.empty()) return EncodeWith(CodecId::kRaw, dtype, raw, nullptr, options);
  // Codec 6 may use every plane mode of codec 2, so it is never larger: 2 is no candidate.
  std::vector<Candidate> candidates;
  const bool is_float = GetDtypeInfo(dtype).is_float;
  const bool joint = FloatJointTakes(dtype);
  const int num_candidates = 1 + is_float + joint + (usable_base != nullptr);
  const std::optional<ScaledPlan> scaled = scaled_choice(/*forced=*/false);
  if (options.exhaustive || raw.size() < kEstimateFromBytes || num_candidates == 1) {
    candidates.push_back({CodecId::kBytePlanesZstd, 0});
    if (is_float) candidates.push_back({CodecId::kFloatFields, 0});
    if (joint) candidates.push_back({CodecId::kFloatJoint, 0});
    if (scaled) candidates.push_back({CodecId::kFloatScaled, 0});
    if (usable_base) candidates.push_back({CodecId::kOrderedDeltaEntropy, 0});
  } else {
    candidates = EstimateCandidates(dtype, raw, usable_base, options.zstd_level, scaled);
  }
  Bytes best, best_scaled;
  for (const Candidate& c : candidates) {
    const bool is_scaled = c.codec == CodecId::kFloatScaled;
    MVC_ASSIGN_OR_RETURN(Bytes frame, EncodeWith(c.codec, dtype, raw, usable_base, options,
                                                 is_scaled ? &scaled->scales : nullptr));
    Bytes& slot = is_scaled ? best_scaled : best;
    if (slot.empty() || frame.size() < slot.size()) slot = std::move(frame);
  }
  if (!best_scaled.empty() && (best.empty() || double(best_scaled.size()) < double(best.size()) * (1 - kScaledMinGain))) {
    best = std::move(best_scaled);
  }
  if (best.size() >= kChunkFrameHeaderBytes + raw.size()) {
    return EncodeWith(CodecId::kRaw, dtype, raw, nullptr, options);
  }
  return best;
}

Result<ChunkFrameView> ParseChunkFrame(ByteView frame) {
  if (frame.size() < kChunkFrameHeaderBytes) {
    return Status::Corruption("chunk frame: " + std::to_string(frame.size()) +
                              " bytes, shorter than its 12-byte header");
  }
  if (frame[0] != kChunkFrameVersion) {
    return Status::UnsupportedVersion("chunk frame version " + std::to_string(frame[0]) +
                                      " (this build reads 1)");
  }
  ChunkFrameView view;
  view.codec = static_cast<CodecId>(frame[1]);
  switch (view.codec) {
    case CodecId::kRaw:
    case CodecId::kBytePlanesZstd:
    case CodecId::kOrderedDeltaZstd:
    case CodecId::kOrderedDeltaEntropy:
      break;
    case CodecId::kFloatFields:
    case CodecId::kFloatJoint:
    case CodecId::kFloatScaled:
    case CodecId::kBfp:
    case CodecId::kAlignedGridDelta:
    case CodecId::kAlignedGridAnchor:
      break;
    default:
      return Status::Corruption("chunk frame: unknown codec id " + std::to_string(frame[1]));
  }
  Result<Dtype> dtype = DtypeFromCode(frame[2]);
  if (!dtype.ok()) return dtype.status().WithContext("chunk frame");
  view.dtype = *dtype;
  const uint8_t flags = frame[3];
  if (flags & kChunkFlagsReservedMask) {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "0x%02x", flags);
    return Status::Corruption(std::string("chunk frame: reserved flag bits set (flags ") + hex + ")");
  }
  view.raw_size = DecodeFixed64(frame.data() + 4);
  if (view.raw_size > kChunkBytes) {
    return Status::Corruption("chunk frame: raw size " + std::to_string(view.raw_size) +
                              " exceeds the chunk limit " + std::to_string(kChunkBytes));
  }
  if (view.raw_size % DtypeWidth(view.dtype) != 0) {
    return Status::Corruption("chunk frame: raw size " + std::to_string(view.raw_size) +
                              " is not a whole number of " + std::string(DtypeName(view.dtype)) +
                              " elements");
  }
  if (view.codec == CodecId::kFloatFields && !GetDtypeInfo(view.dtype).is_float) {
    return Status::Corruption("chunk frame: codec float-fields with non-float dtype " +
                              std::string(DtypeName(view.dtype)));
  }
  if ((view.codec == CodecId::kFloatJoint || view.codec == CodecId::kFloatScaled) && !FloatJointTakes(view.dtype)) {
    return Status::Corruption("chunk frame: codec " + std::string(CodecName(view.codec)) + " with dtype " +
                              std::string(DtypeName(view.dtype)));
  }
  if (!LossyCodecTakes(view.codec, view.dtype)) {
    return Status::Corruption("chunk frame: codec " + std::string(CodecName(view.codec)) +
                              " with dtype " + std::string(DtypeName(view.dtype)));
  }
  size_t pos = kChunkFrameHeaderBytes;
  const bool has_base = flags & kChunkFlagHasBase;
  if (has_base != IsDelta(view.codec)) {
    return Status::Corruption(std::string("chunk frame: codec ") +
                              std::string(CodecName(view.codec)) +
                              (has_base ? " does not take a base" : " requires a base id"));
  }
  if (has_base) {
    if (frame.size() - pos < kChunkFrameBaseIdBytes) {
      return Status::Corruption("chunk frame: truncated in the base chunk id");
    }
    view.base_id = ObjectId::FromBytes(frame.data() + pos);
    pos += kChunkFrameBaseIdBytes;
  }
  view.payload = frame.subspan(pos);
  if (view.codec == CodecId::kRaw && view.payload.size() != view.raw_size) {
    return Status::Corruption("chunk frame: raw payload of " + std::to_string(view.payload.size()) +
                              " bytes, expected " + std::to_string(view.raw_size));
  }
  return view;
}

Status DecodeChunk(const ChunkFrameView& frame, ByteView base_raw, std::span<uint8_t> out) {
  if (out.size() != frame.raw_size) {
    return Status::InvalidArgument("output buffer of " + std::to_string(out.size()) +
                                   " bytes for a chunk of " + std::to_string(frame.raw_size));
  }
  if (frame.base_id.has_value()) {
    if (base_raw.size() != frame.raw_size) {
      return Status::InvalidArgument("base chunk of " + std::to_string(base_raw.size()) +
                                     " bytes for a delta chunk of " +
                                     std::to_string(frame.raw_size));
    }
  } else if (!base_raw.empty()) {
    return Status::InvalidArgument("a base chunk was given for a frame without a base");
  }
  const size_t width = DtypeWidth(frame.dtype);
  const size_t n = frame.raw_size / width;
  switch (frame.codec) {
    case CodecId::kRaw:
      if (frame.payload.size() != frame.raw_size) {
        return Status::Corruption("raw chunk payload of " + std::to_string(frame.payload.size()) +
                                  " bytes, expected " + std::to_string(frame.raw_size));
      }
      if (!out.empty()) std::memcpy(out.data(), frame.payload.data(), out.size());
      return Status::Ok();
    case CodecId::kBytePlanesZstd:
      return DecodePlanes(frame.payload, n, width, PlaneOptions{0, true, true, true}, out.data())
          .WithContext("byte-planes-zstd");
    case CodecId::kFloatFields: {
      const std::vector<PlaneSpec> specs = GetFloatFieldPlanes(frame.dtype);
      // n is bounded by kChunkBytes via ParseChunkFrame.
      uint8_t* buf = codec_internal::ThreadScratch(codec_internal::ScratchSlot::kFields, n * specs.size());
      std::vector<uint8_t*> planes(specs.size());
      for (size_t k = 0; k < specs.size(); ++k) planes[k] = buf + k * n;
      MVC_RETURN_IF_ERROR_CTX(DecodePlaneSet(frame.payload, specs, n, kFloatFieldModes, planes),
                              "float-fields");
      MergeFloatFields(frame.dtype, planes.data(), n, out.data());
      return Status::Ok();
    }
    case CodecId::kFloatJoint:
      return DecodeFloatJointPayload(frame.dtype, frame.payload, out);
    case CodecId::kFloatScaled:
      return DecodeFloatScaledPayload(frame.dtype, frame.payload, out);
    case CodecId::kOrderedDeltaZstd:
    case CodecId::kOrderedDeltaEntropy: {
      const bool entropy = frame.codec == CodecId::kOrderedDeltaEntropy;
      MVC_RETURN_IF_ERROR_CTX(DecodePlanes(frame.payload, n, width, PlaneOptions{0, true, entropy, entropy}, out.data()),
                              std::string(CodecName(frame.codec)));
      OrderedDeltaInverse(frame.dtype, out.data(), base_raw.data(), n, out.data());
      return Status::Ok();
    }
    // Near-lossless codecs (codec/bfp_encoding.h, codec/aligned_grid.h): their
    // messages already name the codec.
    case CodecId::kBfp:
      return DecodeBfpPayload(frame.dtype, frame.payload, out);
    case CodecId::kAlignedGridAnchor:
      return DecodeGridAnchorPayload(frame.dtype, frame.payload, out);
    case CodecId::kAlignedGridDelta:
      return DecodeGridDeltaPayload(frame.dtype, frame.payload, base_raw, out);
    default:
      return Status::Corruption("chunk frame: unknown codec id " +
                                std::to_string(static_cast<int>(frame.codec)));
  }
}

Result<Bytes> DecodeChunkToBytes(ByteView frame, ByteView base_raw) {
  MVC_ASSIGN_OR_RETURN(ChunkFrameView view, ParseChunkFrame(frame));
  Bytes out(view.raw_size);  // bounded by kChunkBytes in ParseChunkFrame
  MVC_RETURN_IF_ERROR(DecodeChunk(view, base_raw, out));
  return out;
}

}  // namespace mvc
