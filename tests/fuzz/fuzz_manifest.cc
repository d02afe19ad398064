// libFuzzer target: FileManifest::Parse on arbitrary blobs (with and without the magic).
#include <cstddef>
#include <cstdint>
#include <string>

#include "refs/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view blob(reinterpret_cast<const char*>(data), size);
  mvc::Result<mvc::FileManifest> m = mvc::FileManifest::Parse(blob);
  if (m.ok()) {
    // A parsed manifest serializes and parses again to the same bytes.
    std::string again = m->Serialize();
    mvc::Result<mvc::FileManifest> back = mvc::FileManifest::Parse(again);
    if (!back.ok() || back->Serialize() != again) __builtin_trap();
    (void)m->Layout();
  }
  // The same bytes behind the magic, so the JSON parser is reached most of the time.
  std::string with_magic = std::string("mvc-manifest\0v1\n", 16) + std::string(blob);
  (void)mvc::FileManifest::Parse(with_magic);
  return 0;
}
