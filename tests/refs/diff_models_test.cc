#include <doctest/doctest.h>

#include <map>
#include <set>

#include "core/mapped_file.h"
#include "core/safetensors.h"
#include "refs/layer_names.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {
namespace {

TEST_CASE("LayerOf groups block-indexed names up to the block number") {
  CHECK(LayerOf("model.layers.17.self_attn.q_proj.weight") == "model.layers.17");
  CHECK(LayerOf("transformer.h.3.mlp.c_fc.bias") == "transformer.h.3");
  CHECK(LayerOf("bert.encoder.layer.1.output.dense.weight") == "bert.encoder.layer.1");
  CHECK(LayerOf("model.decoder.layers.2.fc1.weight") == "model.decoder.layers.2");
  CHECK(LayerOf("blocks.0.attn.qkv.weight") == "blocks.0");
  CHECK(LayerOf("layers.4.attention.wq.weight") == "layers.4");
  CHECK(LayerOf("optim.exp_avg.transformer.h.0.ln_1.weight") == "optim.exp_avg.transformer.h.0");
  CHECK(LayerOf("model.layers.0.mlp.experts.3.w1.weight") == "model.layers.0");
  CHECK(LayerOf("a/model/block_12_project/Conv2D_weights") == "a/model/block_12");
  CHECK(LayerOf("encoder/layer_3/kernel") == "encoder/layer_3");
}

TEST_CASE("LayerOf falls back to the module for embeddings, heads and unindexed names") {
  CHECK(LayerOf("bert.embeddings.LayerNorm.weight") == "bert.embeddings");
  CHECK(LayerOf("bert.embeddings.word_embeddings.weight") == "bert.embeddings");
  CHECK(LayerOf("bert.pooler.dense.weight") == "bert.pooler.dense");
  CHECK(LayerOf("classifier.weight") == "classifier");
  CHECK(LayerOf("transformer.ln_f.bias") == "transformer.ln_f");
  CHECK(LayerOf("lm_head") == "lm_head");
  CHECK(LayerOf("conv32_1/conv2/conv/filters") == "conv32_1/conv2/conv");
  // A leading number is not a block index; "height_1" is not a stem "h".
  CHECK(LayerOf("0.weight") == "0");
  CHECK(LayerOf("height_1.weight") == "height_1");
  CHECK(LayerOf("") == "");
}

std::map<std::string, size_t> LayersOfFile(const std::string& relative) {
  Result<MappedFile> file = MappedFile::Open(SharedDataPath(relative));
  REQUIRE(file.ok());
  Result<SafetensorsLayout> layout = ParseSafetensors(file->bytes());
  REQUIRE(layout.ok());
  std::map<std::string, size_t> layers;
  for (const TensorEntry& t : layout->tensors) ++layers[LayerOf(t.name)];
  return layers;
}

TEST_CASE("LayerOf finds the blocks of the shared models") {
  auto gpt2 = LayersOfFile("models/capp_gpt2_tiny.safetensors");
  for (int i = 0; i < 4; ++i) CHECK(gpt2.count("transformer.h." + std::to_string(i)) == 1);
  auto llama = LayersOfFile("models/llama2c_stories260K.safetensors");
  for (int i = 0; i < 5; ++i) CHECK(llama["model.layers." + std::to_string(i)] == 9);
  auto bert = LayersOfFile("pairs/bert_tiny_sst2.safetensors");
  CHECK(bert == std::map<std::string, size_t>{{"bert.encoder.layer.0", 12}, {"bert.encoder.layer.1", 12},
                                              {"bert.pooler.dense", 2}, {"classifier", 2}});
  auto run = LayersOfFile("run/step_000180.full.safetensors");
  CHECK(run["transformer.h.2"] == run["optim.exp_avg.transformer.h.2"]);
  CHECK(run["optim.exp_avg_sq.transformer.h.3"] == run["transformer.h.3"]);
  auto lora = LayersOfFile("models/peft_gpt2_lora_adapter.safetensors");
  CHECK(lora["base_model.model.transformer.h.11"] == 2);
  auto movenet = LayersOfFile("models/human_movenet_lightning.safetensors");
  bool has_block = false;
  for (const auto& [name, n] : movenet) has_block = has_block || name.ends_with("/model/block_12");
  CHECK(has_block);
}

}  // namespace
}  // namespace mvc::testing
