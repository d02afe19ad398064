#include "codec/internal/plane_container.h"

#include <zstd.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <string>

#include "codec/byte_planes.h"
#include "codec/format.h"
#include "codec/internal/byte_histogram.h"
#include "codec/internal/entropy_stream.h"
#include "codec/internal/rans_stream.h"
#include "core/endian_coding.h"

namespace mvc::codec_internal {
namespace {

struct CCtxDeleter { void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); } };
struct DCtxDeleter { void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); } };

// Planes of at least this many symbols estimate zstd on a sample before running it.
constexpr size_t kZstdSampleFrom = 64 * 1024;

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

// An eighth of a plane of n >= kZstdSampleFrom symbols, as 16 evenly spaced runs: the
// sample both the near-uniform test and the zstd trial look at.
const Bytes& SamplePlane(const uint8_t* p, size_t n) {
  thread_local Bytes sample;
  const size_t run = n / 8 / 16;
  sample.resize(16 * run);
  for (size_t r = 0; r < 16; ++r) std::memcpy(sample.data() + r * run, p + (n - run) * r / 15, run);
  return sample;
}

// Whether a byte plane without context is so near uniform that no entropy coder can
// pay for its table: the order-0 entropy of its sample, corrected for the small-sample
// bias (255 / (2 N ln 2) bits), is at least 7.985 bits a symbol (Huffman could save at
// most 0.2%). Saves the full histogram of F32's low mantissa bytes, a third of codec
// 8's encode time on F32.
bool NearUniform(const Bytes& sample) {
  const double m = double(sample.size());
  return ByteEntropyBits(sample.data(), sample.size()) + 255.0 / (2.0 * m * std::log(2.0)) >= 7.985;
}

bool AllBelow(const uint8_t* p, size_t n, int bits) {
  if (bits >= 8) return true;
  uint8_t bad = 0;
  const uint8_t mask = static_cast<uint8_t>(0xFF << bits);
  for (size_t i = 0; i < n; ++i) bad |= p[i] & mask;
  return bad == 0;
}

}  // namespace

double ByteEntropyBits(const uint8_t* p, size_t n) {
  if (n == 0) return 0;
  uint32_t h[256];
  ByteHistogram(p, n, h);
  double bits = 0;
  for (uint32_t c : h) if (c) bits -= double(c) * std::log2(double(c) / double(n));
  return bits / double(n);
}

ZSTD_CCtx* ThreadCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> cctx(ZSTD_createCCtx());
  return cctx.get();
}

ZSTD_DCtx* ThreadDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> dctx(ZSTD_createDCtx());
  return dctx.get();
}

uint8_t* ThreadScratch(ScratchSlot slot, size_t bytes) {
  struct Buffer {
    std::unique_ptr<uint8_t[]> data;
    size_t size = 0;
  };
  thread_local Buffer buffers[4];
  Buffer& b = buffers[static_cast<int>(slot)];
  if (b.size < bytes || !b.data) {
    b.data = NewScratch(bytes);
    b.size = bytes;
  }
  return b.data.get();
}

Status EncodePlaneSet(const std::vector<const uint8_t*>& planes, const std::vector<PlaneSpec>& specs,
                      size_t n, const PlaneOptions& options, Bytes* out, size_t first) {
  ZSTD_CCtx* cctx = nullptr;
  thread_local Bytes scratch;
  for (size_t k = first; k < planes.size(); ++k) {
    const uint8_t* plane = planes[k];
    if (n > 0 && AllEqual(plane, n)) {
      out->push_back(static_cast<uint8_t>(PlaneMode::kConstant));
      out->push_back(plane[0]);
      continue;
    }
    size_t best = n;  // raw costs n bytes after the mode byte
    PlaneMode mode = PlaneMode::kRaw;
    EntropyPlan plan;
    const bool byte_plane = specs[k].context < 0 && specs[k].bits == 8;
    const Bytes* sample =
        n >= kZstdSampleFrom && (byte_plane || options.allow_zstd) ? &SamplePlane(plane, n) : nullptr;
    const bool uniform = byte_plane && sample && NearUniform(*sample);
    // A plane without context is counted once for both entropy coders.
    uint32_t counts[256];
    const bool count_once = options.allow_entropy && options.allow_rans && n > 0 && specs[k].context < 0 && !uniform;
    if (count_once) ByteHistogram(plane, n, counts);
    if (options.allow_entropy && n > 0 && !uniform) {
      const PlaneSpec& s = specs[k];
      const uint8_t* ctx = s.context >= 0 ? planes[s.context] : nullptr;
      int cbits = s.context >= 0 ? specs[s.context].bits : 0;
      plan = PlanEntropyStream(plane, ctx, n, s.bits, cbits, count_once ? counts : nullptr);
      if (plan.encoded_bytes + 4 < best) { best = plan.encoded_bytes + 4; mode = PlaneMode::kEntropy; }
    }
    RansPlan rans;
    if (options.allow_rans && n > 0 && specs[k].context < 0 && !uniform) {
      rans = PlanRansStream(plane, n, count_once ? counts : nullptr);
      // rANS decodes at about a third of Huffman's speed: it must save 2% to be used.
      const size_t bar = mode == PlaneMode::kEntropy ? best - best / 50 : best;
      if (rans.encoded_bytes + 4 < bar) { best = rans.encoded_bytes + 4; mode = PlaneMode::kRans; }
    }
    size_t zsize = 0;
    if (options.allow_zstd && n > 0) {
      if (!cctx) {
        cctx = ThreadCCtx();
        if (!cctx) return Status::Internal("zstd: cannot create a compression context");
        scratch.resize(ZSTD_compressBound(n));
      }
      // With an entropy coder beside it, zstd only wins on planes with repeats; a
      // sample (an eighth of the plane, 16 runs) shows those at an eighth of the cost.
      bool try_zstd = true;
      if (mode != PlaneMode::kRaw && sample) {
        size_t zs = ZSTD_compressCCtx(cctx, scratch.data(), scratch.size(), sample->data(), sample->size(),
                                      options.zstd_level);
        if (ZSTD_isError(zs)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(zs));
        try_zstd = double(zs) * double(n) / double(sample->size()) < 1.05 * double(best);
      }
      if (try_zstd) {
        zsize = ZSTD_compressCCtx(cctx, scratch.data(), scratch.size(), plane, n, options.zstd_level);
        if (ZSTD_isError(zsize)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(zsize));
        if (zsize + 4 < best) { best = zsize + 4; mode = PlaneMode::kZstd; }
      }
    }
    out->push_back(static_cast<uint8_t>(mode));
    switch (mode) {
      case PlaneMode::kZstd:
        PutFixed32(out, static_cast<uint32_t>(zsize));
        PutBytes(out, scratch.data(), zsize);
        break;
      case PlaneMode::kEntropy: {
        const size_t at = out->size();
        PutFixed32(out, 0);
        const PlaneSpec& s = specs[k];
        WriteEntropyStream(plan, plane, s.context >= 0 ? planes[s.context] : nullptr, n, out);
        EncodeFixed32(out->data() + at, static_cast<uint32_t>(out->size() - at - 4));
        break;
      }
      case PlaneMode::kRans: {
        const size_t at = out->size();
        PutFixed32(out, 0);
        WriteRansStream(rans, plane, n, out);
        EncodeFixed32(out->data() + at, static_cast<uint32_t>(out->size() - at - 4));
        break;
      }
      default:
        PutBytes(out, plane, n);
    }
  }
  return Status::Ok();
}

Status DecodePlaneSet(ByteView payload, const std::vector<PlaneSpec>& specs, size_t n,
                      const PlaneOptions& allowed, const std::vector<uint8_t*>& planes, size_t first) {
  ZSTD_DCtx* dctx = nullptr;
  size_t pos = 0;
  for (size_t k = first; k < specs.size(); ++k) {
    std::string where = "plane " + std::to_string(k);
    if (pos >= payload.size()) return Status::Corruption(where + ": truncated before its mode byte");
    const uint8_t mode = payload[pos++];
    uint8_t* plane = planes[k];
    const PlaneSpec& spec = specs[k];
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
      case PlaneMode::kZstd:
      case PlaneMode::kEntropy:
      case PlaneMode::kRans: {
        const bool zstd = mode == static_cast<uint8_t>(PlaneMode::kZstd);
        const bool rans = mode == static_cast<uint8_t>(PlaneMode::kRans);
        if (zstd ? !allowed.allow_zstd
                 : rans ? !(allowed.allow_rans && spec.context < 0) : !allowed.allow_entropy) {
          return Status::Corruption(where + ": mode " + std::to_string(mode) + " not allowed in this codec");
        }
        if (payload.size() - pos < 4) return Status::Corruption(where + ": size truncated");
        const uint32_t c = DecodeFixed32(payload.data() + pos);
        pos += 4;
        if (payload.size() - pos < c) {
          return Status::Corruption(where + ": stream of " + std::to_string(c) +
                                    " bytes overruns the payload");
        }
        ByteView body = payload.subspan(pos, c);
        pos += c;
        if (rans) {
          MVC_RETURN_IF_ERROR_CTX(DecodeRansStream(body, n, plane), where);
          break;  // then the range check below (rANS symbols span 8 bits)
        }
        if (!zstd) {
          const uint8_t* ctx = spec.context >= 0 ? planes[spec.context] : nullptr;
          MVC_RETURN_IF_ERROR_CTX(
              DecodeEntropyStream(body, ctx, n, spec.bits, spec.context >= 0 ? specs[spec.context].bits : 0, plane),
              where);
          continue;  // entropy-decoded symbols are in range by construction
        }
        if (!dctx) {
          dctx = ThreadDCtx();
          if (!dctx) return Status::Internal("zstd: cannot create a decompression context");
        }
        size_t d = ZSTD_decompressDCtx(dctx, plane, n, body.data(), body.size());
        if (ZSTD_isError(d)) return Status::Corruption(where + ": zstd: " + ZSTD_getErrorName(d));
        if (d != n) {
          return Status::Corruption(where + ": zstd frame holds " + std::to_string(d) +
                                    " bytes, expected " + std::to_string(n));
        }
        break;
      }
      default:
        return Status::Corruption(where + ": unknown plane mode " + std::to_string(mode));
    }
    // Later planes use this one as a table index: its symbols must be in range.
    if (!AllBelow(plane, n, spec.bits)) {
      return Status::Corruption(where + ": symbol out of its " + std::to_string(spec.bits) + "-bit range");
    }
  }
  if (pos != payload.size()) {
    return Status::Corruption(std::to_string(payload.size() - pos) +
                              " trailing bytes after the last plane");
  }
  return Status::Ok();
}

Status EncodePlanes(const uint8_t* elems, size_t n, size_t width, const PlaneOptions& options,
                    Bytes* out) {
  uint8_t* buf = ThreadScratch(ScratchSlot::kPlanes, n * width);
  if (n) SplitBytePlanes(elems, n, width, buf);
  std::vector<const uint8_t*> planes(width);
  for (size_t k = 0; k < width; ++k) planes[k] = buf + k * n;
  return EncodePlaneSet(planes, std::vector<PlaneSpec>(width), n, options, out);
}

Status DecodePlanes(ByteView payload, size_t n, size_t width, const PlaneOptions& allowed,
                    uint8_t* out) {
  // Decoded into a scratch buffer of exactly n * width bytes (the caller has bounded
  // that by the frame's raw_size), then merged.
  uint8_t* buf = ThreadScratch(ScratchSlot::kPlanes, n * width);
  std::vector<uint8_t*> planes(width);
  for (size_t k = 0; k < width; ++k) planes[k] = buf + k * n;
  MVC_RETURN_IF_ERROR(DecodePlaneSet(payload, std::vector<PlaneSpec>(width), n, allowed, planes));
  if (n) MergeBytePlanes(buf, n, width, out);
  return Status::Ok();
}

}  // namespace mvc::codec_internal
