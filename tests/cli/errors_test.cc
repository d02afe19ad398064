// Malformed input and wrong requests: one clear line, exit code 1, and a repository
// that is exactly as it was (HEAD unchanged, the earlier version still checks out).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "core/endian_coding.h"
#include "tests/cli/cli_runner.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {
namespace {

Bytes WithHeader(const std::string& header, size_t data_bytes) {
  Bytes file(8);
  EncodeFixed64(file.data(), header.size());
  file.insert(file.end(), header.begin(), header.end());
  file.resize(file.size() + data_bytes, 0x11);
  return file;
}

struct Malformed {
  const char* what;
  Bytes file;
  const char* message;
};

std::vector<Malformed> MalformedFiles() {
  Bytes real = ReadFileBytes(SharedDataPath("models/llama2c_stories260K.safetensors"));
  Bytes truncated(real.begin(), real.begin() + static_cast<long>(real.size() / 2));
  Bytes past_eof = real;
  EncodeFixed64(past_eof.data(), real.size());
  Bytes absurd = real;
  EncodeFixed64(absurd.data(), uint64_t{1} << 62);
  return {
      {"truncated file", truncated, "end past the data section"},
      {"header length past EOF", past_eof, "exceeds file size"},
      {"absurd header length", absurd, "absurd"},
      {"tiny file", Bytes{1, 2, 3}, "too short"},
      {"invalid JSON", WithHeader("{\"a\": [1, 2", 0), "invalid JSON header"},
      {"unknown dtype", WithHeader(R"({"w":{"dtype":"F17","shape":[1],"data_offsets":[0,4]}})", 4),
       "tensor 'w': unknown dtype 'F17'"},
      {"offsets out of range", WithHeader(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 4),
       "end past the data section"},
      {"overlapping tensors",
       WithHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12),
       "overlap"},
      {"shape and bytes mismatch", WithHeader(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8),
       "needs 12 bytes but data_offsets [0, 8] hold 8"},
      {"shape product overflow",
       WithHeader(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}})", 8),
       "overflows 64 bits"},
      {"duplicate tensor names",
       WithHeader(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})", 2),
       "duplicate tensor name 'a'"},
  };
}

TEST_CASE("malformed safetensors files are refused with a clear error and the repository is unchanged") {
  TempDir dir;
  std::string work = dir.path();
  std::string good = SharedDataPath("run/step_000060.weights.bf16.safetensors");
  CopyFile(good, work + "/good.safetensors");
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  REQUIRE(RunMvc(work, {"commit", "-m", "good"}).exit_code == 0);
  std::string head = RunMvc(work, {"rev-parse", "HEAD"}).out;
  for (const Malformed& m : MalformedFiles()) {
    SUBCASE(m.what) {
      WriteFileBytes(work + "/bad.safetensors", m.file);
      RunResult r = RunMvc(work, {"commit", "-m", "bad"});
      INFO(m.what << ": " << r.err);
      CHECK(r.exit_code == 1);
      CHECK(r.err.rfind("mvc: error: ", 0) == 0);
      CHECK(r.err.find("bad.safetensors") != std::string::npos);
      CHECK(r.err.find(m.message) != std::string::npos);
      CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
      CHECK(RunMvc(work, {"rev-parse", "HEAD"}).out == head);
      std::filesystem::remove(work + "/bad.safetensors");
      std::filesystem::remove(work + "/good.safetensors");
      REQUIRE(RunMvc(work, {"checkout", "-f", "main"}).exit_code == 0);
      CHECK(SameBytes(good, work + "/good.safetensors"));
    }
  }
}

TEST_CASE("unknown revisions are reported by name") {
  TempDir dir;
  std::string work = dir.path();
  CopyFile(SharedDataPath("models/llama2c_stories260K.safetensors"), work + "/m.safetensors");
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  REQUIRE(RunMvc(work, {"commit", "-m", "one"}).exit_code == 0);
  RunResult r = RunMvc(work, {"checkout", "no-such-branch"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "mvc: error: unknown revision 'no-such-branch'\n");
  RunResult past = RunMvc(work, {"show", "HEAD~5"});
  CHECK(past.exit_code == 1);
  CHECK(past.err.find("HEAD~5") != std::string::npos);
}

TEST_CASE("a wrong command line is a usage error with exit code 1") {
  TempDir dir;
  RunResult r = RunMvc(dir.path(), {"commit"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("--message is required") != std::string::npos);
  CHECK(RunMvc(dir.path(), {"frobnicate"}).exit_code == 1);
}

}  // namespace
}  // namespace mvc::testing
