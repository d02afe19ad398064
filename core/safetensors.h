// core/safetensors.h: parse and validate a safetensors file's layout.
//
// A safetensors file is an 8-byte little-endian header length N, N bytes of JSON
// header, then the data section. mvc keeps the original header bytes and every byte
// of the data section that no tensor covers (padding, gaps), so a file is rebuilt
// byte for byte from its layout plus its tensors (docs/format.md, "File manifest").
//
//   MVC_ASSIGN_OR_RETURN(MappedFile file, MappedFile::Open(path));
//   MVC_ASSIGN_OR_RETURN(SafetensorsLayout layout, ParseSafetensors(file.bytes()));
//   for (const TensorEntry& t : layout.tensors) Use(t.name, file.bytes().subspan(t.file_offset, t.num_bytes));
#ifndef MVC_CORE_SAFETENSORS_H_
#define MVC_CORE_SAFETENSORS_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/result.h"

namespace mvc {

// Resource limits on untrusted input.
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = uint64_t{100} << 20;  // 100 MiB
inline constexpr size_t kMaxSafetensorsTensors = 10'000'000;

struct TensorEntry {
  std::string name;
  Dtype dtype;
  std::vector<uint64_t> shape;
  uint64_t file_offset;  // absolute offset in the file (8 + N + data_offsets[0])
  uint64_t num_bytes;
};

// A gap: bytes of the data section no tensor covers, kept verbatim.
struct FileGap {
  uint64_t file_offset;
  std::string bytes;
};

struct SafetensorsLayout {
  std::string header_bytes;          // the N bytes of JSON exactly as in the file
  std::vector<TensorEntry> tensors;  // in order of file_offset (ties: header order)
  std::vector<FileGap> gaps;         // in order of file_offset
  uint64_t file_size = 0;
};

// Parses and validates `file` (the whole file's bytes, typically mapped).
// Checks: header length within the file and under kMaxSafetensorsHeaderBytes; valid
// JSON object; each tensor entry has a known dtype, a shape of non-negative integers
// whose product * width does not overflow and equals end - begin; begin <= end inside
// the data section; no two tensors overlap; names unique; "__metadata__" (if present)
// a string-to-string object. Gaps larger than kMaxSafetensorsHeaderBytes in total are
// refused (kInvalidArgument) so no allocation is driven by an unchecked number.
// Errors: kInvalidArgument with a one-line message naming the problem and, where it
// applies, the tensor, e.g. "tensor 'a.weight': data_offsets [0, 10] do not match
// shape [3] of F32 (12 bytes)". The caller prefixes the file name.
Result<SafetensorsLayout> ParseSafetensors(std::span<const uint8_t> file);

}  // namespace mvc

#endif  // MVC_CORE_SAFETENSORS_H_
