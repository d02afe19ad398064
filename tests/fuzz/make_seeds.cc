// Writes the seed corpora for the fuzz targets into OUTDIR/<target>/: small real
// safetensors files and headers from ../shared/data, frames made by EncodeChunk with
// every codec (with and without a base; codec 9 with a shape of rows of 16), serialized tensor records and manifests,
// and a few revision strings.
//
//   fuzz_make_seeds OUTDIR
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "codec/chunk_codec.h"
#include "codec/float_joint.h"
#include "core/endian_coding.h"
#include "core/safetensors.h"
#include "core/sha256.h"
#include "core/tensor_record.h"
#include "refs/manifest.h"

namespace fs = std::filesystem;

namespace {

void Write(const fs::path& path, const void* data, size_t size) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary).write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
}

std::vector<uint8_t> ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_make_seeds OUTDIR\n";
    return 2;
  }
  fs::path out = argv[1];
  std::string data = MVC_SHARED_DATA_DIR;
  int n = 0;
  for (const char* rel : {"models/capp_gpt2_tiny.safetensors", "models/llama2c_stories260K.safetensors",
                          "models/human_movenet_lightning.safetensors", "pairs/bert_tiny_sst2.safetensors"}) {
    std::vector<uint8_t> file = ReadAll(data + "/" + rel);
    if (file.size() < 8) continue;
    uint64_t header = mvc::DecodeFixed64(file.data());
    // Header only (the data section cut to a few bytes) keeps seeds small.
    size_t keep = static_cast<size_t>(std::min<uint64_t>(file.size(), 8 + header + 64));
    Write(out / "fuzz_safetensors" / ("seed" + std::to_string(n++)), file.data(), keep);
    auto layout = mvc::ParseSafetensors(file);
    if (!layout.ok()) continue;
    // Chunks of the first few tensors with every codec, and deltas between tensors
    // of equal size.
    int t = 0;
    for (const mvc::TensorEntry& e : layout->tensors) {
      if (t++ >= 6) break;
      size_t bytes = static_cast<size_t>(std::min<uint64_t>(e.num_bytes, 16384));
      bytes -= bytes % mvc::DtypeWidth(e.dtype);
      mvc::ByteView raw(file.data() + e.file_offset, bytes);
      std::vector<uint8_t> other(raw.begin(), raw.end());
      for (size_t i = 0; i < other.size(); i += 7) other[i] ^= 1;
      mvc::ChunkBase base{mvc::Sha256::Digest(other), other};
      for (bool with_base : {false, true}) {
        auto frame = mvc::EncodeChunk(e.dtype, raw, with_base ? &base : nullptr, {});
        if (frame.ok()) Write(out / "fuzz_chunk_decode" / ("seed" + std::to_string(n++)), frame->data(), frame->size());
      }
      // Codec 8 whether or not the automatic choice takes it on this tensor.
      if (mvc::FloatJointTakes(e.dtype)) {
        mvc::EncodeOptions joint;
        joint.force_codec = mvc::CodecId::kFloatJoint;
        auto frame = mvc::EncodeChunk(e.dtype, raw, nullptr, joint);
        if (frame.ok()) Write(out / "fuzz_chunk_decode" / ("seed" + std::to_string(n++)), frame->data(), frame->size());
        // Codec 9 on the cut-down tensor seen as rows of 16 elements.
        const uint64_t elems = bytes / mvc::DtypeWidth(e.dtype);
        const std::vector<uint64_t> rows_of_16{elems / 16, 16};
        mvc::EncodeOptions scaled;
        scaled.force_codec = mvc::CodecId::kFloatScaled;
        auto scaled_frame = mvc::EncodeChunk(e.dtype, raw, nullptr, scaled, {rows_of_16, 0});
        if (elems % 16 == 0 && scaled_frame.ok()) {
          Write(out / "fuzz_chunk_decode" / ("seed" + std::to_string(n++)), scaled_frame->data(), scaled_frame->size());
        }
      }
      mvc::TensorRecord record{e.dtype, e.shape, e.num_bytes, {}};
      size_t chunks = static_cast<size_t>((e.num_bytes + (4u << 20) - 1) / (4u << 20));
      for (size_t c = 0; c < chunks; ++c) record.chunk_ids.push_back(mvc::Sha256::Digest(raw));
      std::string r = record.Serialize();
      Write(out / "fuzz_tensor_record" / ("seed" + std::to_string(n++)), r.data(), r.size());
    }
    mvc::FileManifest m;
    m.file_size = layout->file_size;
    m.header_bytes = layout->header_bytes;
    m.gaps = layout->gaps;
    for (const mvc::TensorEntry& e : layout->tensors) {
      mvc::ManifestTensor mt;
      mt.name = e.name;
      mt.dtype = e.dtype;
      mt.shape = e.shape;
      mt.file_offset = e.file_offset;
      mt.num_bytes = e.num_bytes;
      mt.encoding = "float-fields";
      mt.stored_bytes = e.num_bytes / 2;
      m.tensors.push_back(mt);
      if (m.tensors.size() >= 4) break;
    }
    std::string blob = m.Serialize();
    Write(out / "fuzz_manifest" / ("seed" + std::to_string(n++)), blob.data(), blob.size());
  }
  for (const char* rev : {"HEAD", "@", "main~2", "side^", "v1^0", "refs/heads/main", "HEAD~1^1~", "main^2", "abcd"}) {
    Write(out / "fuzz_revision" / ("seed" + std::to_string(n++)), rev, std::string(rev).size());
  }
  std::cout << n << " seeds in " << out << "\n";
  return 0;
}
