#include "codec/float_scaled.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "codec/float_joint.h"
#include "codec/internal/codec_estimate.h"
#include "codec/internal/plane_container.h"
#include "core/endian_coding.h"

namespace mvc {
namespace {

// docs/format.md, "Codec 9": Scale_Axes bits 0-1 (axes), 2-3 (Offset_Unit_Bits), 4-7
// reserved.
constexpr uint8_t kRowOffsets = 0x01;
constexpr uint8_t kColumnOffsets = 0x02;
constexpr uint8_t kAxesMask = kRowOffsets | kColumnOffsets;
constexpr int kUnitShift = 2;
constexpr uint8_t kUnitMask = 0x03;
constexpr uint8_t kReservedAxesBits = uint8_t(~(kAxesMask | (kUnitMask << kUnitShift)));
// The offsets' plane is raw, constant or entropy coded, as codec 3's planes.
constexpr codec_internal::PlaneOptions kOffsetModes{0, false, true};
// Scale_Axes, Row_Length, First_Column, Offsets_Size.
constexpr size_t kFixedHeaderBytes = 13;

// The row offsets then the column offsets, as one plane.
Bytes OffsetPlane(const ExponentScales& s) {
  Bytes plane(s.rows.begin(), s.rows.end());
  plane.insert(plane.end(), s.columns.begin(), s.columns.end());
  return plane;
}

void AppendHeader(const ExponentScales& s, Bytes* out) {
  out->push_back(static_cast<uint8_t>((s.rows.empty() ? 0 : kRowOffsets) | (s.columns.empty() ? 0 : kColumnOffsets) |
                                      (s.unit_bits << kUnitShift)));
  PutFixed32(out, static_cast<uint32_t>(s.view.row_length));
  PutFixed32(out, static_cast<uint32_t>(s.view.first_column));
  const Bytes plane = OffsetPlane(s);
  const size_t at = out->size();
  PutFixed32(out, 0);
  const uint8_t* p = plane.data();
  // An 8-bit plane without context; the container cannot fail without zstd.
  Status st = codec_internal::EncodePlaneSet({p}, {codec_internal::PlaneSpec{8, -1}}, plane.size(), kOffsetModes, out);
  MVC_CHECK(st.ok());
  EncodeFixed32(out->data() + at, static_cast<uint32_t>(out->size() - at - 4));
}

// Bytes the header and the offsets take before the codec 8 payload.
size_t FloatScaledHeaderBytes(const ExponentScales& scales) {
  Bytes header;
  AppendHeader(scales, &header);
  return header.size();
}

}  // namespace

std::vector<uint64_t> ScaledRowLengths(std::span<const uint64_t> shape) {
  while (!shape.empty() && shape.front() == 1) shape = shape.subspan(1);
  while (!shape.empty() && shape.back() == 1) shape = shape.first(shape.size() - 1);
  const size_t rank = shape.size();
  if (rank < 2) return {};
  std::vector<uint64_t> out;
  auto add = [&](uint64_t c) {
    if (c >= 2 && c < (uint64_t{1} << 32) && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  add(shape[rank - 1]);
  uint64_t tail = 1;
  for (size_t k = 1; k < rank; ++k) {
    if (shape[k] != 0 && tail > UINT64_MAX / shape[k]) return out;
    tail *= shape[k];
  }
  add(tail);
  return out;
}

// The most promising views and axes of a chunk, at most this many, are fitted and
// estimated (each costs a fit and an estimate; a second trial saved 0.004% of
// blazepose-heavy and nothing elsewhere).
constexpr size_t kScaledTrials = 1;

std::optional<ScaledPlan> PlanFloatScaled(Dtype dtype, ByteView raw, std::span<const uint64_t> shape,
                                          uint64_t first_element, bool forced) {
  const uint64_t n = raw.size() / DtypeWidth(dtype);
  struct Trial {
    MatrixView view;
    ScaleAxes axes;
    double gain;
  };
  std::vector<Trial> trials;
  for (uint64_t row_length : ScaledRowLengths(shape)) {
    const MatrixView view{row_length, first_element % row_length};
    // Row offsets need two rows or more in the chunk, column offsets two rows' worth
    // of elements (the decoder refuses columns longer than the chunk).
    const bool rows = RowsTouched(view, n) >= 2, columns = 2 * row_length <= n;
    if (!rows && !columns) continue;
    const ScaleGains g = PredictScaleGains(dtype, raw, view);
    if (rows && g.rows > 0) trials.push_back({view, ScaleAxes::kRows, g.rows});
    if (columns && g.columns > 0) trials.push_back({view, ScaleAxes::kColumns, g.columns});
    if (rows && columns && g.both > 0) trials.push_back({view, ScaleAxes::kBoth, g.both});
    if (forced && trials.empty()) trials.push_back({view, columns ? ScaleAxes::kColumns : ScaleAxes::kRows, 0});
  }
  std::sort(trials.begin(), trials.end(), [](const Trial& a, const Trial& b) { return a.gain > b.gain; });
  if (trials.size() > kScaledTrials) trials.resize(kScaledTrials);
  std::optional<ScaledPlan> best;
  const size_t w = DtypeWidth(dtype);
  const std::vector<codec_internal::SampleRun> runs = codec_internal::SampleRuns(n);
  for (const Trial& t : trials) {
    ExponentScales scales = FitExponentScales(dtype, raw, t.view, t.axes);
    // The sample codec 8's estimate would take of the shifted chunk, shifted run by run.
    codec_internal::ChunkSample sample{dtype, n, 0, {}, {}};
    for (const codec_internal::SampleRun& r : runs) {
      sample.raw.insert(sample.raw.end(), raw.begin() + r.start * w, raw.begin() + (r.start + r.length) * w);
      ApplyExponentScales(dtype, scales, r.start, r.length, /*forward=*/true, sample.raw.data() + sample.sampled * w);
      sample.sampled += r.length;
    }
    const double bytes = codec_internal::EstimateFloatJoint(sample) + double(FloatScaledHeaderBytes(scales));
    if (!best || bytes < best->estimated_bytes) best = ScaledPlan{std::move(scales), bytes};
  }
  return best;
}

Status EncodeFloatScaledPayload(Dtype dtype, ByteView raw, const ExponentScales& scales, Bytes* out) {
  const size_t n = raw.size() / DtypeWidth(dtype);
  uint8_t* shifted = codec_internal::ThreadScratch(codec_internal::ScratchSlot::kScaled, raw.size());
  if (!raw.empty()) std::memcpy(shifted, raw.data(), raw.size());
  ApplyExponentScales(dtype, scales, 0, n, /*forward=*/true, shifted);
  AppendHeader(scales, out);
  return EncodeFloatJointPayload(dtype, ByteView(shifted, raw.size()), out);
}

Status DecodeFloatScaledPayload(Dtype dtype, ByteView payload, std::span<uint8_t> out) {
  const uint64_t n = out.size() / DtypeWidth(dtype);  // bounded by kChunkBytes (frame parse)
  if (payload.size() < kFixedHeaderBytes) return Status::Corruption("float-scaled: truncated header");
  const uint8_t axes = payload[0] & kAxesMask;
  if (axes == 0 || (payload[0] & kReservedAxesBits) != 0) {
    return Status::Corruption("float-scaled: scale axes byte " + std::to_string(payload[0]) +
                              " (axes must be 1, 2 or 3, bits 4-7 zero)");
  }
  ExponentScales s;
  s.unit_bits = (payload[0] >> kUnitShift) & kUnitMask;
  if (s.unit_bits > MaxOffsetUnitBits(dtype)) {
    return Status::Corruption("float-scaled: offsets in 2^-" + std::to_string(s.unit_bits) + " binades for " +
                              std::string(DtypeName(dtype)) + " (at most 2^-" +
                              std::to_string(MaxOffsetUnitBits(dtype)) + ")");
  }
  s.view.row_length = DecodeFixed32(payload.data() + 1);
  s.view.first_column = DecodeFixed32(payload.data() + 5);
  if (s.view.row_length == 0 || s.view.first_column >= s.view.row_length) {
    return Status::Corruption("float-scaled: first column " + std::to_string(s.view.first_column) +
                              " of rows of " + std::to_string(s.view.row_length));
  }
  // Column offsets for rows longer than the chunk would be a way to make the decoder
  // allocate 4 GiB; the encoder never writes them.
  if ((axes & kColumnOffsets) && s.view.row_length > n) {
    return Status::Corruption("float-scaled: column offsets for rows of " + std::to_string(s.view.row_length) +
                              " elements in a chunk of " + std::to_string(n));
  }
  const uint64_t num_rows = (axes & kRowOffsets) ? RowsTouched(s.view, n) : 0;
  const uint64_t num_columns = (axes & kColumnOffsets) ? s.view.row_length : 0;
  const uint32_t offsets_size = DecodeFixed32(payload.data() + 9);
  if (payload.size() - kFixedHeaderBytes < offsets_size) {
    return Status::Corruption("float-scaled: offsets of " + std::to_string(offsets_size) +
                              " bytes overrun the payload");
  }
  Bytes plane(num_rows + num_columns);
  MVC_RETURN_IF_ERROR_CTX(codec_internal::DecodePlaneSet(payload.subspan(kFixedHeaderBytes, offsets_size),
                                                         {codec_internal::PlaneSpec{8, -1}}, plane.size(),
                                                         kOffsetModes, {plane.data()}),
                          "float-scaled: offsets");
  const int ring = OffsetRing(dtype, s.unit_bits);
  for (size_t k = 0; k < plane.size(); ++k) {
    if (plane[k] >= ring) {
      return Status::Corruption("float-scaled: offset " + std::to_string(plane[k]) + " at " + std::to_string(k) +
                                " outside the exponent ring of " + std::to_string(ring));
    }
  }
  s.rows.assign(plane.begin(), plane.begin() + num_rows);
  s.columns.assign(plane.begin() + num_rows, plane.end());
  // The exponents go back block by block as the heads are decoded (in cache), or over
  // the elements afterwards where the heads have no element layout (F16 split, F8).
  const HeadBlockHook shift_back = [&](Dtype layout, uint8_t* heads, size_t lo, size_t hi) {
    ApplyExponentScales(layout, s, lo, hi - lo, /*forward=*/false, heads + 2 * lo);
  };
  bool hooked = false;
  MVC_RETURN_IF_ERROR_CTX(
      DecodeFloatJointPayload(dtype, payload.subspan(kFixedHeaderBytes + offsets_size), out, shift_back, &hooked),
      "float-scaled");
  if (!hooked) ApplyExponentScales(dtype, s, 0, n, /*forward=*/false, out.data());
  return Status::Ok();
}

}  // namespace mvc
