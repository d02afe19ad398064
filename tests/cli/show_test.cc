#include <doctest/doctest.h>

#include "tests/cli/cli_runner.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {
namespace {

TEST_CASE("show lists every tensor with dtype, shape, encoding and stored bytes") {
  TempDir dir;
  std::string work = dir.path();
  CopyFile(SharedDataPath("run/step_000060.weights.bf16.safetensors"), work + "/model.safetensors");
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  REQUIRE(RunMvc(work, {"commit", "-m", "base"}).exit_code == 0);
  CopyFile(SharedDataPath("run/step_000120.weights.bf16.safetensors"), work + "/model.safetensors");
  REQUIRE(RunMvc(work, {"commit", "-m", "next"}).exit_code == 0);
  RunResult r = RunMvc(work, {"show", "HEAD~1"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("model.safetensors") != std::string::npos);
  CHECK(r.out.find("BF16 [") != std::string::npos);
  CHECK(r.out.find(" -> ") != std::string::npos);
  RunResult json = RunMvc(work, {"show", "--json"});
  CHECK(json.exit_code == 0);
  CHECK(json.out.find("\"encoding\"") != std::string::npos);
  // The second checkpoint is stored as deltas against the first.
  CHECK(json.out.find("\"delta_depth\": 1") != std::string::npos);
}

TEST_CASE("cat-object prints a tensor's record and a chunk's frame header") {
  TempDir dir;
  std::string work = dir.path();
  CopyFile(SharedDataPath("models/llama2c_stories260K.safetensors"), work + "/model.safetensors");
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  REQUIRE(RunMvc(work, {"commit", "-m", "base"}).exit_code == 0);
  RunResult tensors = RunMvc(work, {"ls-tensors"});
  std::string tensor_prefix = tensors.out.substr(0, 12);
  RunResult t = RunMvc(work, {"cat-object", tensor_prefix});
  CHECK(t.exit_code == 0);
  CHECK(t.out.find("kind tensor") != std::string::npos);
  std::string chunk = t.out.substr(t.out.find("chunk ") + 6, 64);
  RunResult c = RunMvc(work, {"cat-object", chunk});
  CHECK(c.exit_code == 0);
  CHECK(c.out.find("kind chunk") != std::string::npos);
  CHECK(c.out.find("codec ") != std::string::npos);
  RunResult missing = RunMvc(work, {"cat-object", "0000000000"});
  CHECK(missing.exit_code == 1);
}

}  // namespace
}  // namespace mvc::testing
