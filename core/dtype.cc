#include "core/dtype.h"

#include <string>

namespace mvc {
namespace {

// Indexed by the enumerator value; slot 0 is unused.
constexpr DtypeInfo kInfos[] = {
    {"", 0, false, 0, 0},
    {"F64", 8, true, 11, 52},
    {"F32", 4, true, 8, 23},
    {"F16", 2, true, 5, 10},
    {"BF16", 2, true, 8, 7},
    {"F8_E4M3", 1, true, 4, 3},
    {"F8_E5M2", 1, true, 5, 2},
    {"I64", 8, false, 0, 0},
    {"I32", 4, false, 0, 0},
    {"I16", 2, false, 0, 0},
    {"I8", 1, false, 0, 0},
    {"U8", 1, false, 0, 0},
    {"BOOL", 1, false, 0, 0},
};

}  // namespace

const DtypeInfo& GetDtypeInfo(Dtype dtype) {
  auto index = static_cast<size_t>(dtype);
  MVC_CHECK(index >= 1 && index < std::size(kInfos));
  return kInfos[index];
}

Result<Dtype> DtypeFromName(std::string_view name) {
  for (Dtype d : kAllDtypes) {
    if (GetDtypeInfo(d).name == name) return d;
  }
  return Status::InvalidArgument("unknown dtype '" + std::string(name) + "'");
}

Result<Dtype> DtypeFromCode(uint8_t code) {
  if (code >= 1 && code < std::size(kInfos)) return static_cast<Dtype>(code);
  return Status::Corruption("unknown dtype code " + std::to_string(code));
}

}  // namespace mvc
