// tests/testing/tensor_factory.h: tensor bytes of every dtype for tests.
//
// Random tensors look like trained weights (normal values with a small standard
// deviation, rounded to nearest even into F16/BF16/F8); special tensors cycle
// through the values that break naive codecs (NaN payloads, infinities, -0,
// denormals, extreme normals). Every generator is deterministic given its arguments,
// on every platform (no std:: distributions, whose output is implementation-defined).
//
//   Bytes w = RandomTensorBytes(Dtype::kBF16, 4096, /*seed=*/7);
//   Bytes odd = SpecialFloatBytes(Dtype::kF16, 100);
#ifndef MVC_TESTS_TESTING_TENSOR_FACTORY_H_
#define MVC_TESTS_TESTING_TENSOR_FACTORY_H_

#include <cstdint>

#include "core/bytes.h"
#include "core/dtype.h"

namespace mvc::testing {

// elems * DtypeWidth(dtype) bytes, little-endian. Floats: N(0, 0.02^2) plus a few
// larger outliers; integers: uniform over the whole range; BOOL: 0 or 1.
Bytes RandomTensorBytes(Dtype dtype, uint64_t elems, uint64_t seed);

// elems elements cycling through special values of `dtype`: for floats NaNs with
// different payloads and signs, +-Inf (F8_E4M3 has none: its NaN encodings instead),
// -0, +0, smallest and largest denormals, smallest and largest normals, +-1; for
// integers min, max, 0, -1 and 1 (as the type allows); for BOOL 0 and 1.
Bytes SpecialFloatBytes(Dtype dtype, uint64_t elems);

// elems * DtypeWidth(dtype) copies of `byte`.
Bytes ConstantTensorBytes(Dtype dtype, uint64_t elems, uint8_t byte);

// Encodes `value` into the float format of `dtype` (round to nearest even;
// saturates to the largest finite value for F8_E4M3, to infinity otherwise) and
// returns its bits in the low DtypeWidth(dtype) bytes. REQUIRES: a float dtype.
uint64_t EncodeFloatBits(Dtype dtype, double value);

}  // namespace mvc::testing

#endif  // MVC_TESTS_TESTING_TENSOR_FACTORY_H_
