#include <doctest/doctest.h>

#include "tests/cli/cli_runner.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {
namespace {

TEST_CASE("branches and tags are created, listed, resolved and deleted") {
  TempDir dir;
  std::string work = dir.path();
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  for (const char* step : {"060", "120"}) {
    CopyFile(SharedDataPath(std::string("run/step_000") + step + ".weights.bf16.safetensors"), work + "/model.safetensors");
    REQUIRE(RunMvc(work, {"commit", "-m", step}).exit_code == 0);
  }
  REQUIRE(RunMvc(work, {"branch", "finetune-a", "HEAD~1"}).exit_code == 0);
  RunResult list = RunMvc(work, {"branch"});
  CHECK(list.out.find("  finetune-a") != std::string::npos);
  CHECK(list.out.find("* main") != std::string::npos);
  CHECK(RunMvc(work, {"rev-parse", "finetune-a"}).out == RunMvc(work, {"rev-parse", "main^"}).out);

  RunResult dup = RunMvc(work, {"branch", "finetune-a"});
  CHECK(dup.exit_code == 1);
  CHECK(dup.err.find("branch 'finetune-a' already exists") != std::string::npos);
  RunResult bad = RunMvc(work, {"branch", "bad..name"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("invalid branch name") != std::string::npos);

  REQUIRE(RunMvc(work, {"tag", "v1", "HEAD~1"}).exit_code == 0);
  CHECK(RunMvc(work, {"tag"}).out == "v1\n");
  CHECK(RunMvc(work, {"rev-parse", "v1"}).out == RunMvc(work, {"rev-parse", "finetune-a"}).out);
  RunResult tensors = RunMvc(work, {"ls-tensors", "v1"});
  CHECK(tensors.exit_code == 0);
  CHECK(tensors.out.find("model.safetensors:") != std::string::npos);

  CHECK(RunMvc(work, {"tag", "-d", "v1"}).exit_code == 0);
  CHECK(RunMvc(work, {"branch", "-d", "finetune-a"}).exit_code == 0);
  RunResult main_delete = RunMvc(work, {"branch", "-d", "main"});
  CHECK(main_delete.exit_code == 1);
  CHECK(main_delete.err.find("HEAD is on it") != std::string::npos);
}

}  // namespace
}  // namespace mvc::testing
