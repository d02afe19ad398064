#include "core/safetensors.h"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/endian_coding.h"
#include "core/mapped_file.h"
#include "core/safetensors_writer.h"
#include "tests/testing/tensor_factory.h"
#include "tests/testing/test_util.h"

namespace mvc {
namespace {

using testing::ConstantTensorBytes;
using testing::RandomTensorBytes;
using testing::SpecialFloatBytes;

// A file with a hand-written header: the 8-byte length, `header`, then `data`.
Bytes MakeFile(std::string_view header, const Bytes& data = {}) {
  Bytes out;
  PutFixed64(&out, header.size());
  PutBytes(&out, header.data(), header.size());
  PutBytes(&out, data.data(), data.size());
  return out;
}

// Parses `file`, rebuilds it from the layout and the tensors' bytes, and checks the
// result is the same file; returns the layout for further checks.
SafetensorsLayout CheckRoundTrip(ByteView file) {
  Result<SafetensorsLayout> layout = ParseSafetensors(file);
  REQUIRE_MESSAGE(layout.ok(), layout.status().ToString());
  std::vector<ByteView> tensors;
  for (const TensorEntry& t : layout->tensors) {
    tensors.push_back(file.subspan(t.file_offset, t.num_bytes));
  }
  Result<Bytes> rebuilt = ReassembleSafetensors(*layout, tensors);
  REQUIRE_MESSAGE(rebuilt.ok(), rebuilt.status().ToString());
  CHECK(rebuilt->size() == file.size());
  CHECK(*rebuilt == Bytes(file.begin(), file.end()));
  Bytes prefix = SafetensorsPrefix(*layout);
  CHECK(Bytes(file.begin(), file.begin() + prefix.size()) == prefix);
  return std::move(layout).value();
}

// Expects ParseSafetensors to refuse `file` with kInvalidArgument and a message
// containing `expected`.
void CheckRefused(const Bytes& file, const std::string& expected) {
  Result<SafetensorsLayout> layout = ParseSafetensors(file);
  REQUIRE_FALSE(layout.ok());
  CHECK(layout.status().code() == StatusCode::kInvalidArgument);
  CHECK_MESSAGE(layout.status().message().find(expected) != std::string::npos,
                "message: " << layout.status().message() << "\nexpected: " << expected);
  CHECK(layout.status().message().find('\n') == std::string::npos);
}

std::vector<uint64_t> ShapeFor(uint64_t elems) { return {elems / 4, 4}; }

TEST_CASE("Every shared safetensors file parses and reassembles byte for byte") {
  std::vector<std::string> files = testing::AllSharedSafetensors();
  REQUIRE(files.size() >= 10);
  for (const std::string& path : files) {
    CAPTURE(path);
    Result<MappedFile> file = MappedFile::Open(path);
    REQUIRE(file.ok());
    SafetensorsLayout layout = CheckRoundTrip(file->bytes());
    CHECK_FALSE(layout.tensors.empty());
    CHECK(layout.file_size == file->size());
    for (size_t i = 1; i < layout.tensors.size(); ++i) {
      CHECK(layout.tensors[i - 1].file_offset <= layout.tensors[i].file_offset);
    }
  }
}

TEST_CASE("Generated files of every dtype reassemble byte for byte") {
  for (Dtype dtype : kAllDtypes) {
    CAPTURE(DtypeName(dtype));
    std::vector<GeneratedTensor> tensors = {
        {"random", dtype, ShapeFor(64), RandomTensorBytes(dtype, 64, 1)},
        {"special", dtype, {3, 7}, SpecialFloatBytes(dtype, 21)},
        {"constant", dtype, {5}, ConstantTensorBytes(dtype, 5, 0xA5)},
        {"empty", dtype, {0}, {}},
        {"empty_2d", dtype, {3, 0}, {}},
        {"scalar", dtype, {}, RandomTensorBytes(dtype, 1, 2)},
    };
    Result<Bytes> file = BuildSafetensors(tensors, {});
    REQUIRE(file.ok());
    SafetensorsLayout layout = CheckRoundTrip(*file);
    REQUIRE(layout.tensors.size() == tensors.size());
    CHECK(layout.gaps.empty());
    CHECK(layout.header_bytes.size() % 8 == 0);
    for (const TensorEntry& t : layout.tensors) {
      CHECK(t.dtype == dtype);
      if (t.name == "scalar") CHECK(t.shape.empty());
      if (t.name == "scalar") CHECK(t.num_bytes == DtypeWidth(dtype));
      if (t.name == "empty_2d") CHECK(t.shape == std::vector<uint64_t>{3, 0});
    }
  }
}

TEST_CASE("BuildSafetensors writes the header the Python library writes") {
  Bytes one_f32 = {0x00, 0x00, 0x80, 0x3f};
  Result<Bytes> file = BuildSafetensors({{"a", Dtype::kF32, {1}, one_f32}}, {{"format", "pt"}});
  REQUIRE(file.ok());
  std::string header =
      R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  header.append((8 - header.size() % 8) % 8, ' ');
  CHECK(*file == MakeFile(header, one_f32));
}

TEST_CASE("BuildSafetensors refuses data that does not match shape and dtype") {
  Result<Bytes> file = BuildSafetensors({{"a", Dtype::kF32, {2}, Bytes(7)}}, {});
  REQUIRE_FALSE(file.ok());
  CHECK(file.status().message() == "tensor 'a': data holds 7 bytes, which does not match its shape and dtype");
  CHECK_FALSE(BuildSafetensors({{"a", Dtype::kU8, {1}, Bytes(1)}, {"a", Dtype::kU8, {1}, Bytes(1)}}, {}).ok());
}

TEST_CASE("A file with __metadata__ keeps it in the header bytes and reassembles") {
  std::map<std::string, std::string> metadata = {{"format", "pt"}, {"step", "240"}, {"note", "ünïcode"}};
  Result<Bytes> file = BuildSafetensors(
      {{"w", Dtype::kBF16, {8, 8}, RandomTensorBytes(Dtype::kBF16, 64, 3)}}, metadata);
  REQUIRE(file.ok());
  SafetensorsLayout layout = CheckRoundTrip(*file);
  REQUIRE(layout.tensors.size() == 1);
  CHECK(layout.tensors[0].name == "w");
  CHECK(layout.header_bytes.find("\"step\":\"240\"") != std::string::npos);
}

TEST_CASE("Gaps between tensors, before the first and after the last are kept verbatim") {
  // Data section: 2 bytes before "b", "b" (4 bytes), 3 bytes gap, "a" (8 bytes),
  // 5 trailing bytes. "a" comes first in the header but second in the file.
  std::string header =
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[9,17]},)"
      R"("b":{"dtype":"I16","shape":[2],"data_offsets":[2,6]}})";
  Bytes data(22);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(0xE0 + i);
  Bytes file = MakeFile(header, data);
  SafetensorsLayout layout = CheckRoundTrip(file);
  const uint64_t base = 8 + header.size();
  REQUIRE(layout.tensors.size() == 2);
  CHECK(layout.tensors[0].name == "b");
  CHECK(layout.tensors[0].file_offset == base + 2);
  CHECK(layout.tensors[1].name == "a");
  CHECK(layout.tensors[1].num_bytes == 8);
  REQUIRE(layout.gaps.size() == 3);
  CHECK(layout.gaps[0].file_offset == base);
  CHECK(layout.gaps[0].bytes == "\xE0\xE1");
  CHECK(layout.gaps[1].file_offset == base + 6);
  CHECK(layout.gaps[1].bytes == "\xE6\xE7\xE8");
  CHECK(layout.gaps[2].file_offset == base + 17);
  CHECK(layout.gaps[2].bytes.size() == 5);
  CHECK(layout.header_bytes == header);
}

TEST_CASE("A file with no tensors and only data bytes is one gap") {
  SafetensorsLayout layout = CheckRoundTrip(MakeFile("{}", Bytes{1, 2, 3}));
  CHECK(layout.tensors.empty());
  REQUIRE(layout.gaps.size() == 1);
  CHECK(layout.gaps[0].bytes == "\x01\x02\x03");
  CheckRoundTrip(MakeFile("{}  "));
}

TEST_CASE("Tensors at the same offset keep header order") {
  std::string header =
      R"({"z":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},)"
      R"("y":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
      R"("x":{"dtype":"F32","shape":[0],"data_offsets":[1,1]}})";
  SafetensorsLayout layout = CheckRoundTrip(MakeFile(header, Bytes{7, 8}));
  REQUIRE(layout.tensors.size() == 3);
  CHECK(layout.tensors[0].name == "z");
  CHECK(layout.tensors[1].name == "y");
  CHECK(layout.tensors[2].name == "x");  // empty tensors overlap nothing
}

TEST_CASE("Files too short or with a bad header length are refused") {
  CheckRefused(Bytes(5), "file is 5 bytes, too short for the 8-byte header length");
  Bytes file = MakeFile("{}");
  EncodeFixed64(file.data(), 999999999999);
  CheckRefused(file, "header length 999999999999 is absurd (limit 104857600 bytes)");
  EncodeFixed64(file.data(), 3);
  CheckRefused(file, "header length 3 exceeds file size 10");
}

TEST_CASE("A header length over the limit is refused as absurd before parsing") {
  Bytes file(8 + kMaxSafetensorsHeaderBytes + 8, ' ');
  EncodeFixed64(file.data(), kMaxSafetensorsHeaderBytes + 1);
  CheckRefused(file, "header length 104857601 is absurd (limit 104857600 bytes)");
}

TEST_CASE("Uncovered data bytes over the limit are refused") {
  Bytes file(8 + 2 + kMaxSafetensorsHeaderBytes + 1);
  EncodeFixed64(file.data(), 2);
  file[8] = '{';
  file[9] = '}';
  CheckRefused(file, "data section has 104857601 bytes outside any tensor");
}

TEST_CASE("Headers that are not a JSON object are refused") {
  CheckRefused(MakeFile("{\"a\":"), "invalid JSON header: parse error at line 1, column 6");
  CheckRefused(MakeFile(""), "invalid JSON header: ");
  CheckRefused(MakeFile("[1, 2]"), "header is not a JSON object");
  CheckRefused(MakeFile("\"x\""), "header is not a JSON object");
  CheckRefused(MakeFile("{} x"), "invalid JSON header: ");
  CheckRefused(MakeFile(std::string(100, '[') + std::string(100, ']')),
               "invalid JSON header: nested deeper than 64 levels");
  // nlohmann quotes the last token; a huge one must not make a huge message.
  Result<SafetensorsLayout> long_token = ParseSafetensors(MakeFile("{\"" + std::string(100000, 'x')));
  REQUIRE_FALSE(long_token.ok());
  CHECK(long_token.status().message().size() < 400);
}

TEST_CASE("Malformed tensor entries are refused naming the tensor") {
  const Bytes d16(16);
  CheckRefused(MakeFile(R"({"w":[1]})"), "tensor 'w': entry is not a JSON object");
  CheckRefused(MakeFile(R"({"w":{"shape":[1],"data_offsets":[0,4]}})", d16), "tensor 'w': missing dtype");
  CheckRefused(MakeFile(R"({"w":{"dtype":"F32","data_offsets":[0,4]}})", d16), "tensor 'w': missing shape");
  CheckRefused(MakeFile(R"({"w":{"dtype":"F32","shape":[1]}})", d16), "tensor 'w': missing data_offsets");
  CheckRefused(MakeFile(R"({"w":{"dtype":7,"shape":[1],"data_offsets":[0,4]}})", d16),
               "tensor 'w': dtype is not a string");
  CheckRefused(MakeFile(R"({"w":{"dtype":"F17","shape":[1],"data_offsets":[0,4]}})", d16),
               "tensor 'w': unknown dtype 'F17'");
  CheckRefused(MakeFile(R"({"w":{"dtype":"F32","shape":4,"data_offsets":[0,16]}})", d16),
               "tensor 'w': shape is not an array");
  CheckRefused(MakeFile(R"({"w":{"dtype":"F32","shape":[2,-2],"data_offsets":[0,16]}})", d16),
               "tensor 'w': shape entry 1 is not a non-negative integer");
  CheckRefused(MakeFile(R"({"w":{"dtype":"F32","shape":[4.0],"data_offsets":[0,16]}})", d16),
               "tensor 'w': shape entry 0 is not a non-negative integer");
  CheckRefused(MakeFile(R"({"w":{"dtype":"F32","shape":["4"],"data_offsets":[0,16]}})", d16),
               "tensor 'w': shape entry 0 is not a non-negative integer");
  CheckRefused(MakeFile(R"({"w":{"dtype":"F32","shape":[18446744073709551616],"data_offsets":[0,16]}})", d16),
               "tensor 'w': shape entry 0 is not a non-negative integer");
  std::string deep = "[" + std::string(65 * 2 - 1, '1') + "]";
  for (size_t i = 2; i < deep.size() - 1; i += 2) deep[i] = ',';
  CheckRefused(MakeFile(R"({"w":{"dtype":"U8","shape":)" + deep + R"(,"data_offsets":[0,1]}})", d16),
               "tensor 'w': rank 65 exceeds the limit of 64");
}

TEST_CASE("Names in messages have control characters escaped") {
  CheckRefused(MakeFile(R"({"a\nb":{"dtype":"F17","shape":[1],"data_offsets":[0,4]}})", Bytes(4)),
               R"(tensor 'a\x0ab': unknown dtype 'F17')");
}

TEST_CASE("Shapes whose size overflows 64 bits are refused") {
  const Bytes d16(16);
  CheckRefused(MakeFile(R"({"w":{"dtype":"U8","shape":[4294967296,4294967296],"data_offsets":[0,16]}})", d16),
               "tensor 'w': shape [4294967296, 4294967296] element count overflows 64 bits");
  CheckRefused(MakeFile(R"({"w":{"dtype":"F64","shape":[4294967296,536870912],"data_offsets":[0,16]}})", d16),
               "tensor 'w': shape [4294967296, 536870912] of F64 byte size overflows 64 bits");
}

TEST_CASE("Bad data_offsets are refused") {
  const Bytes d16(16);
  for (const char* offsets : {"[0]", "[0,4,8]", "4", "[-1,3]", "[0,\"4\"]", "[0.0,4]"}) {
    CAPTURE(offsets);
    CheckRefused(MakeFile(std::string(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":)") + offsets + "}}", d16),
                 "tensor 'w': data_offsets is not an array of two non-negative integers");
  }
  CheckRefused(MakeFile(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}})", d16),
               "tensor 'w': data_offsets [8, 4] begin after end");
  CheckRefused(MakeFile(R"({"w":{"dtype":"F32","shape":[5],"data_offsets":[0,20]}})", d16),
               "tensor 'w': data_offsets [0, 20] end past the data section of 16 bytes");
  CheckRefused(MakeFile(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,12]}})", d16),
               "tensor 'w': shape [4] of F32 needs 16 bytes but data_offsets [0, 12] hold 12");
  CheckRefused(MakeFile(R"({"w":{"dtype":"F32","shape":[],"data_offsets":[0,0]}})", d16),
               "tensor 'w': shape [] of F32 needs 4 bytes but data_offsets [0, 0] hold 0");
}

TEST_CASE("Overlapping tensors and duplicate names are refused") {
  const Bytes d16(16);
  CheckRefused(MakeFile(R"({"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},)"
                        R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", d16),
               "tensors 'a' and 'b' overlap");
  CheckRefused(MakeFile(R"({"a":{"dtype":"U8","shape":[16],"data_offsets":[0,16]},)"
                        R"("b":{"dtype":"U8","shape":[1],"data_offsets":[15,16]}})", d16),
               "tensors 'a' and 'b' overlap");
  CheckRefused(MakeFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                        R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", d16),
               "duplicate tensor name 'a'");
  CheckRefused(MakeFile(R"({"__metadata__":{},"__metadata__":{}})"), "duplicate __metadata__");
}

TEST_CASE("__metadata__ must map strings to strings") {
  CheckRefused(MakeFile(R"({"__metadata__":[]})"), "__metadata__ is not a JSON object");
  CheckRefused(MakeFile(R"({"__metadata__":{"a":"x","step":240}})"),
               "__metadata__ value of 'step' is not a string");
  CheckRoundTrip(MakeFile(R"({"__metadata__":{}})"));
}

TEST_CASE("ReassembleSafetensors refuses tensor bytes that do not fit the layout") {
  Result<Bytes> file = BuildSafetensors({{"a", Dtype::kU8, {2}, Bytes{1, 2}}}, {});
  REQUIRE(file.ok());
  Result<SafetensorsLayout> layout = ParseSafetensors(*file);
  REQUIRE(layout.ok());
  Bytes wrong(3);
  Result<Bytes> rebuilt = ReassembleSafetensors(*layout, {ByteView(wrong)});
  REQUIRE_FALSE(rebuilt.ok());
  CHECK(rebuilt.status().message() == "tensor 'a': reassembly got 3 bytes, expected 2");
  CHECK_FALSE(ReassembleSafetensors(*layout, {}).ok());
  layout->file_size += 1;
  Bytes right{1, 2};
  rebuilt = ReassembleSafetensors(*layout, {ByteView(right)});
  REQUIRE_FALSE(rebuilt.ok());
  CHECK(rebuilt.status().message().find("layout pieces cover") == 0);
}

}  // namespace
}  // namespace mvc

namespace mvc {
namespace {

TEST_CASE("Corrupted headers are either refused or still reassemble byte for byte") {
  Result<Bytes> good = BuildSafetensors(
      {{"a", Dtype::kF16, {3, 4}, testing::RandomTensorBytes(Dtype::kF16, 12, 1)},
       {"b", Dtype::kI8, {5}, testing::RandomTensorBytes(Dtype::kI8, 5, 2)},
       {"c", Dtype::kF32, {}, testing::RandomTensorBytes(Dtype::kF32, 1, 3)}},
      {{"k", "v"}});
  REQUIRE(good.ok());
  uint64_t state = 12345;
  auto next = [&state] { return state = state * 6364136223846793005ull + 1442695040888963407ull; };
  int refused = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    Bytes file = *good;
    for (int flips = 1 + static_cast<int>(next() >> 62); flips > 0; --flips) {
      // Mostly the header, where validation lives; sometimes the length field.
      size_t pos = (next() >> 33) % (file.size() < 120 ? file.size() : 120);
      file[pos] = static_cast<uint8_t>(next() >> 56);
    }
    Result<SafetensorsLayout> layout = ParseSafetensors(file);
    if (!layout.ok()) {
      ++refused;
      CHECK(layout.status().code() == StatusCode::kInvalidArgument);
      continue;
    }
    CheckRoundTrip(file);
  }
  CHECK(refused > 1000);
}

}  // namespace
}  // namespace mvc
