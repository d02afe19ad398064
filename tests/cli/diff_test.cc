#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_runner.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {
namespace {

namespace fs = std::filesystem;

void Mvc(const std::string& work, const std::vector<std::string>& args) {
  RunResult r = RunMvc(work, args);
  INFO(args.front(), ": ", r.err);
  REQUIRE(r.exit_code == 0);
}

// A repository with the BERT-tiny SST-2 fine-tune committed, then the emotion one.
void CommitBertPair(const std::string& work) {
  fs::create_directories(work);
  Mvc(work, {"init"});
  CopyFile(SharedDataPath("pairs/bert_tiny_sst2.safetensors"), work + "/model.safetensors");
  Mvc(work, {"commit", "-m", "sst2"});
  CopyFile(SharedDataPath("pairs/bert_tiny_emotion.safetensors"), work + "/model.safetensors");
  Mvc(work, {"commit", "-m", "emotion"});
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// numpy lives in the system python; the check script recomputes everything.
int RunNumpyCheck(const std::vector<std::string>& args) {
  std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  std::string cmd = python + " " + MVC_SOURCE_DIR "/tests/cli/diff_numpy_check.py";
  for (const std::string& a : args) cmd += " '" + a + "'";
  return std::system(cmd.c_str());
}

nlohmann::json DiffJson(const std::string& work, const std::vector<std::string>& args) {
  std::vector<std::string> all = {"diff", "--json"};
  all.insert(all.end(), args.begin(), args.end());
  RunResult r = RunMvc(work, all);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

const nlohmann::json* FindTensor(const nlohmann::json& d, const std::string& name) {
  for (const auto& t : d["tensors"]) {
    if (t["name"] == name) return &t;
  }
  return nullptr;
}

TEST_CASE("diff of two commits matches numpy on every metric, and the HTML page has one bar per layer") {
  TempDir dir;
  std::string work = dir.path() + "/w";
  CommitBertPair(work);
  RunResult r = RunMvc(work, {"diff", "HEAD~1", "HEAD", "--json", "--html", dir.path() + "/d.html"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  WriteText(dir.path() + "/d.json", r.out);
  CHECK(RunNumpyCheck({dir.path() + "/d.json", SharedDataPath("pairs/bert_tiny_sst2.safetensors"),
                       SharedDataPath("pairs/bert_tiny_emotion.safetensors"), "--html", dir.path() + "/d.html"}) == 0);

  nlohmann::json d = nlohmann::json::parse(r.out);
  CHECK(d["summary"]["tensors"] == 28);
  CHECK(d["summary"]["counts"]["shape_changed"] == 2);
  CHECK(d["summary"]["counts"]["changed"] == 26);
  const nlohmann::json* head = FindTensor(d, "classifier.weight");
  REQUIRE(head);
  CHECK((*head)["status"] == "shape_changed");
  CHECK((*head)["shape_a"] == nlohmann::json({2, 128}));
  CHECK((*head)["shape_b"] == nlohmann::json({6, 128}));
  // The README's figure for this pair.
  CHECK(d["summary"]["rel_l2"].get<double>() == doctest::Approx(0.116).epsilon(0.01));
  // Layer grouping: both encoder layers, the pooler and the classifier; the reshaped
  // classifier first, then by relative L2.
  std::vector<std::string> layers;
  for (const auto& l : d["layers"]) layers.push_back(l["name"]);
  CHECK(layers == std::vector<std::string>{"classifier", "bert.pooler.dense", "bert.encoder.layer.0",
                                           "bert.encoder.layer.1"});

  std::string page = ReadText(dir.path() + "/d.html");
  size_t bars = 0;
  for (size_t at = page.find("<rect class=\"l2\""); at != std::string::npos; at = page.find("<rect class=\"l2\"", at + 1)) {
    ++bars;
  }
  CHECK(bars == layers.size());
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("bert.encoder.layer.0: relative L2") != std::string::npos);
}

TEST_CASE("diff against the worktree reports unchanged tensors with zero cost and matches numpy") {
  TempDir dir;
  std::string work = dir.path() + "/w";
  CommitBertPair(work);
  // Worktree = HEAD: nothing changed.
  nlohmann::json same = DiffJson(work, {"HEAD"});
  CHECK(same["summary"]["tensors_changed"] == 0);
  CHECK(same["summary"]["delta_bytes"] == 0);
  for (const auto& t : same["tensors"]) {
    CHECK(t["status"] == "unchanged");
    CHECK(t["delta_bytes"] == 0);
  }
  // Overwrite the worktree with the first version: B omitted compares HEAD~1 with it.
  CopyFile(SharedDataPath("pairs/bert_tiny_sst2.safetensors"), work + "/model.safetensors");
  nlohmann::json none = DiffJson(work, {"HEAD~1"});
  CHECK(none["summary"]["tensors_changed"] == 0);
  nlohmann::json back = DiffJson(work, {"HEAD"});
  // No revision at all means HEAD against the worktree, as `git diff` does.
  CHECK(DiffJson(work, {})["tensors"] == back["tensors"]);
  WriteText(dir.path() + "/back.json", back.dump());
  CHECK(RunNumpyCheck({dir.path() + "/back.json", SharedDataPath("pairs/bert_tiny_emotion.safetensors"),
                       SharedDataPath("pairs/bert_tiny_sst2.safetensors")}) == 0);
  CHECK(back["b"]["commit"].is_null());
  CHECK(back["summary"]["counts"]["shape_changed"] == 2);
  // Worktree side and commit side agree on every metric.
  nlohmann::json committed = DiffJson(work, {"HEAD", "HEAD~1"});
  CHECK(committed["tensors"] == back["tensors"]);
  CHECK(committed["layers"] == back["layers"]);
}

TEST_CASE("diff filters by tensor and layer glob") {
  TempDir dir;
  std::string work = dir.path() + "/w";
  CommitBertPair(work);
  nlohmann::json by_tensor = DiffJson(work, {"HEAD~1", "HEAD", "--tensor", "*.query.weight"});
  REQUIRE(by_tensor["tensors"].size() == 2);
  for (const auto& t : by_tensor["tensors"]) CHECK(std::string(t["name"]).ends_with(".query.weight"));
  nlohmann::json by_layer = DiffJson(work, {"HEAD~1", "HEAD", "--layer", "bert.encoder.layer.1"});
  CHECK(by_layer["tensors"].size() == 12);
  REQUIRE(by_layer["layers"].size() == 1);
  CHECK(by_layer["layers"][0]["name"] == "bert.encoder.layer.1");
  WriteText(dir.path() + "/l.json", by_layer.dump());
  CHECK(RunNumpyCheck({dir.path() + "/l.json", SharedDataPath("pairs/bert_tiny_sst2.safetensors"),
                       SharedDataPath("pairs/bert_tiny_emotion.safetensors"), "--partial"}) == 0);
  // Human output: the summary line first, then the layer table.
  RunResult human = RunMvc(work, {"diff", "HEAD~1", "HEAD", "--layer", "classifier"});
  REQUIRE(human.exit_code == 0);
  CHECK(human.out.find("2 of 2 tensors changed (2 shape changed)") != std::string::npos);
  CHECK(human.out.find("classifier.weight") != std::string::npos);
  CHECK(human.out.find("shape_changed [2, 128] -> [6, 128]") != std::string::npos);
}

TEST_CASE("diff of an unknown revision fails naming it") {
  TempDir dir;
  std::string work = dir.path() + "/w";
  CommitBertPair(work);
  RunResult r = RunMvc(work, {"diff", "nope"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("unknown revision 'nope'") != std::string::npos);
}

TEST_CASE("merge-base prints the fork point of two branches") {
  TempDir dir;
  std::string work = dir.path() + "/w";
  CommitBertPair(work);
  std::string fork = RunMvc(work, {"rev-parse", "HEAD"}).out;
  Mvc(work, {"branch", "side"});
  CopyFile(SharedDataPath("run/step_000060.weights.bf16.safetensors"), work + "/model.safetensors");
  Mvc(work, {"commit", "-m", "main moves on"});
  Mvc(work, {"checkout", "side"});
  CopyFile(SharedDataPath("run/step_000120.weights.bf16.safetensors"), work + "/model.safetensors");
  Mvc(work, {"commit", "-m", "side moves on"});
  RunResult base = RunMvc(work, {"merge-base", "main", "side"});
  CHECK(base.exit_code == 0);
  CHECK(base.out == fork);
  RunResult self = RunMvc(work, {"merge-base", "HEAD~1", "side"});
  CHECK(self.out == fork);
  RunResult bad = RunMvc(work, {"merge-base", "main", "nope"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("unknown revision 'nope'") != std::string::npos);
}

}  // namespace
}  // namespace mvc::testing
