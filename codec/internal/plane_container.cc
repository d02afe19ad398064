#include "codec/internal/plane_container.h"

#include <zstd.h>

#include <cstring>
#include <memory>
#include <string>

#include "codec/byte_planes.h"
#include "codec/format.h"
#include "core/endian_coding.h"

namespace mvc::codec_internal {
namespace {

struct CCtxDeleter { void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); } };
struct DCtxDeleter { void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); } };

bool AllEqual(const uint8_t* p, size_t n) {
  // Compare in 8-byte words against the broadcast first byte.
  uint64_t pattern = 0x0101010101010101ull * p[0];
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w; std::memcpy(&w, p + i, 8);
    if (w != pattern) return false;
  }
  for (; i < n; ++i) if (p[i] != p[0]) return false;
  return true;
}

}  // namespace

Status EncodePlanes(const uint8_t* elems, size_t n, size_t width, const PlaneOptions& options,
                    Bytes* out) {
  Bytes planes(n * width);
  if (n) SplitBytePlanes(elems, n, width, planes.data());
  std::unique_ptr<ZSTD_CCtx, CCtxDeleter> cctx(ZSTD_createCCtx());
  if (!cctx) return Status::Internal("zstd: cannot create a compression context");
  Bytes scratch(ZSTD_compressBound(n));
  for (size_t k = 0; k < width; ++k) {
    const uint8_t* plane = planes.data() + k * n;
    if (n > 0 && AllEqual(plane, n)) {
      out->push_back(static_cast<uint8_t>(PlaneMode::kConstant));
      out->push_back(plane[0]);
      continue;
    }
    size_t best = n;  // raw costs n bytes after the mode byte
    size_t c = ZSTD_compressCCtx(cctx.get(), scratch.data(), scratch.size(), plane, n,
                                 options.zstd_level);
    if (ZSTD_isError(c)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(c));
    if (c + 4 < best && c <= UINT32_MAX) {
      out->push_back(static_cast<uint8_t>(PlaneMode::kZstd));
      PutFixed32(out, static_cast<uint32_t>(c));
      PutBytes(out, scratch.data(), c);
    } else {
      out->push_back(static_cast<uint8_t>(PlaneMode::kRaw));
      PutBytes(out, plane, n);
    }
  }
  return Status::Ok();
}

Status DecodePlanes(ByteView payload, size_t n, size_t width, bool allow_entropy, uint8_t* out) {
  // Planes are decoded into a scratch buffer of exactly n * width bytes (the caller
  // has checked that against the frame's bounded raw_size), then merged.
  Bytes planes(n * width);
  std::unique_ptr<ZSTD_DCtx, DCtxDeleter> dctx;
  size_t pos = 0;
  for (size_t k = 0; k < width; ++k) {
    std::string where = "plane " + std::to_string(k);
    if (pos >= payload.size()) return Status::Corruption(where + ": truncated before its mode byte");
    uint8_t mode = payload[pos++];
    uint8_t* plane = planes.data() + k * n;
    switch (static_cast<PlaneMode>(mode)) {
      case PlaneMode::kRaw:
        if (payload.size() - pos < n) return Status::Corruption(where + ": raw plane truncated");
        if (n) std::memcpy(plane, payload.data() + pos, n);
        pos += n;
        break;
      case PlaneMode::kConstant:
        if (payload.size() - pos < 1) return Status::Corruption(where + ": constant plane truncated");
        if (n) std::memset(plane, payload[pos], n);
        pos += 1;
        break;
      case PlaneMode::kZstd: {
        if (payload.size() - pos < 4) return Status::Corruption(where + ": zstd size truncated");
        uint32_t c = DecodeFixed32(payload.data() + pos);
        pos += 4;
        if (payload.size() - pos < c) {
          return Status::Corruption(where + ": zstd frame of " + std::to_string(c) +
                                    " bytes overruns the payload");
        }
        if (!dctx) {
          dctx.reset(ZSTD_createDCtx());
          if (!dctx) return Status::Internal("zstd: cannot create a decompression context");
        }
        size_t d = ZSTD_decompressDCtx(dctx.get(), plane, n, payload.data() + pos, c);
        if (ZSTD_isError(d)) {
          return Status::Corruption(where + ": zstd: " + ZSTD_getErrorName(d));
        }
        if (d != n) {
          return Status::Corruption(where + ": zstd frame holds " + std::to_string(d) +
                                    " bytes, expected " + std::to_string(n));
        }
        pos += c;
        break;
      }
      case PlaneMode::kEntropy:
        if (!allow_entropy) return Status::Corruption(where + ": entropy mode not allowed in this codec");
        return Status::Corruption(where + ": entropy mode not implemented");
      default:
        return Status::Corruption(where + ": unknown plane mode " + std::to_string(mode));
    }
  }
  if (pos != payload.size()) {
    return Status::Corruption(std::to_string(payload.size() - pos) +
                              " trailing bytes after the last plane");
  }
  if (n) MergeBytePlanes(planes.data(), n, width, out);
  return Status::Ok();
}

}  // namespace mvc::codec_internal
