// core/safetensors_writer.h: write safetensors files and rebuild them from a layout.
//
// BuildSafetensors writes a standard file the way the Python safetensors library
// does (compact JSON header padded with spaces to a multiple of 8, data packed in
// order): tests and demos use it to make files. ReassembleSafetensors is the inverse
// of ParseSafetensors (core/safetensors.h): layout plus each tensor's bytes gives
// back the original file byte for byte, which is what checkout relies on.
//
//   MVC_ASSIGN_OR_RETURN(Bytes file, BuildSafetensors({{"w", Dtype::kF32, {2}, w_bytes}}, {}));
//   MVC_ASSIGN_OR_RETURN(SafetensorsLayout layout, ParseSafetensors(file));
//   MVC_ASSIGN_OR_RETURN(Bytes same, ReassembleSafetensors(layout, {ByteView(w_bytes)}));
#ifndef MVC_CORE_SAFETENSORS_WRITER_H_
#define MVC_CORE_SAFETENSORS_WRITER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/dtype.h"
#include "core/result.h"
#include "core/safetensors.h"

namespace mvc {

struct GeneratedTensor {
  std::string name;
  Dtype dtype;
  std::vector<uint64_t> shape;
  Bytes data;  // exactly product(shape) * DtypeWidth(dtype) bytes
};

// The first 8 + N bytes of the file `layout` came from: the little-endian header
// length followed by the header bytes verbatim.
Bytes SafetensorsPrefix(const SafetensorsLayout& layout);

// A safetensors file holding `tensors` in the given order, both in the header and
// in the data section (no gaps). `metadata`, if not empty, is written first as
// "__metadata__" (keys sorted). The header is compact JSON, keys of each entry in
// the order dtype, shape, data_offsets, padded with spaces to a multiple of 8.
// Errors: kInvalidArgument for a data size that does not match shape and dtype, a
// duplicate or reserved ("__metadata__") name, a name or metadata string that is not
// valid UTF-8, or a header over kMaxSafetensorsHeaderBytes.
Result<Bytes> BuildSafetensors(const std::vector<GeneratedTensor>& tensors,
                               const std::map<std::string, std::string>& metadata);

// Rebuilds the whole file in memory: prefix, gaps and `tensor_bytes[i]` at
// layout.tensors[i].file_offset. The result equals the parsed file byte for byte.
// Errors: kInvalidArgument if tensor_bytes does not have one view per tensor, a
// view's size differs from num_bytes, or the layout's pieces do not exactly cover
// file_size (a layout not produced by ParseSafetensors).
Result<Bytes> ReassembleSafetensors(const SafetensorsLayout& layout,
                                    const std::vector<ByteView>& tensor_bytes);

}  // namespace mvc

#endif  // MVC_CORE_SAFETENSORS_WRITER_H_
