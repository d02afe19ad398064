#include "codec/aligned_grid.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "codec/format.h"
#include "codec/internal/frame_header.h"
#include "codec/internal/lossy_float.h"
#include "codec/internal/plane_container.h"
#include "core/chunking.h"
#include "core/endian_coding.h"

namespace mvc {
namespace {

using codec_internal::FloatMaxExponent;
using codec_internal::FloatMinSubnormalExponent;
using codec_internal::LoadFloat;
using codec_internal::PlaneOptions;
using codec_internal::StoreRounded;


// docs/format.md, "Codecs 5 and 7": 4-byte payload header, then byte planes.
constexpr size_t kGridHeaderBytes = 4;
constexpr PlaneOptions kGridPlaneModes{0, false, true, true};

bool IsGridDtype(Dtype d) { return d == Dtype::kF64 || d == Dtype::kF32; }

uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t UnZigZag(uint64_t z) { return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1); }

Status CheckGrid(Dtype dtype, const GridSpec& grid) {
  if (!IsGridDtype(dtype)) {
    return Status::InvalidArgument("aligned grid needs an F32 or F64 tensor, not " +
                                   std::string(DtypeName(dtype)));
  }
  if (grid.bits != 16 && grid.bits != 32) {
    return Status::InvalidArgument("aligned grid of " + std::to_string(grid.bits) +
                                   " bits (expected 16 or 32)");
  }
  if (grid.scale_exponent < FloatMinSubnormalExponent(dtype) ||
      grid.scale_exponent > FloatMaxExponent(dtype)) {
    return Status::InvalidArgument("aligned grid scale exponent " +
                                   std::to_string(grid.scale_exponent) + " outside " +
                                   std::string(DtypeName(dtype)) + "'s range");
  }
  return Status::Ok();
}

Status CheckChunk(Dtype dtype, size_t bytes) {
  if (bytes > kChunkBytes || bytes % DtypeWidth(dtype) != 0) {
    return Status::InvalidArgument("aligned grid chunk of " + std::to_string(bytes) +
                                   " bytes is over the chunk limit or not whole " +
                                   std::string(DtypeName(dtype)) + " elements");
  }
  return Status::Ok();
}

// The code of a reconstructed element: x / 2^s when that is an integer on the grid.
bool CodeOf(Dtype dtype, const uint8_t* p, const GridSpec& grid, int64_t max_code, int64_t* code) {
  const double x = LoadFloat(dtype, p);
  if (!std::isfinite(x)) return false;
  const double c = std::ldexp(x, -grid.scale_exponent);
  if (c != std::nearbyint(c) || std::fabs(c) > static_cast<double>(max_code)) return false;
  if (std::ldexp(c, grid.scale_exponent) != x) return false;  // underflowed: not a multiple
  *code = static_cast<int64_t>(c);
  return true;
}

std::string LeaveGrid(size_t i, const std::string& what) {
  return "codes leave the grid: element " + std::to_string(i) + " " + what + " (re-anchor)";
}

// Quantizes raw onto the grid and builds the frame; with base_raw, stores differences.
Result<LossyChunk> EncodeGrid(Dtype dtype, ByteView raw, const GridSpec& grid,
                              const ObjectId* base_id, ByteView base_raw) {
  MVC_RETURN_IF_ERROR(CheckGrid(dtype, grid));
  MVC_RETURN_IF_ERROR(CheckChunk(dtype, raw.size()));
  if (base_id && base_raw.size() != raw.size()) {
    return Status::InvalidArgument("aligned grid base chunk of " + std::to_string(base_raw.size()) +
                                   " bytes for a chunk of " + std::to_string(raw.size()));
  }
  const size_t width = DtypeWidth(dtype);
  const size_t n = raw.size() / width;
  const size_t word = static_cast<size_t>(grid.bits / 8);
  const int64_t max_code = GridMaxCode(dtype, grid.bits);
  const uint64_t word_limit = grid.bits == 16 ? 0xFFFFull : 0xFFFFFFFFull;
  const double max_code_d = static_cast<double>(max_code);
  LossyChunk result;
  result.reconstructed.resize(raw.size());
  auto words = codec_internal::NewScratch(n * word);
  for (size_t i = 0; i < n; ++i) {
    const double x = LoadFloat(dtype, raw.data() + i * width);
    if (!std::isfinite(x)) {
      return Status::InvalidArgument("aligned grid: element " + std::to_string(i) +
                                     " is not finite (store the tensor losslessly)");
    }
    // + 0.0 turns -0 into +0: code 0 carries no sign, so the decoder writes +0.
    const double y = std::ldexp(x, -grid.scale_exponent);
    const double c = (std::fabs(y) < 0x1p51 ? codec_internal::RoundHalfEven(y) : y) + 0.0;
    if (std::fabs(c) > max_code_d) {
      return Status::InvalidArgument(LeaveGrid(i, "has a code beyond +-" + std::to_string(max_code)));
    }
    const double xh = StoreRounded(dtype, std::ldexp(c, grid.scale_exponent),
                                   result.reconstructed.data() + i * width);
    if (!std::isfinite(xh)) {
      return Status::InvalidArgument(LeaveGrid(i, "overflows " + std::string(DtypeName(dtype))));
    }
    int64_t stored = static_cast<int64_t>(c);
    if (base_id) {
      int64_t base_code;
      if (!CodeOf(dtype, base_raw.data() + i * width, grid, max_code, &base_code)) {
        return Status::InvalidArgument("aligned grid: base element " + std::to_string(i) +
                                       " is not on the grid 2^" +
                                       std::to_string(grid.scale_exponent));
      }
      stored -= base_code;
    }
    const uint64_t z = ZigZag(stored);
    if (z > word_limit) {
      return Status::InvalidArgument(LeaveGrid(i, "differs from its base by more than a " +
                                                      std::to_string(grid.bits) + "-bit word"));
    }
    if (word == 2) {
      EncodeFixed16(words.get() + i * 2, static_cast<uint16_t>(z));
    } else {
      EncodeFixed32(words.get() + i * 4, static_cast<uint32_t>(z));
    }
    const double err = std::fabs(x - xh);
    result.sum_sq_error += err * err;
    result.sum_sq_reference += x * x;
    result.max_abs_error = std::max(result.max_abs_error, err);
  }
  result.frame = codec_internal::ChunkFrameHeader(
      base_id ? CodecId::kAlignedGridDelta : CodecId::kAlignedGridAnchor, dtype, raw.size(), base_id);
  result.frame.push_back(static_cast<uint8_t>(grid.bits));
  result.frame.push_back(0);
  PutFixed16(&result.frame, static_cast<uint16_t>(static_cast<int16_t>(grid.scale_exponent)));
  MVC_RETURN_IF_ERROR(
      codec_internal::EncodePlanes(words.get(), n, word, kGridPlaneModes, &result.frame));
  return result;
}

Status DecodeGrid(Dtype dtype, ByteView payload, const uint8_t* base_raw, std::span<uint8_t> out) {
  const char* what = base_raw ? "aligned-grid delta" : "aligned-grid anchor";
  if (!IsGridDtype(dtype)) {
    return Status::InvalidArgument(std::string(what) + " payload with dtype " +
                                   std::string(DtypeName(dtype)));
  }
  MVC_RETURN_IF_ERROR(CheckChunk(dtype, out.size()));
  if (payload.size() < kGridHeaderBytes) {
    return Status::Corruption(std::string(what) + ": payload of " + std::to_string(payload.size()) +
                              " bytes, shorter than its 4-byte header");
  }
  GridSpec grid{payload[0], static_cast<int16_t>(DecodeFixed16(payload.data() + 2))};
  Status s = CheckGrid(dtype, grid);
  if (!s.ok()) return Status::Corruption(std::string(what) + ": " + s.message());
  if (payload[1] != 0) return Status::Corruption(std::string(what) + ": reserved byte is not zero");
  const size_t width = DtypeWidth(dtype);
  const size_t n = out.size() / width;
  const size_t word = static_cast<size_t>(grid.bits / 8);
  const int64_t max_code = GridMaxCode(dtype, grid.bits);
  auto words = codec_internal::NewScratch(n * word);  // n * word <= 2 * kChunkBytes
  MVC_RETURN_IF_ERROR_CTX(codec_internal::DecodePlanes(payload.subspan(kGridHeaderBytes), n, word,
                                                       kGridPlaneModes, words.get()),
                          what);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t z = word == 2 ? DecodeFixed16(words.get() + i * 2) : DecodeFixed32(words.get() + i * 4);
    int64_t code = UnZigZag(z);
    if (base_raw) {
      int64_t base_code;
      if (!CodeOf(dtype, base_raw + i * width, grid, max_code, &base_code)) {
        return Status::Corruption(std::string(what) + ": base element " + std::to_string(i) +
                                  " is not on the grid 2^" + std::to_string(grid.scale_exponent));
      }
      code += base_code;
    }
    if (code > max_code || code < -max_code) {
      return Status::Corruption(std::string(what) + ": element " + std::to_string(i) + " code " +
                                std::to_string(code) + " is off the grid");
    }
    const double xh = StoreRounded(dtype, std::ldexp(static_cast<double>(code), grid.scale_exponent),
                                   out.data() + i * width);
    if (!std::isfinite(xh)) {
      return Status::Corruption(std::string(what) + ": element " + std::to_string(i) +
                                " overflows " + std::string(DtypeName(dtype)));
    }
  }
  return Status::Ok();
}

}  // namespace

int64_t GridMaxCode(Dtype dtype, int bits) {
  if (!IsGridDtype(dtype)) return 0;
  if (bits == 16) return (int64_t{1} << 15) - 1;
  if (bits == 32) return dtype == Dtype::kF32 ? (int64_t{1} << 24) - 1 : (int64_t{1} << 31) - 1;
  return 0;
}

GridSpec ChooseGrid(Dtype dtype, double max_abs, int bits) {
  GridSpec grid{bits, 0};
  const int64_t max_code = GridMaxCode(dtype, bits);
  if (max_code == 0) return grid;
  double m = std::fabs(max_abs);
  if (!std::isfinite(m)) {
    m = dtype == Dtype::kF32 ? std::numeric_limits<float>::max() : std::numeric_limits<double>::max();
  }
  if (m == 0) m = 1e-30;
  // lossy_bounds.py's step, 2 * max / (2^bits - 1), rounded up to a power of two.
  const double ref = 2.0 * m / (2.0 * static_cast<double>(max_code) + 1.0);
  int s = std::ilogb(ref);
  if (std::ldexp(1.0, s) < ref) ++s;
  // Round-half-even at exactly max_code + 0.5 would step past the range.
  while (std::nearbyint(std::ldexp(m, -s)) > static_cast<double>(max_code)) ++s;
  grid.scale_exponent = std::clamp(s, FloatMinSubnormalExponent(dtype), FloatMaxExponent(dtype));
  return grid;
}

Result<GridSpec> GridSpecOfFrame(CodecId codec, Dtype dtype, ByteView payload) {
  if (codec != CodecId::kAlignedGridAnchor && codec != CodecId::kAlignedGridDelta) {
    return Status::InvalidArgument("codec " + std::to_string(static_cast<int>(codec)) +
                                   " is not an aligned-grid codec");
  }
  if (payload.size() < kGridHeaderBytes) {
    return Status::Corruption("aligned grid: payload of " + std::to_string(payload.size()) +
                              " bytes, shorter than its 4-byte header");
  }
  GridSpec grid{payload[0], static_cast<int16_t>(DecodeFixed16(payload.data() + 2))};
  Status s = CheckGrid(dtype, grid);
  if (!s.ok()) return Status::Corruption(s.message());
  return grid;
}

Result<LossyChunk> EncodeGridAnchorChunk(Dtype dtype, ByteView raw, const GridSpec& grid) {
  return EncodeGrid(dtype, raw, grid, nullptr, {});
}

Result<LossyChunk> EncodeGridDeltaChunk(Dtype dtype, ByteView raw, const GridSpec& grid,
                                        const ObjectId& base_id, ByteView base_reconstructed) {
  return EncodeGrid(dtype, raw, grid, &base_id, base_reconstructed);
}

Status DecodeGridAnchorPayload(Dtype dtype, ByteView payload, std::span<uint8_t> out) {
  return DecodeGrid(dtype, payload, nullptr, out);
}

Status DecodeGridDeltaPayload(Dtype dtype, ByteView payload, ByteView base_raw,
                              std::span<uint8_t> out) {
  if (base_raw.size() != out.size()) {
    return Status::InvalidArgument("aligned-grid delta: base chunk of " +
                                   std::to_string(base_raw.size()) + " bytes for a chunk of " +
                                   std::to_string(out.size()));
  }
  return DecodeGrid(dtype, payload, base_raw.data() ? base_raw.data() : out.data(), out);
}

}  // namespace mvc
