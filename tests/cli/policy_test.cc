// Near-lossless policies end to end: opt-in only, the error reached is recorded and
// shown, checkout names the approximate tensors, and the chain stays consistent.
#include <doctest/doctest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_runner.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {
namespace {

nlohmann::json ShowJson(const std::string& work, const std::string& rev) {
  RunResult r = RunMvc(work, {"show", rev, "--json"});
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

TEST_CASE("bfp:7 stores approximate tensors within their bound and says so") {
  TempDir dir;
  std::string work = dir.path();
  CopyFile(SharedDataPath("run/step_000180.weights.f32.safetensors"), work + "/model.safetensors");
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  RunResult commit = RunMvc(work, {"commit", "-m", "bfp", "--policy", "bfp:7", "--json"});
  INFO(commit.err);
  REQUIRE(commit.exit_code == 0);
  nlohmann::json show = ShowJson(work, "HEAD");
  size_t approximate = 0;
  for (const auto& t : show["files"][0]["tensors"]) {
    if (t["lossy"].is_null()) continue;
    ++approximate;
    CHECK(t["lossy"]["policy"] == "bfp:7");
    // Documented bound: |x - x_hat| <= 2^(1-M) * max|group|, so relative L2 <= 2^(1-M).
    CHECK(t["lossy"]["rel_l2"].get<double>() <= 1.0 / 64);
    CHECK(t["encoding"] == "bfp");
  }
  CHECK(approximate == show["files"][0]["tensors"].size());
  // The worktree still holds the exact file: nothing to commit.
  CHECK(RunMvc(work, {"status", "--porcelain"}).out.empty());
  // The exact worktree file counts as the committed one; once removed, checkout writes
  // the stored approximation and names it.
  std::filesystem::remove(work + "/model.safetensors");
  RunResult checkout = RunMvc(work, {"checkout", "-f", "HEAD"});
  CHECK(checkout.exit_code == 0);
  CHECK(checkout.out.find("tensors are approximate") != std::string::npos);
  CHECK_FALSE(SameBytes(SharedDataPath("run/step_000180.weights.f32.safetensors"), work + "/model.safetensors"));
  CHECK(RunMvc(work, {"status", "--porcelain"}).out.empty());
  CHECK(RunMvc(work, {"fsck"}).exit_code == 0);
}

TEST_CASE("aligned:int16 chains versions on the anchor's grid") {
  TempDir dir;
  std::string work = dir.path();
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  for (const char* step : {"180", "240"}) {
    CopyFile(SharedDataPath(std::string("run/step_000") + step + ".weights.f32.safetensors"), work + "/model.safetensors");
    RunResult r = RunMvc(work, {"commit", "-m", step, "--policy", "aligned:int16"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  nlohmann::json show = ShowJson(work, "HEAD");
  size_t deltas = 0;
  for (const auto& t : show["files"][0]["tensors"]) {
    REQUIRE_FALSE(t["lossy"].is_null());
    CHECK(t["lossy"]["policy"] == "aligned:int16");
    if (t["delta_depth"].get<int>() == 1) ++deltas;
  }
  CHECK(deltas > 0);  // most tensors stay on the grid of step 180
  CHECK(RunMvc(work, {"fsck"}).exit_code == 0);
  // Both versions check out (decoding the chain) and verify.
  CHECK(RunMvc(work, {"checkout", "-f", "HEAD~1"}).exit_code == 0);
  CHECK(RunMvc(work, {"checkout", "-f", "main"}).exit_code == 0);
}

TEST_CASE("max-rel-error picks an encoding within the bound per tensor") {
  TempDir dir;
  std::string work = dir.path();
  CopyFile(SharedDataPath("run/step_000240.weights.bf16.safetensors"), work + "/model.safetensors");
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  REQUIRE(RunMvc(work, {"commit", "-m", "bounded", "--max-rel-error", "0.01"}).exit_code == 0);
  nlohmann::json show = ShowJson(work, "HEAD");
  for (const auto& t : show["files"][0]["tensors"]) {
    if (!t["lossy"].is_null()) CHECK(t["lossy"]["rel_l2"].get<double>() <= 0.01);
  }
}

TEST_CASE("an unknown policy is refused before anything is written") {
  TempDir dir;
  std::string work = dir.path();
  CopyFile(SharedDataPath("models/llama2c_stories260K.safetensors"), work + "/m.safetensors");
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  RunResult r = RunMvc(work, {"commit", "-m", "x", "--policy", "bfp:99"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "mvc: error: bfp mantissa bits '99' out of range 2..23\n");
  CHECK(RunMvc(work, {"log"}).err.find("HEAD has no commits yet") != std::string::npos);
}

}  // namespace
}  // namespace mvc::testing
