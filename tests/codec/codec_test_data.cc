#include "tests/codec/codec_test_data.h"

#include <cmath>
#include <cstring>
#include <random>

#include <nlohmann/json.hpp>

#include "core/endian_coding.h"
#include "core/status.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {
namespace {

uint16_t FloatToBf16Bits(float f) {
  uint32_t b; std::memcpy(&b, &f, 4);
  return static_cast<uint16_t>(b >> 16);
}

uint16_t FloatToF16Bits(float f) {
  // Truncating conversion; good enough for test data (specials are injected apart).
  uint32_t b; std::memcpy(&b, &f, 4);
  uint32_t sign = (b >> 16) & 0x8000;
  int exp = static_cast<int>((b >> 23) & 0xff) - 127 + 15;
  uint32_t mant = (b >> 13) & 0x3ff;
  if (exp <= 0) return static_cast<uint16_t>(sign);
  if (exp >= 31) return static_cast<uint16_t>(sign | 0x7c00);
  return static_cast<uint16_t>(sign | (exp << 10) | mant);
}

}  // namespace

Bytes GenerateTensorBytes(Dtype dtype, size_t n, uint64_t seed) {
  const size_t w = DtypeWidth(dtype);
  Bytes out(n * w);
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  // Special bit patterns per width, placed at pseudo-random positions.
  const std::vector<uint64_t> specials16 = {0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e01, 0xfd55,
                                            0x0001, 0x8003, 0x7f80, 0xff80, 0x7fc1, 0x007f, 0xffff};
  const std::vector<uint64_t> specials32 = {0x0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00001,
                                            0xffbfffff, 0x00000001, 0x807fffff, 0x7f7fffff, 0xffffffff};
  const std::vector<uint64_t> specials64 = {0x0, 0x8000000000000000, 0x7ff0000000000000,
                                            0xfff0000000000000, 0x7ff8000000000001,
                                            0x0000000000000001, 0x800fffffffffffff,
                                            0xffffffffffffffff};
  const std::vector<uint64_t> specials8 = {0x00, 0x80, 0x7f, 0xff, 0x01, 0x81, 0x7c, 0xfc, 0x7e};
  for (size_t i = 0; i < n; ++i) {
    float f = normal(rng);
    uint64_t bits = 0;
    bool special = (rng() % 37) == 0;
    switch (dtype) {
      case Dtype::kF64: {
        double d = f;
        std::memcpy(&bits, &d, 8);
        if (special) bits = specials64[rng() % specials64.size()];
        break;
      }
      case Dtype::kF32: {
        uint32_t b; std::memcpy(&b, &f, 4); bits = b;
        if (special) bits = specials32[rng() % specials32.size()];
        break;
      }
      case Dtype::kBF16:
        bits = FloatToBf16Bits(f);
        if (special) bits = specials16[rng() % specials16.size()];
        break;
      case Dtype::kF16:
        bits = FloatToF16Bits(f);
        if (special) bits = specials16[rng() % specials16.size()];
        break;
      case Dtype::kF8_E4M3:
      case Dtype::kF8_E5M2:
        bits = FloatToBf16Bits(f * 16) >> 8;  // rough, exercises sign and small exponents
        if (special) bits = specials8[rng() % specials8.size()];
        break;
      case Dtype::kBool:
        bits = rng() % 5 == 0;
        break;
      default: {  // integers: mostly small, some extremes
        int64_t v = static_cast<int64_t>(std::lround(f * 5000));
        bits = static_cast<uint64_t>(v);
        if (special) bits = (rng() & 1) ? ~uint64_t{0} >> 1 : uint64_t{1} << 63 >> (64 - 8 * w);
        break;
      }
    }
    std::memcpy(out.data() + i * w, &bits, w);  // little-endian low bytes
  }
  return out;
}

Bytes PerturbTensorBytes(Dtype dtype, const Bytes& base, uint64_t seed) {
  const size_t w = DtypeWidth(dtype);
  Bytes out = base;
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i + w <= out.size(); i += w) {
    if (rng() % 3 != 0) continue;
    uint64_t v = 0;
    std::memcpy(&v, out.data() + i, w);
    v += (rng() % 9) - 4;  // a few ulps either way (wraps freely)
    std::memcpy(out.data() + i, &v, w);
  }
  return out;
}

std::vector<LocalTensor> ReadLocalSafetensors(const std::string& path) {
  Bytes file = ReadFileBytes(path);
  MVC_CHECK(file.size() >= 8);
  uint64_t header_len = DecodeFixed64(file.data());
  MVC_CHECK(header_len <= file.size() - 8);
  auto header = nlohmann::json::parse(file.begin() + 8, file.begin() + 8 + header_len);
  const size_t data_start = 8 + header_len;
  std::vector<LocalTensor> out;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    Result<Dtype> dtype = DtypeFromName(it.value()["dtype"].get<std::string>());
    MVC_CHECK(dtype.ok());
    uint64_t begin = it.value()["data_offsets"][0].get<uint64_t>();
    uint64_t end = it.value()["data_offsets"][1].get<uint64_t>();
    MVC_CHECK(begin <= end && data_start + end <= file.size());
    out.push_back({it.key(), *dtype, Bytes(file.begin() + data_start + begin, file.begin() + data_start + end),
                   it.value()["shape"].get<std::vector<uint64_t>>()});
  }
  return out;
}

}  // namespace mvc::testing
