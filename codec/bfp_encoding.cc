#include "codec/bfp_encoding.h"

#include <algorithm>
#include <cmath>
#include <cstring>
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
using codec_internal::PlaneSpec;
using codec_internal::StoreRounded;

// docs/format.md, "Codec 4: Bfp": exponent symbols.
constexpr uint8_t kZeroGroup = 0;
constexpr uint8_t kEscapedGroup = 255;
constexpr int kMaxExponentSpan = 253;  // symbols 1..254
constexpr size_t kBfpHeaderBytes = 12;
// Codes are nearly memoryless: Huffman or rANS per plane, zstd would only cost time.
constexpr PlaneOptions kBfpPlaneModes{0, false, true, true};

bool IsBfpDtype(Dtype d) {
  return d == Dtype::kF64 || d == Dtype::kF32 || d == Dtype::kF16 || d == Dtype::kBF16;
}

std::vector<PlaneSpec> MagnitudePlanes(int m) {
  std::vector<PlaneSpec> specs;
  for (int j = 0; j * 8 < m; ++j) specs.push_back(PlaneSpec{std::min(8, m - 8 * j), -1});
  return specs;
}

size_t GroupSize(size_t g, size_t n) { return std::min(kBfpGroupElems, n - g * kBfpGroupElems); }

}  // namespace

int BfpEffectiveMantissaBits(Dtype dtype, int mantissa_bits) {
  return std::min(mantissa_bits, codec_internal::FloatPrecision(dtype));
}

Result<LossyChunk> EncodeBfpChunk(Dtype dtype, ByteView raw, int mantissa_bits) {
  if (!IsBfpDtype(dtype)) {
    return Status::InvalidArgument("bfp needs an F64, F32, F16 or BF16 tensor, not " +
                                   std::string(DtypeName(dtype)));
  }
  if (mantissa_bits < kMinBfpMantissaBits || mantissa_bits > kMaxBfpMantissaBits) {
    return Status::InvalidArgument("bfp mantissa bits " + std::to_string(mantissa_bits) +
                                   " out of range 2..23");
  }
  const size_t width = DtypeWidth(dtype);
  if (raw.size() > kChunkBytes || raw.size() % width != 0) {
    return Status::InvalidArgument("bfp chunk of " + std::to_string(raw.size()) +
                                   " bytes is over the chunk limit or not whole " +
                                   std::string(DtypeName(dtype)) + " elements");
  }
  const int m = BfpEffectiveMantissaBits(dtype, mantissa_bits);
  const size_t n = raw.size() / width;
  const size_t groups = (n + kBfpGroupElems - 1) / kBfpGroupElems;

  // Pass 1: each group's exponent, or zero / escaped.
  std::vector<int> group_exp(groups, 0);
  std::vector<uint8_t> sym(groups, kZeroGroup);
  int e_max = INT32_MIN;
  for (size_t g = 0; g < groups; ++g) {
    double mx = 0;
    bool finite = true;
    for (size_t i = g * kBfpGroupElems, end = i + GroupSize(g, n); i < end; ++i) {
      const double x = LoadFloat(dtype, raw.data() + i * width);
      if (!std::isfinite(x)) finite = false;
      mx = std::max(mx, std::fabs(x));
    }
    if (!finite) {
      sym[g] = kEscapedGroup;
    } else if (mx > 0) {
      group_exp[g] = std::ilogb(mx);
      sym[g] = 1;  // placeholder: coded
      e_max = std::max(e_max, group_exp[g]);
    }
  }
  int exp_base = 0;
  if (e_max != INT32_MIN) {
    exp_base = e_max;
    for (size_t g = 0; g < groups; ++g) {
      if (sym[g] == 1) exp_base = std::min(exp_base, group_exp[g]);
    }
    exp_base = std::max(exp_base, e_max - kMaxExponentSpan);
  }

  // Pass 2: codes, reconstruction and error.
  LossyChunk result;
  result.reconstructed.resize(raw.size());
  std::vector<uint32_t> mags;
  mags.reserve(n);
  Bytes signs;
  size_t nonzero = 0;
  Bytes escaped;
  const double max_mag = std::ldexp(1.0, m) - 1;
  const bool wide = dtype == Dtype::kF64;
  for (size_t g = 0; g < groups; ++g) {
    const size_t begin = g * kBfpGroupElems, end = begin + GroupSize(g, n);
    if (sym[g] == 1 && group_exp[g] < exp_base) sym[g] = kEscapedGroup;  // too far below
    if (sym[g] == kEscapedGroup) {
      PutBytes(&escaped, raw.data() + begin * width, (end - begin) * width);
      std::memcpy(result.reconstructed.data() + begin * width, raw.data() + begin * width,
                  (end - begin) * width);
      for (size_t i = begin; i < end; ++i) {
        const double x = LoadFloat(dtype, raw.data() + i * width);
        if (std::isfinite(x)) result.sum_sq_reference += x * x;
      }
      continue;
    }
    if (sym[g] == kZeroGroup) {
      for (size_t i = begin; i < end; ++i) {
        StoreRounded(dtype, 0.0, result.reconstructed.data() + i * width);
      }
      continue;
    }
    sym[g] = static_cast<uint8_t>(group_exp[g] - exp_base + 1);
    const int k = group_exp[g] + 1 - m;
    // Scaling by a power of two is exact; outside F64 it cannot leave the double range,
    // so a multiplication does what ldexp does, faster.
    const double down = wide ? 0 : std::ldexp(1.0, -k), up = wide ? 0 : std::ldexp(1.0, k);
    for (size_t i = begin; i < end; ++i) {
      const double x = LoadFloat(dtype, raw.data() + i * width);
      // |x| < 2^(k+M): the scaled value is below 2^M <= 2^23.
      double q = codec_internal::RoundHalfEven(wide ? std::ldexp(x, -k) : x * down);
      q = std::clamp(q, -max_mag, max_mag);
      const uint32_t mag = static_cast<uint32_t>(std::fabs(q));
      if (mag == 0) q = 0;  // +0: a zero code carries no sign (round(-0.3) is -0)
      mags.push_back(mag);
      if (mag != 0) {
        if ((nonzero & 7) == 0) signs.push_back(0);
        if (q < 0) signs.back() |= static_cast<uint8_t>(1u << (nonzero & 7));
        ++nonzero;
      }
      const double xh = StoreRounded(dtype, wide ? std::ldexp(q, k) : q * up,
                                     result.reconstructed.data() + i * width);
      const double err = std::fabs(x - xh);
      result.sum_sq_error += err * err;
      result.sum_sq_reference += x * x;
      result.max_abs_error = std::max(result.max_abs_error, err);
    }
  }

  // Frame: header, then the four sections.
  Bytes& out = result.frame;
  out = codec_internal::ChunkFrameHeader(CodecId::kBfp, dtype, raw.size(), nullptr);
  const size_t payload_at = out.size();
  out.push_back(static_cast<uint8_t>(m));
  out.push_back(0);
  PutFixed16(&out, static_cast<uint16_t>(static_cast<int16_t>(exp_base)));
  PutFixed32(&out, 0);
  PutFixed32(&out, 0);
  size_t at = out.size();
  MVC_RETURN_IF_ERROR(codec_internal::EncodePlaneSet({sym.data()}, {PlaneSpec{8, -1}}, groups,
                                                     kBfpPlaneModes, &out));
  EncodeFixed32(out.data() + payload_at + 4, static_cast<uint32_t>(out.size() - at));
  const std::vector<PlaneSpec> specs = MagnitudePlanes(m);
  Bytes planes(specs.size() * mags.size());
  std::vector<const uint8_t*> plane_ptrs;
  for (size_t j = 0; j < specs.size(); ++j) {
    uint8_t* p = planes.data() + j * mags.size();
    for (size_t i = 0; i < mags.size(); ++i) p[i] = static_cast<uint8_t>(mags[i] >> (8 * j));
    plane_ptrs.push_back(p);
  }
  at = out.size();
  MVC_RETURN_IF_ERROR(
      codec_internal::EncodePlaneSet(plane_ptrs, specs, mags.size(), kBfpPlaneModes, &out));
  EncodeFixed32(out.data() + payload_at + 8, static_cast<uint32_t>(out.size() - at));
  PutBytes(&out, signs.data(), signs.size());
  PutBytes(&out, escaped.data(), escaped.size());
  return result;
}

Status DecodeBfpPayload(Dtype dtype, ByteView payload, std::span<uint8_t> out) {
  if (!IsBfpDtype(dtype)) {
    return Status::InvalidArgument("bfp payload with dtype " + std::string(DtypeName(dtype)));
  }
  const size_t width = DtypeWidth(dtype);
  if (out.size() % width != 0 || out.size() > kChunkBytes) {
    return Status::InvalidArgument("bfp output of " + std::to_string(out.size()) +
                                   " bytes is not a chunk of whole elements");
  }
  if (payload.size() < kBfpHeaderBytes) {
    return Status::Corruption("bfp payload of " + std::to_string(payload.size()) +
                              " bytes, shorter than its 12-byte header");
  }
  const int m = payload[0];
  if (m < kMinBfpMantissaBits || m > BfpEffectiveMantissaBits(dtype, kMaxBfpMantissaBits)) {
    return Status::Corruption("bfp: mantissa bits " + std::to_string(m) + " out of range for " +
                              std::string(DtypeName(dtype)));
  }
  if (payload[1] != 0) return Status::Corruption("bfp: reserved byte is not zero");
  const int exp_base = static_cast<int16_t>(DecodeFixed16(payload.data() + 2));
  const size_t exp_bytes = DecodeFixed32(payload.data() + 4);
  const size_t mag_bytes = DecodeFixed32(payload.data() + 8);
  ByteView rest = payload.subspan(kBfpHeaderBytes);
  if (exp_bytes > rest.size() || mag_bytes > rest.size() - exp_bytes) {
    return Status::Corruption("bfp: section sizes " + std::to_string(exp_bytes) + " + " +
                              std::to_string(mag_bytes) + " overrun the payload");
  }
  const size_t n = out.size() / width;
  const size_t groups = (n + kBfpGroupElems - 1) / kBfpGroupElems;
  auto sym_buf = codec_internal::NewScratch(groups);
  uint8_t* sym = sym_buf.get();
  MVC_RETURN_IF_ERROR_CTX(codec_internal::DecodePlaneSet(rest.subspan(0, exp_bytes),
                                                         {PlaneSpec{8, -1}}, groups,
                                                         kBfpPlaneModes, {sym}),
                          "bfp exponents");
  size_t coded = 0, escaped_elems = 0;
  const int e_lo = FloatMinSubnormalExponent(dtype), e_hi = FloatMaxExponent(dtype);
  for (size_t g = 0; g < groups; ++g) {
    if (sym[g] == kEscapedGroup) {
      escaped_elems += GroupSize(g, n);
    } else if (sym[g] != kZeroGroup) {
      const int e = exp_base + sym[g] - 1;
      if (e < e_lo || e > e_hi) {
        return Status::Corruption("bfp: group " + std::to_string(g) + " exponent " +
                                  std::to_string(e) + " outside " +
                                  std::string(DtypeName(dtype)) + "'s range");
      }
      coded += GroupSize(g, n);
    }
  }
  const std::vector<PlaneSpec> specs = MagnitudePlanes(m);
  auto mag_buf = codec_internal::NewScratch(specs.size() * coded);
  std::vector<uint8_t*> planes;
  for (size_t j = 0; j < specs.size(); ++j) planes.push_back(mag_buf.get() + j * coded);
  MVC_RETURN_IF_ERROR_CTX(codec_internal::DecodePlaneSet(rest.subspan(exp_bytes, mag_bytes), specs,
                                                         coded, kBfpPlaneModes, planes),
                          "bfp magnitudes");
  size_t nonzero = 0;
  for (size_t i = 0; i < coded; ++i) {
    bool nz = false;
    for (size_t j = 0; j < specs.size(); ++j) nz |= planes[j][i] != 0;
    nonzero += nz;
  }
  const size_t sign_bytes = (nonzero + 7) / 8;
  ByteView tail = rest.subspan(exp_bytes + mag_bytes);
  if (tail.size() != sign_bytes + escaped_elems * width) {
    return Status::Corruption("bfp: " + std::to_string(tail.size()) +
                              " bytes of signs and escaped groups, expected " +
                              std::to_string(sign_bytes + escaped_elems * width));
  }
  if ((nonzero & 7) != 0 && (tail[sign_bytes - 1] >> (nonzero & 7)) != 0) {
    return Status::Corruption("bfp: sign padding bits are not zero");
  }
  const bool wide = dtype == Dtype::kF64;
  const uint8_t* signs = tail.data();
  const uint8_t* esc = tail.data() + sign_bytes;
  size_t ci = 0, si = 0;
  for (size_t g = 0; g < groups; ++g) {
    const size_t begin = g * kBfpGroupElems, end = begin + GroupSize(g, n);
    if (sym[g] == kEscapedGroup) {
      std::memcpy(out.data() + begin * width, esc, (end - begin) * width);
      esc += (end - begin) * width;
      continue;
    }
    if (sym[g] == kZeroGroup) {
      for (size_t i = begin; i < end; ++i) StoreRounded(dtype, 0.0, out.data() + i * width);
      continue;
    }
    const int k = exp_base + sym[g] - 1 + 1 - m;
    const double up = wide ? 0 : std::ldexp(1.0, k);  // as in the encoder
    for (size_t i = begin; i < end; ++i, ++ci) {
      uint32_t mag = 0;
      for (size_t j = 0; j < specs.size(); ++j) mag |= static_cast<uint32_t>(planes[j][ci]) << (8 * j);
      double q = mag;
      if (mag != 0) {
        if ((signs[si >> 3] >> (si & 7)) & 1) q = -q;
        ++si;
      }
      StoreRounded(dtype, wide ? std::ldexp(q, k) : q * up, out.data() + i * width);
    }
  }
  return Status::Ok();
}

}  // namespace mvc
