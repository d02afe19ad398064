#include <doctest/doctest.h>

#include "tests/cli/cli_runner.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {
namespace {

TEST_CASE("log lists commits newest first with refs and stored bytes") {
  TempDir dir;
  std::string work = dir.path();
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  for (const char* step : {"060", "120"}) {
    CopyFile(SharedDataPath(std::string("run/step_000") + step + ".weights.bf16.safetensors"), work + "/model.safetensors");
    REQUIRE(RunMvc(work, {"commit", "-m", std::string("step ") + step}).exit_code == 0);
  }
  REQUIRE(RunMvc(work, {"tag", "v1"}).exit_code == 0);
  RunResult r = RunMvc(work, {"log", "--oneline"});
  CHECK(r.exit_code == 0);
  size_t newest = r.out.find("step 120"), oldest = r.out.find("step 060");
  REQUIRE(newest != std::string::npos);
  REQUIRE(oldest != std::string::npos);
  CHECK(newest < oldest);
  CHECK(r.out.find("(main, tag: v1)") != std::string::npos);
  RunResult full = RunMvc(work, {"log", "-n", "1"});
  CHECK(full.out.find("Author: Test User <test@example.com>") != std::string::npos);
  CHECK(full.out.find("step 060") == std::string::npos);
  RunResult json = RunMvc(work, {"log", "--json"});
  CHECK(json.out.find("\"stored_bytes\"") != std::string::npos);
  CHECK(json.out.find("\"message\": \"step 120\\n\"") != std::string::npos);
}

TEST_CASE("log of an empty repository says there are no commits") {
  TempDir dir;
  REQUIRE(RunMvc(dir.path(), {"init"}).exit_code == 0);
  RunResult r = RunMvc(dir.path(), {"log"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("HEAD has no commits yet") != std::string::npos);
}

}  // namespace
}  // namespace mvc::testing

namespace mvc::testing {
namespace {

TEST_CASE("log --graph --all draws a fine-tune branch joining at its branch point") {
  TempDir dir;
  std::string work = dir.path();
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  CopyFile(SharedDataPath("pairs/bert_tiny_sst2.safetensors"), work + "/model.safetensors");
  REQUIRE(RunMvc(work, {"commit", "-m", "base"}).exit_code == 0);
  WriteFileBytes(work + "/notes.txt", AsBytes("main\n"));
  REQUIRE(RunMvc(work, {"commit", "-m", "main work"}).exit_code == 0);
  REQUIRE(RunMvc(work, {"checkout", "-b", "emotion", "HEAD~1"}).exit_code == 0);
  CopyFile(SharedDataPath("pairs/bert_tiny_emotion.safetensors"), work + "/model.safetensors");
  REQUIRE(RunMvc(work, {"commit", "-m", "fine-tune"}).exit_code == 0);
  RunResult r = RunMvc(work, {"log", "--graph", "--all"});
  CHECK(r.exit_code == 0);
  // Newest first; the two tips in two columns, joined above their common base.
  size_t join = r.out.find("\n|/\n* ");
  CHECK(join != std::string::npos);
  CHECK(r.out.find("base") > join);
  CHECK(r.out.find("(emotion) fine-tune") != std::string::npos);
  CHECK(r.out.find("(main) main work") != std::string::npos);
}

}  // namespace
}  // namespace mvc::testing
