// libFuzzer target: ParseSafetensors on arbitrary bytes (a whole file).
#include <cstddef>
#include <cstdint>

#include "core/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mvc::Result<mvc::SafetensorsLayout> layout = mvc::ParseSafetensors({data, size});
  if (layout.ok()) {
    // What a valid layout promises: every tensor and gap lies inside the file.
    for (const mvc::TensorEntry& t : layout->tensors) {
      if (t.file_offset > size || t.num_bytes > size - t.file_offset) __builtin_trap();
    }
    for (const mvc::FileGap& g : layout->gaps) {
      if (g.file_offset > size || g.bytes.size() > size - g.file_offset) __builtin_trap();
    }
  }
  return 0;
}
