// End-to-end tests of `mvc cat` (a tensor as text or .npy) and `mvc export` (a commit
// written to a directory, worktree untouched).
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>

#include "core/mapped_file.h"
#include "core/safetensors.h"
#include "tests/cli/cli_runner.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {
namespace {

namespace fs = std::filesystem;

// The first tensor of a safetensors file: its entry and raw bytes.
std::pair<TensorEntry, Bytes> FirstTensor(const std::string& path) {
  Bytes file = ReadFileBytes(path);
  auto layout = ParseSafetensors(file);
  REQUIRE(layout.ok());
  TensorEntry e = layout->tensors.front();
  return {e, Bytes(file.begin() + e.file_offset, file.begin() + e.file_offset + e.num_bytes)};
}

// The data of a .npy file (after its header), checking the NPY 1.0 preamble.
Bytes NpyData(const std::string& path, std::string* header) {
  Bytes npy = ReadFileBytes(path);
  REQUIRE(npy.size() >= 10);
  CHECK(std::memcmp(npy.data(), "\x93NUMPY\x01\x00", 8) == 0);
  size_t len = npy[8] | (size_t(npy[9]) << 8);
  CHECK((10 + len) % 64 == 0);
  *header = std::string(npy.begin() + 10, npy.begin() + 10 + len);
  return Bytes(npy.begin() + 10 + len, npy.end());
}

TEST_CASE("cat prints a tensor and writes it as .npy; BF16 is widened to float32") {
  TempDir dir;
  const std::string work = dir.path();
  const std::string f32 = SharedDataPath("models/llama2c_stories260K.safetensors");
  const std::string bf16 = SharedDataPath("run/step_000060.weights.bf16.safetensors");
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  CopyFile(f32, work + "/f32.safetensors");
  CopyFile(bf16, work + "/sub/bf16.safetensors");
  REQUIRE(RunMvc(work, {"commit", "-m", "two"}).exit_code == 0);

  auto [e32, raw32] = FirstTensor(f32);
  RunResult text = RunMvc(work, {"cat", "HEAD:f32.safetensors:" + e32.name});
  INFO(text.err);
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find("F32 [") != std::string::npos);
  CHECK(text.out.find("[") != std::string::npos);

  REQUIRE(RunMvc(work, {"cat", "HEAD:f32.safetensors:" + e32.name, "-o", work + "/t.npy"}).exit_code == 0);
  std::string header;
  CHECK(NpyData(work + "/t.npy", &header) == raw32);  // F32: the file's bytes exactly
  CHECK(header.find("'descr': '<f4'") != std::string::npos);
  CHECK(header.back() == '\n');

  auto [e16, raw16] = FirstTensor(bf16);
  REQUIRE(RunMvc(work, {"cat", "main:sub/bf16.safetensors:" + e16.name, "-o", work + "/b.npy"}).exit_code == 0);
  Bytes data = NpyData(work + "/b.npy", &header);
  CHECK(header.find("'descr': '<f4'") != std::string::npos);
  REQUIRE(data.size() == raw16.size() * 2);
  bool exact = true;
  for (size_t i = 0; i < raw16.size() / 2; ++i) {
    // float32 bits = BF16 bits << 16: low half zero, high half the BF16 value.
    exact &= data[4 * i] == 0 && data[4 * i + 1] == 0 && data[4 * i + 2] == raw16[2 * i] &&
             data[4 * i + 3] == raw16[2 * i + 1];
  }
  CHECK(exact);

  RunResult missing = RunMvc(work, {"cat", "HEAD:f32.safetensors:no.such.tensor"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("no tensor 'no.such.tensor' in f32.safetensors") != std::string::npos);
  RunResult nofile = RunMvc(work, {"cat", "HEAD:nope.safetensors:x"});
  CHECK(nofile.exit_code == 1);
  CHECK(nofile.err.find("no file matching 'nope.safetensors:x'") != std::string::npos);
}

TEST_CASE("export writes an old commit byte for byte and leaves the worktree alone") {
  TempDir dir;
  const std::string work = dir.path() + "/w";
  const std::string v1 = SharedDataPath("run/step_000060.weights.bf16.safetensors");
  const std::string v2 = SharedDataPath("run/step_000120.weights.bf16.safetensors");
  fs::create_directories(work);
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  CopyFile(v1, work + "/model.safetensors");
  WriteFileBytes(work + "/cfg/config.json", AsBytes(std::string("{\"n\": 1}")));
  REQUIRE(RunMvc(work, {"commit", "-m", "v1"}).exit_code == 0);
  CopyFile(v2, work + "/model.safetensors");
  REQUIRE(RunMvc(work, {"commit", "-m", "v2"}).exit_code == 0);

  RunResult r = RunMvc(work, {"export", "HEAD~1", "-o", dir.path() + "/out"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("exported 2 files") != std::string::npos);
  CHECK(SameBytes(v1, dir.path() + "/out/model.safetensors"));
  CHECK(SameBytes(work + "/cfg/config.json", dir.path() + "/out/cfg/config.json"));
  CHECK(SameBytes(v2, work + "/model.safetensors"));  // worktree untouched
  CHECK(RunMvc(work, {"status", "--porcelain"}).out.empty());

  RunResult again = RunMvc(work, {"export", "HEAD", "-o", dir.path() + "/out"});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("exists and is not an empty directory") != std::string::npos);
}

}  // namespace
}  // namespace mvc::testing
