// Golden frames (tests/golden/, docs/format.md, "Golden frames"): frames written once by
// tests/golden/generate_golden.cc and committed. Every build must decode them to the
// same bytes, and must reject the frames in tests/golden/errors/ with their message.
// A failure here means a change broke frames that users' stores already hold: fix the
// decoder, never the files.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "codec/chunk_codec.h"
#include "core/endian_coding.h"
#include "core/sha256.h"
#include "tests/testing/test_util.h"

namespace mvc {
namespace {

const std::string kGoldenDir = std::string(MVC_SOURCE_DIR) + "/tests/golden";

Bytes ReadIfExists(const std::string& path) {
  return std::filesystem::exists(path) ? testing::ReadFileBytes(path) : Bytes();
}

// The plane modes of a byte-plane container payload with `planes` planes of n symbols.
std::set<int> PlaneModes(ByteView payload, size_t planes, size_t n) {
  std::set<int> modes;
  size_t pos = 0;
  for (size_t k = 0; k < planes && pos < payload.size(); ++k) {
    const uint8_t mode = payload[pos++];
    modes.insert(mode);
    if (mode == 0) pos += n;
    else if (mode == 1) pos += 1;
    else pos += 4 + DecodeFixed32(payload.data() + pos);
  }
  return modes;
}

TEST_CASE("Every golden frame decodes to its committed raw bytes") {
  std::ifstream manifest(kGoldenDir + "/MANIFEST");
  REQUIRE(manifest.good());
  std::string line;
  std::set<int> codecs, delta_modes, byte_plane_modes, scale_axes, scale_units, whole_heads, whole_joined;
  int frames = 0;
  while (std::getline(manifest, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream in(line);
    std::string name, dtype_name, sha;
    int codec = 0;
    size_t raw_bytes = 0;
    in >> name >> codec >> dtype_name >> raw_bytes >> sha;
    CAPTURE(name);
    const Bytes frame = testing::ReadFileBytes(kGoldenDir + "/" + name + ".frame");
    const Bytes raw = testing::ReadFileBytes(kGoldenDir + "/" + name + ".raw");
    const Bytes base = ReadIfExists(kGoldenDir + "/" + name + ".base");
    REQUIRE(raw.size() == raw_bytes);
    CHECK(Sha256::Digest(raw).ToHex() == sha);
    Result<ChunkFrameView> view = ParseChunkFrame(frame);
    REQUIRE_MESSAGE(view.ok(), view.status().ToString());
    CHECK(static_cast<int>(view->codec) == codec);
    CHECK(DtypeName(view->dtype) == dtype_name);
    CHECK(view->base_id.has_value() == !base.empty());
    if (view->base_id) CHECK(*view->base_id == Sha256::Digest(base));
    Result<Bytes> decoded = DecodeChunkToBytes(frame, base);
    REQUIRE_MESSAGE(decoded.ok(), decoded.status().ToString());
    CHECK(*decoded == raw);
    codecs.insert(codec);
    const size_t width = DtypeWidth(view->dtype);
    if (codec == 6) for (int m : PlaneModes(view->payload, width, raw.size() / width)) delta_modes.insert(m);
    if (codec == 1) for (int m : PlaneModes(view->payload, width, raw.size() / width)) byte_plane_modes.insert(m);
    if (codec == 9) scale_axes.insert(view->payload[0] & 3);
    if (codec == 9) scale_units.insert((view->payload[0] >> 2) & 3);
    if (codec == 8 && view->dtype == Dtype::kF16) whole_heads.insert((view->payload[5] & 0x80) != 0);
    if (codec == 8 && view->dtype == Dtype::kF16 && (view->payload[5] & 0x80)) whole_joined.insert(view->payload[5] & 0x7F);
    ++frames;
  }
  CHECK(frames >= 14);
  // The set covers every codec and the plane modes each may use.
  CHECK(codecs == std::set<int>{0, 1, 2, 3, 6, 8, 9});
  CHECK(delta_modes.count(3) + delta_modes.count(4) == 2);
  CHECK(byte_plane_modes.count(1) + byte_plane_modes.count(2) + byte_plane_modes.count(3) == 3);
  CHECK(scale_axes == std::set<int>{1, 2, 3});  // codec 9: rows, columns, both
  CHECK(scale_units == std::set<int>{0, 1});    // codec 9: whole and half binades
  CHECK(whole_heads == std::set<int>{0, 1});     // F16 in codec 8: split heads and whole elements
  CHECK(whole_joined.count(1) == 1);             // whole elements at K = 1: a 10-bit raw field
}

TEST_CASE("Every golden error frame fails with its committed message") {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kGoldenDir + "/errors")) {
    if (entry.path().extension() != ".frame") continue;
    const std::string stem = entry.path().parent_path().string() + "/" + entry.path().stem().string();
    CAPTURE(stem);
    const Bytes frame = testing::ReadFileBytes(entry.path().string());
    const Bytes expect_bytes = testing::ReadFileBytes(stem + ".expect");
    const std::string expect(expect_bytes.begin(), expect_bytes.end());
    const Bytes base = ReadIfExists(stem + ".base");
    Result<Bytes> r = DecodeChunkToBytes(frame, base);
    REQUIRE(!r.ok());
    CHECK_MESSAGE(r.status().ToString().find(expect) != std::string::npos, r.status().ToString());
    ++checked;
  }
  CHECK(checked >= 14);
}

}  // namespace
}  // namespace mvc
