#include "codec/byte_planes.h"

#include <doctest/doctest.h>

#include "codec/ordered_delta.h"
#include "core/bytes.h"
#include "tests/codec/codec_test_data.h"

namespace mvc {
namespace {

TEST_CASE("SplitBytePlanes puts byte k of every element in plane k and MergeBytePlanes undoes it") {
  for (size_t width : {1, 2, 4, 8}) {
    for (size_t n : {0, 1, 7, 1000}) {
      Bytes src(n * width);
      for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<uint8_t>(i * 31 + 7);
      Bytes planes(src.size()), back(src.size());
      SplitBytePlanes(src.data(), n, width, planes.data());
      for (size_t i = 0; i < n; ++i)
        for (size_t k = 0; k < width; ++k) CHECK(planes[k * n + i] == src[i * width + k]);
      MergeBytePlanes(planes.data(), n, width, back.data());
      CHECK(back == src);
    }
  }
}

TEST_CASE("Ordered delta of a value against itself is zero and the inverse is exact for every dtype") {
  for (Dtype d : kAllDtypes) {
    CAPTURE(DtypeName(d));
    Bytes base = testing::GenerateTensorBytes(d, 4097, 1);
    Bytes raw = testing::PerturbTensorBytes(d, base, 2);
    Bytes deltas(raw.size()), back(raw.size());
    const size_t n = raw.size() / DtypeWidth(d);
    OrderedDeltaForward(d, base.data(), base.data(), n, deltas.data());
    CHECK(deltas == Bytes(raw.size(), 0));
    OrderedDeltaForward(d, raw.data(), base.data(), n, deltas.data());
    OrderedDeltaInverse(d, deltas.data(), base.data(), n, back.data());
    CHECK(back == raw);
  }
}

TEST_CASE("Ordered delta counts ulps across zero: -0 to +0 is one step, smallest negative to -0 one step") {
  // F32: image(-0) = ~0x80000000 = 0x7fffffff, image(+0) = 0x80000000: difference 1,
  // zigzag 2.
  uint32_t pos_zero = 0, neg_zero = 0x80000000u;
  uint8_t delta[4];
  OrderedDeltaForward(Dtype::kF32, reinterpret_cast<uint8_t*>(&pos_zero),
                      reinterpret_cast<uint8_t*>(&neg_zero), 1, delta);
  CHECK(delta[0] == 2);
  CHECK(delta[1] == 0);
  uint32_t neg_tiny = 0x80000001u;
  OrderedDeltaForward(Dtype::kF32, reinterpret_cast<uint8_t*>(&neg_tiny),
                      reinterpret_cast<uint8_t*>(&neg_zero), 1, delta);
  CHECK(delta[0] == 1);  // -1 zigzags to 1
}

}  // namespace
}  // namespace mvc
