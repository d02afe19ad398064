#include "core/safetensors.h"

#include <algorithm>
#include <exception>
#include <numeric>
#include <set>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/endian_coding.h"
#include "core/tensor_record.h"

namespace mvc {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kMetadataKey = "__metadata__";
// The deepest a valid header nests is 3 (top object, entry, shape array); anything
// far deeper is hostile input, refused before the DOM gets deep enough to matter.
constexpr int kMaxJsonDepth = 64;

struct TooDeep {};

std::string ShapeText(const std::vector<uint64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

std::string OffsetsText(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

// Names come from untrusted JSON: messages stay one short line, so control bytes
// are escaped and very long names cut.
std::string Quoted(std::string_view name) {
  constexpr size_t kMaxShown = 200;
  std::string out = "'";
  for (size_t i = 0; i < name.size() && i < kMaxShown; ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (name.size() > kMaxShown) out += "...";
  return out + "'";
}

// nlohmann's messages start with "[json.exception.parse_error.101] "; the id is
// noise to a user. They quote the last token read, which can be megabytes long.
std::string ShortJsonReason(const char* what) {
  constexpr size_t kMaxReason = 300;
  std::string_view s(what);
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find("] ");
    if (close != std::string_view::npos) s.remove_prefix(close + 2);
  }
  std::string out(s.substr(0, kMaxReason));
  if (s.size() > kMaxReason) out += "...";
  return out;
}

// Parses the header, recording the top-level keys in file order: nlohmann::json
// stores objects in a std::map, so it both reorders keys and silently keeps one of
// two duplicates; the callback sees every key as it is read.
Status ParseHeaderJson(std::string_view text, Json* out, std::vector<std::string>* keys) {
  auto callback = [keys](int depth, Json::parse_event_t event, Json& parsed) {
    if (depth > kMaxJsonDepth) throw TooDeep{};
    if (event == Json::parse_event_t::key && depth == 1) {
      keys->push_back(parsed.get<std::string>());
    }
    return true;
  };
  try {
    *out = Json::parse(text.begin(), text.end(), callback);
  } catch (const TooDeep&) {
    return Status::InvalidArgument("invalid JSON header: nested deeper than " +
                                   std::to_string(kMaxJsonDepth) + " levels");
  } catch (const std::exception& e) {
    return Status::InvalidArgument("invalid JSON header: " + ShortJsonReason(e.what()));
  }
  return Status::Ok();
}

// Reads one tensor entry; `data_bytes` is the size of the data section.
Result<TensorEntry> ParseEntry(const std::string& name, const Json& entry, uint64_t data_start,
                               uint64_t data_bytes) {
  auto fail = [&name](const std::string& what) {
    return Status::InvalidArgument("tensor " + Quoted(name) + ": " + what);
  };
  if (!entry.is_object()) return fail("entry is not a JSON object");
  for (const char* field : {"dtype", "shape", "data_offsets"}) {
    if (!entry.contains(field)) return fail(std::string("missing ") + field);
  }
  const Json& dtype_json = entry["dtype"];
  if (!dtype_json.is_string()) return fail("dtype is not a string");
  const std::string& dtype_name = dtype_json.get_ref<const std::string&>();
  Result<Dtype> dtype = DtypeFromName(dtype_name);
  if (!dtype.ok()) return fail("unknown dtype " + Quoted(dtype_name));

  const Json& shape_json = entry["shape"];
  if (!shape_json.is_array()) return fail("shape is not an array");
  if (shape_json.size() > kMaxTensorRank) {
    return fail("rank " + std::to_string(shape_json.size()) + " exceeds the limit of " +
                std::to_string(kMaxTensorRank));
  }
  TensorEntry t;
  t.name = name;
  t.dtype = *dtype;
  for (size_t i = 0; i < shape_json.size(); ++i) {
    if (!shape_json[i].is_number_unsigned()) {
      return fail("shape entry " + std::to_string(i) + " is not a non-negative integer");
    }
    t.shape.push_back(shape_json[i].get<uint64_t>());
  }
  Result<uint64_t> elems = ShapeElementCount(t.shape);
  if (!elems.ok()) return fail("shape " + ShapeText(t.shape) + " element count overflows 64 bits");
  uint64_t needed_bytes;
  if (__builtin_mul_overflow(*elems, uint64_t{DtypeWidth(t.dtype)}, &needed_bytes)) {
    return fail("shape " + ShapeText(t.shape) + " of " + dtype_name +
                " byte size overflows 64 bits");
  }

  const Json& offsets = entry["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned()) {
    return fail("data_offsets is not an array of two non-negative integers");
  }
  const uint64_t begin = offsets[0].get<uint64_t>();
  const uint64_t end = offsets[1].get<uint64_t>();
  if (begin > end) return fail("data_offsets " + OffsetsText(begin, end) + " begin after end");
  if (end > data_bytes) {
    return fail("data_offsets " + OffsetsText(begin, end) + " end past the data section of " +
                std::to_string(data_bytes) + " bytes");
  }
  if (end - begin != needed_bytes) {
    return fail("shape " + ShapeText(t.shape) + " of " + dtype_name + " needs " +
                std::to_string(needed_bytes) + " bytes but data_offsets " +
                OffsetsText(begin, end) + " hold " + std::to_string(end - begin));
  }
  t.file_offset = data_start + begin;
  t.num_bytes = end - begin;
  return t;
}

Status CheckMetadata(const Json& metadata) {
  if (!metadata.is_object()) return Status::InvalidArgument("__metadata__ is not a JSON object");
  for (const auto& [key, value] : metadata.items()) {
    if (!value.is_string()) {
      return Status::InvalidArgument("__metadata__ value of " + Quoted(key) + " is not a string");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<SafetensorsLayout> ParseSafetensors(std::span<const uint8_t> file) {
  const uint64_t file_size = file.size();
  if (file_size < 8) {
    return Status::InvalidArgument("file is " + std::to_string(file_size) +
                                   " bytes, too short for the 8-byte header length");
  }
  const uint64_t header_len = DecodeFixed64(file.data());
  if (header_len > kMaxSafetensorsHeaderBytes) {
    return Status::InvalidArgument("header length " + std::to_string(header_len) +
                                   " is absurd (limit " +
                                   std::to_string(kMaxSafetensorsHeaderBytes) + " bytes)");
  }
  if (header_len > file_size - 8) {
    return Status::InvalidArgument("header length " + std::to_string(header_len) +
                                   " exceeds file size " + std::to_string(file_size));
  }
  const uint64_t data_start = 8 + header_len;
  const uint64_t data_bytes = file_size - data_start;

  SafetensorsLayout layout;
  layout.file_size = file_size;
  layout.header_bytes.assign(reinterpret_cast<const char*>(file.data()) + 8, header_len);

  Json header;
  std::vector<std::string> keys;
  MVC_RETURN_IF_ERROR(ParseHeaderJson(layout.header_bytes, &header, &keys));
  if (!header.is_object()) return Status::InvalidArgument("header is not a JSON object");
  if (keys.size() > kMaxSafetensorsTensors) {
    return Status::InvalidArgument("header has " + std::to_string(keys.size()) +
                                   " entries, more than the limit of " +
                                   std::to_string(kMaxSafetensorsTensors));
  }
  {
    std::set<std::string_view> seen;
    for (const std::string& key : keys) {
      if (!seen.insert(key).second) {
        if (key == kMetadataKey) return Status::InvalidArgument("duplicate __metadata__");
        return Status::InvalidArgument("duplicate tensor name " + Quoted(key));
      }
    }
  }

  // Header order first, then a stable sort: ties in file_offset keep header order.
  layout.tensors.reserve(keys.size());
  for (const std::string& key : keys) {
    const Json& value = header[key];
    if (key == kMetadataKey) {
      MVC_RETURN_IF_ERROR(CheckMetadata(value));
      continue;
    }
    MVC_ASSIGN_OR_RETURN(TensorEntry t, ParseEntry(key, value, data_start, data_bytes));
    layout.tensors.push_back(std::move(t));
  }
  std::stable_sort(layout.tensors.begin(), layout.tensors.end(),
                   [](const TensorEntry& a, const TensorEntry& b) {
                     return a.file_offset < b.file_offset;
                   });

  // Walk the sorted tensors once: an overlap is a tensor starting before the furthest
  // end seen so far; an uncovered range is a gap. Empty tensors cover no bytes, so
  // they overlap nothing.
  struct Range {
    uint64_t begin, end;
  };
  std::vector<Range> gap_ranges;
  uint64_t covered_to = data_start;
  const TensorEntry* furthest = nullptr;
  for (const TensorEntry& t : layout.tensors) {
    if (t.num_bytes == 0) continue;
    if (t.file_offset < covered_to) {
      return Status::InvalidArgument("tensors " + Quoted(furthest->name) + " and " +
                                     Quoted(t.name) + " overlap");
    }
    if (t.file_offset > covered_to) gap_ranges.push_back({covered_to, t.file_offset});
    covered_to = t.file_offset + t.num_bytes;
    furthest = &t;
  }
  if (covered_to < file_size) gap_ranges.push_back({covered_to, file_size});

  uint64_t gap_total = 0;
  for (const Range& r : gap_ranges) gap_total += r.end - r.begin;  // <= file_size
  if (gap_total > kMaxSafetensorsHeaderBytes) {
    return Status::InvalidArgument("data section has " + std::to_string(gap_total) +
                                   " bytes outside any tensor, more than the limit of " +
                                   std::to_string(kMaxSafetensorsHeaderBytes));
  }
  layout.gaps.reserve(gap_ranges.size());
  for (const Range& r : gap_ranges) {
    layout.gaps.push_back(
        {r.begin, std::string(reinterpret_cast<const char*>(file.data()) + r.begin,
                              r.end - r.begin)});
  }
  return layout;
}

}  // namespace mvc
