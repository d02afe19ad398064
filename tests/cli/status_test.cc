#include <doctest/doctest.h>

#include <filesystem>

#include "tests/cli/cli_runner.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {
namespace {

TEST_CASE("status lists modified, new and deleted files against HEAD") {
  TempDir dir;
  std::string work = dir.path();
  CopyFile(SharedDataPath("run/step_000060.weights.bf16.safetensors"), work + "/model.safetensors");
  WriteFileBytes(work + "/config.json", AsBytes("{}"));
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  REQUIRE(RunMvc(work, {"commit", "-m", "one"}).exit_code == 0);
  RunResult clean = RunMvc(work, {"status"});
  CHECK(clean.out.find("nothing to commit, worktree clean") != std::string::npos);

  CopyFile(SharedDataPath("run/step_000120.weights.bf16.safetensors"), work + "/model.safetensors");
  std::filesystem::remove(work + "/config.json");
  WriteFileBytes(work + "/README.md", AsBytes("hi"));
  RunResult r = RunMvc(work, {"status", "--porcelain"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "?? README.md\n D config.json\n M model.safetensors\n");
  RunResult json = RunMvc(work, {"status", "--json"});
  CHECK(json.out.find("\"clean\": false") != std::string::npos);
  CHECK(json.out.find("\"change\": \"modified\"") != std::string::npos);
}

TEST_CASE("status sees a model rewritten with identical bytes as unchanged") {
  TempDir dir;
  std::string work = dir.path();
  CopyFile(SharedDataPath("models/llama2c_stories260K.safetensors"), work + "/m.safetensors");
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  REQUIRE(RunMvc(work, {"commit", "-m", "one"}).exit_code == 0);
  std::filesystem::remove(work + "/m.safetensors");
  CopyFile(SharedDataPath("models/llama2c_stories260K.safetensors"), work + "/m.safetensors");
  CHECK(RunMvc(work, {"status", "--porcelain"}).out.empty());
}

TEST_CASE("status lists a tracked model cut short as modified, not as an error") {
  TempDir dir;
  std::string work = dir.path();
  CopyFile(SharedDataPath("models/llama2c_stories260K.safetensors"), work + "/m.safetensors");
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  REQUIRE(RunMvc(work, {"commit", "-m", "one"}).exit_code == 0);
  std::filesystem::resize_file(work + "/m.safetensors", 100000);
  RunResult r = RunMvc(work, {"status", "--porcelain"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == " M m.safetensors\n");
  // Committing it is still refused with the reason, and the commit is untouched.
  RunResult commit = RunMvc(work, {"commit", "-m", "cut"});
  CHECK(commit.exit_code == 1);
  CHECK(commit.err.find("m.safetensors") != std::string::npos);
  CHECK(commit.err.find("past the data section") != std::string::npos);
  CHECK(RunMvc(work, {"log", "--oneline"}).out.find("one") != std::string::npos);
}

}  // namespace
}  // namespace mvc::testing
