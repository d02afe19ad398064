#include <doctest/doctest.h>

#include <filesystem>

#include "core/safetensors_writer.h"
#include "tests/cli/cli_runner.h"
#include "tests/testing/tensor_factory.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {
namespace {

namespace fs = std::filesystem;

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

std::string CommitId(const std::string& dir) {
  RunResult r = RunMvc(dir, {"rev-parse", "HEAD"});
  REQUIRE(r.exit_code == 0);
  return r.out;
}

TEST_CASE("commit of a real model reports sizes and creates the first commit") {
  TempDir dir;
  std::string work = dir.path();
  CopyFile(SharedDataPath("models/capp_gpt2_tiny.safetensors"), work + "/model.safetensors");
  CopyFile(SharedDataPath("models/capp_gpt2_tiny.config.json"), work + "/config.json");
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  RunResult r = RunMvc(work, {"commit", "-m", "base"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("[main ") != std::string::npos);
  CHECK(r.out.find("2 files") != std::string::npos);
  RunResult json = RunMvc(work, {"commit", "-m", "again", "--json"});
  CHECK(json.exit_code == 0);
  CHECK(json.out.find("\"created\": false") != std::string::npos);
}

TEST_CASE("re-committing an unchanged model writes no chunk bytes") {
  TempDir dir;
  std::string work = dir.path();
  CopyFile(SharedDataPath("run/step_000060.weights.bf16.safetensors"), work + "/model.safetensors");
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  REQUIRE(RunMvc(work, {"commit", "-m", "one"}).exit_code == 0);
  std::string first = CommitId(work);
  uint64_t store_before = DirBytes(work + "/.mvc/objects");

  RunResult nothing = RunMvc(work, {"commit", "-m", "two"});
  CHECK(nothing.exit_code == 0);
  CHECK(nothing.out.find("nothing to commit") != std::string::npos);
  CHECK(CommitId(work) == first);

  // Touching the file defeats the stat cache: the file is re-hashed, still nothing stored.
  fs::last_write_time(work + "/model.safetensors", fs::file_time_type::clock::now());
  RunResult empty = RunMvc(work, {"commit", "-m", "three", "--allow-empty", "--json"});
  CHECK(empty.exit_code == 0);
  CHECK(empty.out.find("\"created\": true") != std::string::npos);
  CHECK(empty.out.find("\"stored_bytes\": 0") != std::string::npos);
  CHECK(empty.out.find("\"chunks_written\": 0") != std::string::npos);
  CHECK(DirBytes(work + "/.mvc/objects") == store_before);
}

TEST_CASE("the same model copied under a second name costs no new chunks") {
  TempDir dir;
  std::string work = dir.path();
  CopyFile(SharedDataPath("models/llama2c_stories260K.safetensors"), work + "/a.safetensors");
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  REQUIRE(RunMvc(work, {"commit", "-m", "one"}).exit_code == 0);
  CopyFile(SharedDataPath("models/llama2c_stories260K.safetensors"), work + "/b/copy.safetensors");
  RunResult r = RunMvc(work, {"commit", "-m", "copy", "--json"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("\"chunks_written\": 0") != std::string::npos);
}

TEST_CASE("commit outside a repository fails with a clear error") {
  TempDir dir;
  RunResult r = RunMvc(dir.path(), {"commit", "-m", "x"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("not an mvc repository") != std::string::npos);
}

}  // namespace
}  // namespace mvc::testing
