#include <doctest/doctest.h>

#include <filesystem>

#include "core/safetensors_writer.h"
#include "tests/cli/cli_runner.h"
#include "tests/testing/tensor_factory.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {
namespace {

namespace fs = std::filesystem;

void Commit(const std::string& work, const std::string& message) {
  RunResult r = RunMvc(work, {"commit", "-m", message});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

void Checkout(const std::string& work, const std::vector<std::string>& args) {
  std::vector<std::string> all = {"checkout"};
  all.insert(all.end(), args.begin(), args.end());
  RunResult r = RunMvc(work, all);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

// Every file of every shared model directory, committed together, comes back byte for
// byte after the worktree is wiped.
TEST_CASE("checkout reproduces every real model byte for byte") {
  TempDir dir;
  std::string work = dir.path() + "/w";
  std::vector<std::string> models = AllSharedSafetensors();
  REQUIRE(models.size() >= 8);
  for (const std::string& m : models) {
    CopyFile(m, work + "/" + fs::path(m).parent_path().filename().string() + "/" + fs::path(m).filename().string());
  }
  CopyFile(SharedDataPath("models/capp_gpt2_tiny.config.json"), work + "/models/capp_gpt2_tiny.config.json");
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  Commit(work, "all models");
  REQUIRE(RunMvc(work, {"branch", "snapshot"}).exit_code == 0);
  // Wipe the worktree's files (the repository stays) and check the snapshot out again.
  for (const auto& sub : {"models", "pairs", "run"}) fs::remove_all(work + "/" + sub);
  RunResult status = RunMvc(work, {"status", "--porcelain"});
  CHECK(status.out.find(" D models/capp_gpt2_tiny.config.json") != std::string::npos);
  Checkout(work, {"snapshot"});
  for (const std::string& m : models) {
    std::string copy = work + "/" + fs::path(m).parent_path().filename().string() + "/" + fs::path(m).filename().string();
    CHECK_MESSAGE(SameBytes(m, copy), copy);
  }
  CHECK(SameBytes(SharedDataPath("models/capp_gpt2_tiny.config.json"), work + "/models/capp_gpt2_tiny.config.json"));
  RunResult clean = RunMvc(work, {"status", "--porcelain"});
  CHECK(clean.out.empty());
}

TEST_CASE("a sequence of checkpoints checks out version by version") {
  TempDir dir;
  std::string work = dir.path();
  std::vector<std::string> steps = {"060", "120", "180", "240"};
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  for (const std::string& s : steps) {
    CopyFile(SharedDataPath("run/step_000" + s + ".weights.bf16.safetensors"), work + "/model.safetensors");
    Commit(work, "step " + s);
    REQUIRE(RunMvc(work, {"tag", "s" + s}).exit_code == 0);
  }
  for (const std::string& s : {"120", "060", "240", "180"}) {
    Checkout(work, {std::string("s") + s});
    CHECK(SameBytes(SharedDataPath(std::string("run/step_000") + s + ".weights.bf16.safetensors"),
                    work + "/model.safetensors"));
  }
  Checkout(work, {"main"});
  CHECK(SameBytes(SharedDataPath("run/step_000240.weights.bf16.safetensors"), work + "/model.safetensors"));
}

TEST_CASE("generated tensors of every dtype with special values round-trip exactly") {
  std::vector<GeneratedTensor> tensors;
  uint64_t seed = 1;
  for (Dtype d : kAllDtypes) {
    std::string n(DtypeName(d));
    tensors.push_back({n + ".random", d, {33, 17}, RandomTensorBytes(d, 33 * 17, seed++)});
    tensors.push_back({n + ".special", d, {257}, SpecialFloatBytes(d, 257)});
    tensors.push_back({n + ".constant", d, {4, 4}, ConstantTensorBytes(d, 16, 0x3c)});
    tensors.push_back({n + ".empty", d, {0, 5}, {}});
    tensors.push_back({n + ".scalar", d, {}, RandomTensorBytes(d, 1, seed++)});
  }
  // One tensor over a chunk (4 MiB) so multi-chunk tensors are covered.
  tensors.push_back({"big", Dtype::kF32, {1 << 20, 2}, RandomTensorBytes(Dtype::kF32, 2 << 20, 99)});
  Result<Bytes> file = BuildSafetensors(tensors, {{"format", "pt"}, {"note", "generated"}});
  REQUIRE(file.ok());
  TempDir dir;
  std::string work = dir.path();
  WriteFileBytes(work + "/gen.safetensors", *file);
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  Commit(work, "generated");
  fs::remove(work + "/gen.safetensors");
  Checkout(work, {"-f", "HEAD"});
  CHECK(ReadFileBytes(work + "/gen.safetensors") == *file);
}

TEST_CASE("a sharded Hugging Face folder with its index round-trips") {
  TempDir dir;
  std::string work = dir.path();
  std::vector<GeneratedTensor> a = {{"layers.0.w", Dtype::kBF16, {64, 64}, RandomTensorBytes(Dtype::kBF16, 4096, 5)}};
  std::vector<GeneratedTensor> b = {{"layers.1.w", Dtype::kBF16, {64, 64}, RandomTensorBytes(Dtype::kBF16, 4096, 6)}};
  WriteFileBytes(work + "/model-00001-of-00002.safetensors", *BuildSafetensors(a, {}));
  WriteFileBytes(work + "/model-00002-of-00002.safetensors", *BuildSafetensors(b, {}));
  std::string index = R"({"metadata": {"total_size": 16384}, "weight_map": {"layers.0.w": "model-00001-of-00002.safetensors", "layers.1.w": "model-00002-of-00002.safetensors"}})";
  WriteFileBytes(work + "/model.safetensors.index.json", AsBytes(index));
  WriteFileBytes(work + "/tokenizer/tokenizer.json", AsBytes("{\"version\": \"1.0\"}"));
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  Commit(work, "sharded");
  Bytes shard1 = ReadFileBytes(work + "/model-00001-of-00002.safetensors");
  fs::remove_all(work + "/tokenizer");
  fs::remove(work + "/model-00001-of-00002.safetensors");
  Checkout(work, {"-f", "main"});
  CHECK(ReadFileBytes(work + "/model-00001-of-00002.safetensors") == shard1);
  CHECK(ReadFileBytes(work + "/model.safetensors.index.json") == ToBytes(index));
  CHECK(ReadFileBytes(work + "/tokenizer/tokenizer.json") == ToBytes("{\"version\": \"1.0\"}"));
}

TEST_CASE("checkout refuses to overwrite uncommitted changes without --force") {
  TempDir dir;
  std::string work = dir.path();
  CopyFile(SharedDataPath("run/step_000060.weights.bf16.safetensors"), work + "/model.safetensors");
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  Commit(work, "one");
  CopyFile(SharedDataPath("run/step_000120.weights.bf16.safetensors"), work + "/model.safetensors");
  Commit(work, "two");
  CopyFile(SharedDataPath("run/step_000180.weights.bf16.safetensors"), work + "/model.safetensors");
  RunResult r = RunMvc(work, {"checkout", "HEAD~1"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("checkout would overwrite uncommitted changes in model.safetensors") != std::string::npos);
  CHECK(SameBytes(SharedDataPath("run/step_000180.weights.bf16.safetensors"), work + "/model.safetensors"));
  Checkout(work, {"--force", "HEAD~1"});
  CHECK(SameBytes(SharedDataPath("run/step_000060.weights.bf16.safetensors"), work + "/model.safetensors"));
  RunResult status = RunMvc(work, {"status"});
  CHECK(status.out.find("HEAD detached at") != std::string::npos);
}

TEST_CASE("checkout -b creates a branch, and files only in the old commit are removed") {
  TempDir dir;
  std::string work = dir.path();
  CopyFile(SharedDataPath("pairs/bert_tiny_sst2.safetensors"), work + "/model.safetensors");
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  Commit(work, "base");
  Checkout(work, {"-b", "finetune"});
  CopyFile(SharedDataPath("pairs/bert_tiny_emotion.safetensors"), work + "/model.safetensors");
  WriteFileBytes(work + "/notes.txt", AsBytes("emotion head\n"));
  Commit(work, "emotion");
  Checkout(work, {"main"});
  CHECK(SameBytes(SharedDataPath("pairs/bert_tiny_sst2.safetensors"), work + "/model.safetensors"));
  CHECK_FALSE(fs::exists(work + "/notes.txt"));
  Checkout(work, {"finetune"});
  CHECK(SameBytes(SharedDataPath("pairs/bert_tiny_emotion.safetensors"), work + "/model.safetensors"));
  CHECK(fs::exists(work + "/notes.txt"));
}

}  // namespace
}  // namespace mvc::testing

namespace mvc::testing {
namespace {

TEST_CASE("checkout HEAD stays on the branch") {
  TempDir dir;
  std::string work = dir.path();
  CopyFile(SharedDataPath("models/llama2c_stories260K.safetensors"), work + "/m.safetensors");
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  REQUIRE(RunMvc(work, {"commit", "-m", "one"}).exit_code == 0);
  RunResult r = RunMvc(work, {"checkout", "HEAD"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Switched to branch 'main'") != std::string::npos);
  CHECK(RunMvc(work, {"status"}).out.find("On branch main") != std::string::npos);
}

}  // namespace
}  // namespace mvc::testing
