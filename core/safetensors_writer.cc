#include "core/safetensors_writer.h"

#include <cstring>
#include <exception>
#include <set>

#include <nlohmann/json.hpp>

#include "core/endian_coding.h"
#include "core/tensor_record.h"

namespace mvc {

Bytes SafetensorsPrefix(const SafetensorsLayout& layout) {
  Bytes out;
  out.reserve(8 + layout.header_bytes.size());
  PutFixed64(&out, layout.header_bytes.size());
  PutBytes(&out, layout.header_bytes.data(), layout.header_bytes.size());
  return out;
}

Result<Bytes> BuildSafetensors(const std::vector<GeneratedTensor>& tensors,
                               const std::map<std::string, std::string>& metadata) {
  // ordered_json keeps insertion order, as the caller asked for.
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    nlohmann::ordered_json meta = nlohmann::ordered_json::object();
    for (const auto& [key, value] : metadata) meta[key] = value;
    header["__metadata__"] = std::move(meta);
  }
  std::set<std::string> names;
  uint64_t offset = 0;
  for (const GeneratedTensor& t : tensors) {
    if (t.name == "__metadata__") {
      return Status::InvalidArgument("tensor name '__metadata__' is reserved");
    }
    if (!names.insert(t.name).second) {
      return Status::InvalidArgument("duplicate tensor name '" + t.name + "'");
    }
    Result<uint64_t> elems = ShapeElementCount(t.shape);
    uint64_t needed;
    if (!elems.ok() || __builtin_mul_overflow(*elems, uint64_t{DtypeWidth(t.dtype)}, &needed) ||
        needed != t.data.size()) {
      return Status::InvalidArgument("tensor '" + t.name + "': data holds " +
                                     std::to_string(t.data.size()) +
                                     " bytes, which does not match its shape and dtype");
    }
    header[t.name] = {{"dtype", std::string(DtypeName(t.dtype))},
                      {"shape", t.shape},
                      {"data_offsets", {offset, offset + needed}}};
    offset += needed;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const std::exception&) {
    return Status::InvalidArgument("tensor name or metadata is not valid UTF-8");
  }
  // The Python library pads the header with spaces so the data section starts on an
  // 8-byte boundary.
  text.append((8 - text.size() % 8) % 8, ' ');
  if (text.size() > kMaxSafetensorsHeaderBytes) {
    return Status::InvalidArgument("header of " + std::to_string(text.size()) +
                                   " bytes exceeds the limit");
  }
  Bytes out;
  out.reserve(8 + text.size() + offset);
  PutFixed64(&out, text.size());
  PutBytes(&out, text.data(), text.size());
  for (const GeneratedTensor& t : tensors) PutBytes(&out, t.data.data(), t.data.size());
  return out;
}

Result<Bytes> ReassembleSafetensors(const SafetensorsLayout& layout,
                                    const std::vector<ByteView>& tensor_bytes) {
  if (tensor_bytes.size() != layout.tensors.size()) {
    return Status::InvalidArgument("reassembly got " + std::to_string(tensor_bytes.size()) +
                                   " tensors for a layout of " +
                                   std::to_string(layout.tensors.size()));
  }
  // Every piece must lie inside the file and the pieces must add up to it; with
  // ParseSafetensors refusing overlaps this means every byte is written exactly once.
  const uint64_t size = layout.file_size;
  uint64_t covered = 8 + layout.header_bytes.size();
  if (covered > size) return Status::InvalidArgument("layout header is larger than the file");
  auto inside = [size](uint64_t offset, uint64_t n) { return offset <= size && n <= size - offset; };
  for (size_t i = 0; i < layout.tensors.size(); ++i) {
    const TensorEntry& t = layout.tensors[i];
    if (tensor_bytes[i].size() != t.num_bytes) {
      return Status::InvalidArgument("tensor '" + t.name + "': reassembly got " +
                                     std::to_string(tensor_bytes[i].size()) + " bytes, expected " +
                                     std::to_string(t.num_bytes));
    }
    if (!inside(t.file_offset, t.num_bytes)) {
      return Status::InvalidArgument("tensor '" + t.name + "' lies outside the file");
    }
    covered += t.num_bytes;
  }
  for (const FileGap& g : layout.gaps) {
    if (!inside(g.file_offset, g.bytes.size())) {
      return Status::InvalidArgument("gap at " + std::to_string(g.file_offset) +
                                     " lies outside the file");
    }
    covered += g.bytes.size();
  }
  if (covered != size) {
    return Status::InvalidArgument("layout pieces cover " + std::to_string(covered) +
                                   " bytes of a " + std::to_string(size) + "-byte file");
  }
  Bytes out = SafetensorsPrefix(layout);
  out.resize(size);
  for (size_t i = 0; i < layout.tensors.size(); ++i) {
    if (!tensor_bytes[i].empty()) {
      std::memcpy(out.data() + layout.tensors[i].file_offset, tensor_bytes[i].data(),
                  tensor_bytes[i].size());
    }
  }
  for (const FileGap& g : layout.gaps) {
    if (!g.bytes.empty()) std::memcpy(out.data() + g.file_offset, g.bytes.data(), g.bytes.size());
  }
  return out;
}

}  // namespace mvc
