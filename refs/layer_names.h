// refs/layer_names.h: which layer a tensor belongs to, from its name alone.
//
// `mvc diff` groups tensors into layers so that a per-layer view shows where a model
// changed. Checkpoints name their tensors by module path; the layer is the path up to
// and including the first block index:
//
//   LayerOf("model.layers.17.self_attn.q_proj.weight")  == "model.layers.17"
//   LayerOf("transformer.h.3.mlp.c_fc.bias")            == "transformer.h.3"
//   LayerOf("bert.encoder.layer.1.output.dense.weight")  == "bert.encoder.layer.1"
//   LayerOf("optim.exp_avg.transformer.h.0.ln_1.weight") == "optim.exp_avg.transformer.h.0"
//   LayerOf("a/model/block_12_project/Conv2D_weights")   == "a/model/block_12"
//   LayerOf("bert.embeddings.LayerNorm.weight")          == "bert.embeddings"
//   LayerOf("bert.pooler.dense.weight")                  == "bert.pooler.dense"
//   LayerOf("classifier.weight")                         == "classifier"
//   LayerOf("lm_head")                                   == "lm_head"
//
// Rules, first match wins (components are separated by '.' or '/'):
//   1. a component of only digits that is not the first one (`layers.17`, `h.3`,
//      `blocks.0`, `encoder.layer.1`, `decoder.layers.2`, `features.4`): the name up to
//      and including it;
//   2. a component `<stem>N` or `<stem>_N`, optionally followed by `_...`, where stem is
//      one of layer, layers, block, blocks, stage, h (TF/Keras style `block_12_project`):
//      the name up to the end of its digits;
//   3. a component named `embeddings` (BERT's word/position/type embeddings and their
//      LayerNorm form one group): the name up to and including it;
//   4. otherwise the name without its last component (`weight`, `bias`, `filters`),
//      or the whole name when it has one component.
// Pure function; safe from any thread.
#ifndef MVC_REFS_LAYER_NAMES_H_
#define MVC_REFS_LAYER_NAMES_H_

#include <string>
#include <string_view>

namespace mvc {

std::string LayerOf(std::string_view tensor_name);

}  // namespace mvc

#endif  // MVC_REFS_LAYER_NAMES_H_
