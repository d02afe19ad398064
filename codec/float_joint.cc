#include "codec/float_joint.h"

#include <string>
#include <vector>

#include "codec/float_fields.h"
#include "codec/internal/joint_stream.h"
#include "codec/internal/plane_container.h"
#include "core/endian_coding.h"

namespace mvc {
namespace {

using codec_internal::PlaneSpec;

// docs/format.md, "Codec 8": the planes after the joint pair are raw, constant or
// entropy coded, as in codec 3.
constexpr codec_internal::PlaneOptions kLowPlaneModes{0, false, true};
// Planes 0 (exponent) and 1 (sign and high mantissa) are the joint pair.
constexpr size_t kJointPlanes = 2;

// Per-thread buffers for a chunk of n elements: its heads (2n bytes) and codec 3's
// planes, of which the joint pair's are filled only when a low plane takes the
// exponent as context (F16).
struct Scratch {
  uint8_t* heads;
  std::vector<uint8_t*> planes;
};

Scratch ChunkScratch(size_t num_planes, size_t n) {
  uint8_t* buf = codec_internal::ThreadScratch(codec_internal::ScratchSlot::kFields, n * (2 + num_planes));
  Scratch s{buf, std::vector<uint8_t*>(num_planes)};
  for (size_t k = 0; k < num_planes; ++k) s.planes[k] = buf + 2 * n + k * n;
  return s;
}

// The exponent plane from the heads, for low planes coded in its context.
void FillExponentPlane(const std::vector<PlaneSpec>& specs, const uint8_t* heads, size_t n, uint8_t* exp) {
  const int high_bits = specs[1].bits - 1;
  const unsigned mask = (1u << specs[0].bits) - 1;
  for (size_t i = 0; i < n; ++i) {
    const unsigned head = heads[2 * i] | (unsigned{heads[2 * i + 1]} << 8);
    exp[i] = static_cast<uint8_t>((head >> high_bits) & mask);
  }
}

bool LowPlanesUseExponent(const std::vector<PlaneSpec>& specs) {
  for (size_t k = kJointPlanes; k < specs.size(); ++k)
    if (specs[k].context == 0) return true;
  return false;
}

// BF16: the element is its own head; nothing to split or merge.
bool HeadsAreElements(Dtype dtype, const std::vector<PlaneSpec>& specs) {
  return specs.size() == kJointPlanes && DtypeWidth(dtype) == 2;
}

// F16 is coded with whole elements as heads (h = 10, no low plane): one table lookup
// per element and no context-coded plane, so it decodes as fast as BF16. (Split F16
// heads with a context-coded 3-bit plane, written before 2026-12-02, still decode.)
constexpr int kWholeF16HighBits = 10;

bool TakesWholeHeads(Dtype dtype) { return dtype == Dtype::kF16; }

}  // namespace

bool FloatJointWritesWholeElements(Dtype dtype) { return TakesWholeHeads(dtype); }

bool FloatJointTakes(Dtype dtype) {
  if (!GetDtypeInfo(dtype).is_float) return false;
  const std::vector<PlaneSpec> specs = GetFloatFieldPlanes(dtype);
  return specs.size() >= kJointPlanes && specs[1].context == 0;  // no Exp_Hi plane
}

Status EncodeFloatJointPayload(Dtype dtype, ByteView raw, Bytes* out) {
  const std::vector<PlaneSpec> specs = GetFloatFieldPlanes(dtype);
  const size_t n = raw.size() / DtypeWidth(dtype);
  Scratch s = ChunkScratch(specs.size(), n);
  const uint8_t* heads = raw.data();
  // F16 goes with whole elements as heads: at K = 1 they cost what the split heads
  // cost with their 3-bit plane raw, at K >= 2 what the split costs at the same K, and
  // that plane's context coding saved less than its tables and headers cost (whole
  // heads took 0.01-0.05% off the F16 CNNs and decode 1.5-3x faster than split ones).
  const bool whole_heads = TakesWholeHeads(dtype);
  if (!whole_heads && !HeadsAreElements(dtype, specs)) {
    SplitFloatHeads(dtype, raw.data(), n, s.heads, s.planes.data() + kJointPlanes);
    heads = s.heads;
  }
  const codec_internal::JointPlan plan =
      codec_internal::PlanJointStream(heads, n, specs[0].bits, whole_heads ? kWholeF16HighBits : specs[1].bits - 1);
  const size_t at = out->size();
  PutFixed32(out, 0);
  codec_internal::WriteJointStreamWithPlan(heads, n, plan, out);
  EncodeFixed32(out->data() + at, static_cast<uint32_t>(out->size() - at - 4));
  if (whole_heads || specs.size() == kJointPlanes) return Status::Ok();
  if (LowPlanesUseExponent(specs)) FillExponentPlane(specs, heads, n, s.planes[0]);
  return codec_internal::EncodePlaneSet(std::vector<const uint8_t*>(s.planes.begin(), s.planes.end()), specs,
                                        n, kLowPlaneModes, out, kJointPlanes);
}

Status DecodeFloatJointPayload(Dtype dtype, ByteView payload, std::span<uint8_t> out, const HeadBlockHook& hook,
                               bool* hooked) {
  if (hooked) *hooked = false;
  const std::vector<PlaneSpec> specs = GetFloatFieldPlanes(dtype);
  const size_t n = out.size() / DtypeWidth(dtype);  // bounded by kChunkBytes (frame parse)
  if (payload.size() < 4) return Status::Corruption("float-joint: truncated before the joint stream size");
  const uint32_t joint_size = DecodeFixed32(payload.data());
  if (payload.size() - 4 < joint_size) {
    return Status::Corruption("float-joint: joint stream of " + std::to_string(joint_size) +
                              " bytes overruns the payload");
  }
  const ByteView joint = payload.subspan(4, joint_size);
  if (TakesWholeHeads(dtype) && codec_internal::JointStreamHasWholeHeads(joint)) {
    if (payload.size() - 4 != joint_size) {
      return Status::Corruption("float-joint: " + std::to_string(payload.size() - 4 - joint_size) +
                                " trailing bytes after a stream of whole elements");
    }
    codec_internal::BlockDone done;
    if (hook) {
      if (hooked) *hooked = true;
      done = [&](size_t lo, size_t hi) { hook(Dtype::kF16, out.data(), lo, hi); };
    }
    return codec_internal::DecodeJointStream(joint, n, specs[0].bits, kWholeF16HighBits, out.data(), done)
        .WithContext("float-joint");
  }
  Scratch s = ChunkScratch(specs.size(), n);
  const bool direct = HeadsAreElements(dtype, specs);
  uint8_t* heads = direct ? out.data() : s.heads;
  // F32 heads and BF16 elements share BF16's layout; split F16 heads and F8 do not.
  codec_internal::BlockDone done;
  if (hook && (dtype == Dtype::kF32 || dtype == Dtype::kBF16)) {
    if (hooked) *hooked = true;
    done = [&](size_t lo, size_t hi) { hook(Dtype::kBF16, heads, lo, hi); };
  }
  MVC_RETURN_IF_ERROR_CTX(
      codec_internal::DecodeJointStream(joint, n, specs[0].bits, specs[1].bits - 1, heads, done), "float-joint");
  const ByteView rest = payload.subspan(4 + joint_size);
  if (specs.size() == kJointPlanes && !rest.empty()) {
    return Status::Corruption("float-joint: " + std::to_string(rest.size()) + " trailing bytes after the joint stream");
  }
  if (specs.size() > kJointPlanes) {
    if (LowPlanesUseExponent(specs)) FillExponentPlane(specs, heads, n, s.planes[0]);
    MVC_RETURN_IF_ERROR_CTX(codec_internal::DecodePlaneSet(rest, specs, n, kLowPlaneModes, s.planes, kJointPlanes),
                            "float-joint");
  }
  if (!direct) MergeFloatHeads(dtype, heads, s.planes.data() + kJointPlanes, n, out.data());
  return Status::Ok();
}

}  // namespace mvc
