#include "tests/testing/tensor_factory.h"

#include <doctest/doctest.h>

#include <cstring>

#include "core/endian_coding.h"

namespace mvc {
namespace {

using testing::EncodeFloatBits;
using testing::RandomTensorBytes;
using testing::SpecialFloatBytes;

TEST_CASE("Random tensors are deterministic given the seed and differ across seeds") {
  for (Dtype dtype : kAllDtypes) {
    CAPTURE(DtypeName(dtype));
    Bytes a = RandomTensorBytes(dtype, 256, 5);
    CHECK(a.size() == 256 * DtypeWidth(dtype));
    CHECK(a == RandomTensorBytes(dtype, 256, 5));
    CHECK(a != RandomTensorBytes(dtype, 256, 6));
  }
}

TEST_CASE("Float encodings round to nearest even and handle the edges") {
  CHECK(EncodeFloatBits(Dtype::kF16, 1.0) == 0x3C00);
  CHECK(EncodeFloatBits(Dtype::kF16, -2.0) == 0xC000);
  CHECK(EncodeFloatBits(Dtype::kF16, 65504.0) == 0x7BFF);
  CHECK(EncodeFloatBits(Dtype::kF16, 1e6) == 0x7C00);
  CHECK(EncodeFloatBits(Dtype::kF16, 0x1p-24) == 0x0001);   // smallest denormal
  CHECK(EncodeFloatBits(Dtype::kF16, 0x1p-26) == 0x0000);   // rounds to zero
  CHECK(EncodeFloatBits(Dtype::kF16, 1.0 + 0x1p-11) == 0x3C00);  // tie to even
  CHECK(EncodeFloatBits(Dtype::kF16, 1.0 + 3 * 0x1p-11) == 0x3C02);
  CHECK(EncodeFloatBits(Dtype::kBF16, 1.0) == 0x3F80);
  CHECK(EncodeFloatBits(Dtype::kBF16, -0.0) == 0x8000);
  CHECK(EncodeFloatBits(Dtype::kF8_E4M3, 448.0) == 0x7E);
  CHECK(EncodeFloatBits(Dtype::kF8_E4M3, 1e9) == 0x7E);     // saturates, no Inf
  CHECK(EncodeFloatBits(Dtype::kF8_E4M3, 1.0) == 0x38);
  CHECK(EncodeFloatBits(Dtype::kF8_E5M2, 1.0) == 0x3C);
  CHECK(EncodeFloatBits(Dtype::kF8_E5M2, 57344.0) == 0x7B);
  float f = 0.1f;
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  CHECK(EncodeFloatBits(Dtype::kF32, 0.1) == bits);
}

TEST_CASE("Special float tensors hold NaN payloads, infinities, signed zeros and denormals") {
  Bytes f16 = SpecialFloatBytes(Dtype::kF16, 40);
  REQUIRE(f16.size() == 80);
  bool nan = false, other_nan = false, inf = false, neg_zero = false, denormal = false;
  for (size_t i = 0; i < 40; ++i) {
    uint16_t v = DecodeFixed16(f16.data() + 2 * i);
    if (v == 0x7E00) nan = true;
    if ((v & 0x7C00) == 0x7C00 && (v & 0x3FF) != 0 && v != 0x7E00) other_nan = true;
    if (v == 0xFC00) inf = true;
    if (v == 0x8000) neg_zero = true;
    if (v == 0x0001) denormal = true;
  }
  CHECK((nan && other_nan && inf && neg_zero && denormal));
  Bytes e4m3 = SpecialFloatBytes(Dtype::kF8_E4M3, 4);
  CHECK(e4m3 == Bytes{0x7F, 0xFF, 0x7E, 0xFE});
}

}  // namespace
}  // namespace mvc
