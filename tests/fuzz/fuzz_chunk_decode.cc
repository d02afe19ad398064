// libFuzzer target: ParseChunkFrame + DecodeChunk on arbitrary frames. The base chunk
// (for delta codecs) is derived from the input so both the frame and the base vary.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "codec/chunk_codec.h"
#include "core/chunking.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mvc::ByteView frame(data, size);
  mvc::Result<mvc::ChunkFrameView> view = mvc::ParseChunkFrame(frame);
  if (!view.ok()) return 0;
  if (view->raw_size > mvc::kChunkBytes) __builtin_trap();
  std::vector<uint8_t> out(view->raw_size);
  std::vector<uint8_t> base;
  if (view->base_id) {
    base.resize(view->raw_size);
    for (size_t i = 0; i < base.size(); ++i) base[i] = static_cast<uint8_t>(data[i % size] * 31 + i);
  }
  (void)mvc::DecodeChunk(*view, base, out);
  return 0;
}
