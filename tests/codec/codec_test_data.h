// tests/codec/codec_test_data.h: generated edge-case tensors and a tiny safetensors
// reader for the codec suite (core/safetensors.cc was not available when this suite
// was written; the reader trusts the shared test files).
//
//   Bytes raw = GenerateTensorBytes(Dtype::kBF16, 1001, /*seed=*/7);
//   for (const LocalTensor& t : ReadLocalSafetensors(path)) Use(t.name, t.bytes);
#ifndef MVC_TESTS_CODEC_CODEC_TEST_DATA_H_
#define MVC_TESTS_CODEC_CODEC_TEST_DATA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/dtype.h"

namespace mvc::testing {

// Weight-like values (normal around 0, scale 0.02) with every special bit pattern of
// the dtype sprinkled in: +-0, +-Inf, NaNs with payloads, denormals, extremes.
Bytes GenerateTensorBytes(Dtype dtype, size_t num_elems, uint64_t seed);

// `base` with a small perturbation of a fraction of the elements (a fine-tune step).
Bytes PerturbTensorBytes(Dtype dtype, const Bytes& base, uint64_t seed);

struct LocalTensor {
  std::string name;
  Dtype dtype;
  Bytes bytes;
  std::vector<uint64_t> shape;
};

// All tensors of a safetensors file, in header order. CHECK-fails on a malformed file.
std::vector<LocalTensor> ReadLocalSafetensors(const std::string& path);

}  // namespace mvc::testing

#endif  // MVC_TESTS_CODEC_CODEC_TEST_DATA_H_
