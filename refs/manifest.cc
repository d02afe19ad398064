#include "refs/manifest.h"

#include <nlohmann/json.hpp>

#include "core/endian_coding.h"
#include "core/sha256.h"

namespace mvc {
namespace {

using nlohmann::json;

// docs/format.md, "File manifest": the NUL keeps text tools from taking it for JSON
// and makes a collision with a user's file practically impossible.
constexpr std::string_view kManifestMagic("mvc-manifest\0v1\n", kManifestMagicSize);

constexpr char kBase64Chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = uint8_t(in[i]) << 16 | uint8_t(in[i + 1]) << 8 | uint8_t(in[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out.push_back(kBase64Chars[(v >> k) & 63]);
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint8_t(in[i + 1]) << 8;
    out.push_back(kBase64Chars[(v >> 18) & 63]);
    out.push_back(kBase64Chars[(v >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kBase64Chars[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

Result<std::string> Base64Decode(std::string_view in) {
  if (in.size() % 4 != 0) return Status::Corruption("bad base64 length");
  std::string out;
  out.reserve(in.size() / 4 * 3);
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  for (size_t i = 0; i < in.size(); i += 4) {
    int pad = (in[i + 3] == '=') + (in[i + 2] == '=');
    if (pad > 0 && i + 4 != in.size()) return Status::Corruption("bad base64 padding");
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      int d = (k >= 4 - pad) ? 0 : value(in[i + k]);
      if (d < 0) return Status::Corruption("bad base64 character");
      v = v << 6 | uint32_t(d);
    }
    out.push_back(char(v >> 16));
    if (pad < 2) out.push_back(char(v >> 8 & 0xFF));
    if (pad < 1) out.push_back(char(v & 0xFF));
  }
  return out;
}

Result<ObjectId> IdField(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string()) {
    return Status::Corruption(std::string("missing ") + key);
  }
  return ObjectId::FromHex(j[key].get<std::string>());
}

Result<uint64_t> U64Field(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number_unsigned()) {
    return Status::Corruption(std::string("missing or bad ") + key);
  }
  return j[key].get<uint64_t>();
}

Result<ManifestTensor> ParseTensor(const json& j) {
  if (!j.is_object()) return Status::Corruption("not an object");
  ManifestTensor t;
  if (!j.contains("name") || !j["name"].is_string()) return Status::Corruption("missing name");
  t.name = j["name"].get<std::string>();
  if (!j.contains("dtype") || !j["dtype"].is_string()) return Status::Corruption("missing dtype");
  Result<Dtype> dtype = DtypeFromName(j["dtype"].get<std::string>());
  if (!dtype.ok()) return Status::Corruption(dtype.status().message());
  t.dtype = *dtype;
  if (!j.contains("shape") || !j["shape"].is_array()) return Status::Corruption("missing shape");
  for (const json& d : j["shape"]) {
    if (!d.is_number_unsigned()) return Status::Corruption("bad shape");
    t.shape.push_back(d.get<uint64_t>());
  }
  MVC_ASSIGN_OR_RETURN(t.file_offset, U64Field(j, "offset"));
  MVC_ASSIGN_OR_RETURN(t.num_bytes, U64Field(j, "bytes"));
  Result<ObjectId> id = IdField(j, "id");
  if (!id.ok()) return Status::Corruption("bad id");
  t.id = *id;
  if (j.contains("base") && !j["base"].is_null()) {
    Result<ObjectId> base = IdField(j, "base");
    if (!base.ok()) return Status::Corruption("bad base");
    t.base_id = *base;
  }
  if (j.contains("encoding") && j["encoding"].is_string()) t.encoding = j["encoding"].get<std::string>();
  if (j.contains("depth") && j["depth"].is_number_unsigned()) t.delta_depth = j["depth"].get<uint32_t>();
  if (j.contains("stored") && j["stored"].is_number_unsigned()) t.stored_bytes = j["stored"].get<uint64_t>();
  if (j.contains("lossy") && !j["lossy"].is_null()) {
    const json& l = j["lossy"];
    if (!l.is_object() || !l.contains("policy") || !l["policy"].is_string() || !l.contains("rel_l2") ||
        !l["rel_l2"].is_number() || !l.contains("max_abs") || !l["max_abs"].is_number()) {
      return Status::Corruption("bad lossy record");
    }
    LossyInfo info{l["policy"].get<std::string>(), l["rel_l2"].get<double>(), l["max_abs"].get<double>(), {}};
    if (l.contains("grid_exp") && l["grid_exp"].is_number_integer()) info.grid_exponent = l["grid_exp"].get<int>();
    t.lossy = std::move(info);
  }
  return t;
}

}  // namespace

bool IsManifestBlob(std::string_view blob) { return blob.starts_with(kManifestMagic); }

std::string FileManifest::Serialize() const {
  json j = json::object();
  j["file_size"] = file_size;
  j["file_id"] = file_id.ToHex();
  if (source_file_id) j["source_file_id"] = source_file_id->ToHex();
  j["header"] = Base64Encode(header_bytes);
  json gap_list = json::array();
  for (const FileGap& g : gaps) gap_list.push_back({{"offset", g.file_offset}, {"bytes", Base64Encode(g.bytes)}});
  j["gaps"] = std::move(gap_list);
  json tensor_list = json::array();
  for (const ManifestTensor& t : tensors) {
    json e = {{"name", t.name},          {"dtype", DtypeName(t.dtype)}, {"shape", t.shape},
              {"offset", t.file_offset}, {"bytes", t.num_bytes},        {"id", t.id.ToHex()},
              {"encoding", t.encoding},  {"depth", t.delta_depth},      {"stored", t.stored_bytes}};
    e["base"] = t.base_id ? json(t.base_id->ToHex()) : json(nullptr);
    if (t.lossy) {
      e["lossy"] = {{"policy", t.lossy->policy}, {"rel_l2", t.lossy->rel_l2}, {"max_abs", t.lossy->max_abs_error}};
      if (t.lossy->grid_exponent) e["lossy"]["grid_exp"] = *t.lossy->grid_exponent;
    }
    tensor_list.push_back(std::move(e));
  }
  j["tensors"] = std::move(tensor_list);
  // One tensor per line keeps `git diff` of two manifests readable.
  std::string out(kManifestMagic);
  out += "{\"file_size\":" + j["file_size"].dump() + ",\"file_id\":" + j["file_id"].dump() +
         (source_file_id ? ",\"source_file_id\":" + j["source_file_id"].dump() : std::string()) +
         ",\n\"header\":" + j["header"].dump() + ",\n\"gaps\":" + j["gaps"].dump() + ",\n\"tensors\":[";
  for (size_t i = 0; i < j["tensors"].size(); ++i) {
    out += (i == 0 ? "\n" : ",\n") + j["tensors"][i].dump();
  }
  out += "]}\n";
  return out;
}

Result<FileManifest> FileManifest::Parse(std::string_view blob) {
  auto fail = [](const std::string& what) { return Status::Corruption("manifest: " + what); };
  if (!IsManifestBlob(blob)) return fail("bad magic");
  json j = json::parse(blob.substr(kManifestMagic.size()), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return fail("invalid JSON");
  FileManifest m;
  Result<uint64_t> size = U64Field(j, "file_size");
  if (!size.ok()) return fail(size.status().message());
  m.file_size = *size;
  Result<ObjectId> file_id = IdField(j, "file_id");
  if (!file_id.ok()) return fail("bad file_id");
  m.file_id = *file_id;
  if (j.contains("source_file_id")) {
    Result<ObjectId> source = IdField(j, "source_file_id");
    if (!source.ok()) return fail("bad source_file_id");
    m.source_file_id = *source;
  }
  if (!j.contains("header") || !j["header"].is_string()) return fail("missing header");
  Result<std::string> header = Base64Decode(j["header"].get<std::string>());
  if (!header.ok()) return fail("header: " + header.status().message());
  m.header_bytes = std::move(*header);
  if (!j.contains("gaps") || !j["gaps"].is_array()) return fail("missing gaps");
  for (const json& g : j["gaps"]) {
    if (!g.is_object()) return fail("bad gap");
    Result<uint64_t> offset = U64Field(g, "offset");
    if (!offset.ok() || !g.contains("bytes") || !g["bytes"].is_string()) return fail("bad gap");
    Result<std::string> bytes = Base64Decode(g["bytes"].get<std::string>());
    if (!bytes.ok()) return fail("bad gap bytes");
    m.gaps.push_back({*offset, std::move(*bytes)});
  }
  if (!j.contains("tensors") || !j["tensors"].is_array()) return fail("missing tensors");
  for (size_t i = 0; i < j["tensors"].size(); ++i) {
    Result<ManifestTensor> t = ParseTensor(j["tensors"][i]);
    if (!t.ok()) return fail("tensor " + std::to_string(i) + ": " + t.status().message());
    m.tensors.push_back(std::move(*t));
  }
  // Everything must lie inside the file: checkout writes at these offsets.
  uint64_t data_start = 8 + m.header_bytes.size();
  if (data_start > m.file_size) return fail("header larger than file");
  for (const ManifestTensor& t : m.tensors) {
    if (t.file_offset < data_start || t.file_offset > m.file_size ||
        t.num_bytes > m.file_size - t.file_offset) {
      return fail("tensor '" + t.name + "' lies outside the file");
    }
  }
  for (const FileGap& g : m.gaps) {
    if (g.file_offset < data_start || g.file_offset > m.file_size ||
        g.bytes.size() > m.file_size - g.file_offset) {
      return fail("gap lies outside the file");
    }
  }
  return m;
}

SafetensorsLayout FileManifest::Layout() const {
  SafetensorsLayout layout;
  layout.header_bytes = header_bytes;
  layout.gaps = gaps;
  layout.file_size = file_size;
  for (const ManifestTensor& t : tensors) {
    layout.tensors.push_back({t.name, t.dtype, t.shape, t.file_offset, t.num_bytes});
  }
  return layout;
}

ObjectId ComputeFileId(const SafetensorsLayout& layout, const std::vector<ObjectId>& tensor_ids) {
  MVC_CHECK(layout.tensors.size() == tensor_ids.size());
  Sha256 h;
  std::string fixed;
  h.Update(std::string_view("mvc-file\0v1\n", 12));
  PutFixed64(&fixed, layout.file_size);
  PutFixed64(&fixed, layout.header_bytes.size());
  h.Update(fixed);
  h.Update(layout.header_bytes);
  for (const FileGap& g : layout.gaps) {
    fixed.clear();
    PutFixed64(&fixed, g.file_offset);
    PutFixed64(&fixed, g.bytes.size());
    h.Update(fixed);
    h.Update(g.bytes);
  }
  for (size_t i = 0; i < tensor_ids.size(); ++i) {
    fixed.clear();
    PutFixed64(&fixed, layout.tensors[i].file_offset);
    PutFixed64(&fixed, layout.tensors[i].num_bytes);
    h.Update(fixed);
    h.Update(ByteView(tensor_ids[i].data(), ObjectId::kSize));
  }
  return h.Finish();
}

}  // namespace mvc
