// core/dtype.h: the element types of safetensors files.
//
// Each dtype has a safetensors name ("BF16"), a width in bytes and, for floats, the
// split of its bits into sign, exponent and mantissa fields (the codec splits them
// into separate streams). The numeric value of each enumerator is stored on disk
// (docs/format.md, "Dtype codes"): never renumber.
//
//   Result<Dtype> d = DtypeFromName("BF16");   // kBF16, width 2, exponent 8 bits
#ifndef MVC_CORE_DTYPE_H_
#define MVC_CORE_DTYPE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/result.h"

namespace mvc {

enum class Dtype : uint8_t {
  kF64 = 1,
  kF32 = 2,
  kF16 = 3,
  kBF16 = 4,
  kF8_E4M3 = 5,
  kF8_E5M2 = 6,
  kI64 = 7,
  kI32 = 8,
  kI16 = 9,
  kI8 = 10,
  kU8 = 11,
  kBool = 12,
};

inline constexpr Dtype kAllDtypes[] = {
    Dtype::kF64,     Dtype::kF32, Dtype::kF16, Dtype::kBF16, Dtype::kF8_E4M3, Dtype::kF8_E5M2,
    Dtype::kI64,     Dtype::kI32, Dtype::kI16, Dtype::kI8,   Dtype::kU8,      Dtype::kBool};

struct DtypeInfo {
  std::string_view name;   // safetensors spelling: "F32", "BF16", "F8_E4M3", "BOOL"
  uint8_t width_bytes;     // 1, 2, 4 or 8
  bool is_float;
  uint8_t exponent_bits;   // 0 for integers and BOOL
  uint8_t mantissa_bits;   // 0 for integers and BOOL
};

// REQUIRES: `dtype` is one of kAllDtypes.
const DtypeInfo& GetDtypeInfo(Dtype dtype);
inline size_t DtypeWidth(Dtype dtype) { return GetDtypeInfo(dtype).width_bytes; }
inline std::string_view DtypeName(Dtype dtype) { return GetDtypeInfo(dtype).name; }

// Parses a safetensors dtype name. Errors: kInvalidArgument "unknown dtype 'X'".
Result<Dtype> DtypeFromName(std::string_view name);

// Parses a stored dtype code. Errors: kCorruption "unknown dtype code N".
Result<Dtype> DtypeFromCode(uint8_t code);

}  // namespace mvc

#endif  // MVC_CORE_DTYPE_H_
