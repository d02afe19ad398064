// libFuzzer target: TensorRecord::Parse on arbitrary bytes.
#include <cstddef>
#include <cstdint>

#include "core/tensor_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mvc::Result<mvc::TensorRecord> r = mvc::TensorRecord::Parse({data, size});
  if (r.ok()) {
    std::string again = r->Serialize();
    if (again.size() != size || again.compare(0, size, reinterpret_cast<const char*>(data), size) != 0) {
      __builtin_trap();  // canonical: parse(serialize) must be the identity on accepted input
    }
  }
  return 0;
}
