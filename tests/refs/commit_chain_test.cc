// A chain of 50 versions committed through the porcelain: every version comes back
// bit for bit, and no tensor's delta chain grows past the depth limit.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "core/safetensors_writer.h"
#include "refs/repository.h"
#include "tests/testing/tensor_factory.h"
#include "tests/testing/test_util.h"

namespace mvc {
namespace {

using testing::EncodeFloatBits;
using testing::TempDir;

Bytes Encode(Dtype dtype, const std::vector<double>& values) {
  size_t w = DtypeWidth(dtype);
  Bytes out(values.size() * w);
  for (size_t i = 0; i < values.size(); ++i) {
    uint64_t bits = EncodeFloatBits(dtype, values[i]);
    std::memcpy(out.data() + i * w, &bits, w);
  }
  return out;
}

TEST_CASE("a lossless chain of 50 versions reproduces every version bit for bit") {
  TempDir dir;
  std::string work = dir.path();
  auto repo = Repository::Init(work);
  REQUIRE(repo.ok());
  std::mt19937_64 rng(42);
  std::normal_distribution<double> init(0.0, 0.02), step(0.0, 0.0005);
  std::vector<double> weights(20000), bias(3000);
  for (double& v : weights) v = init(rng);
  for (double& v : bias) v = init(rng);
  std::vector<Bytes> versions;
  constexpr uint32_t kMaxDepth = 8;
  for (int version = 0; version < 50; ++version) {
    for (double& v : weights) v += step(rng);
    // A tensor that changes only every fifth version exercises dedup inside the chain.
    if (version % 5 == 0) for (double& v : bias) v += step(rng);
    Result<Bytes> file = BuildSafetensors({{"w.bf16", Dtype::kBF16, {100, 200}, Encode(Dtype::kBF16, weights)},
                                           {"w.f32", Dtype::kF32, {100, 200}, Encode(Dtype::kF32, weights)},
                                           {"b.f16", Dtype::kF16, {3000}, Encode(Dtype::kF16, bias)}},
                                          {{"version", std::to_string(version)}});
    REQUIRE(file.ok());
    testing::WriteFileBytes(work + "/model.safetensors", *file);
    versions.push_back(std::move(*file));
    CommitOptions options;
    options.message = "version " + std::to_string(version);
    options.max_delta_depth = kMaxDepth;
    Result<CommitResult> commit = (*repo)->Commit(options);
    REQUIRE(commit.ok());
    REQUIRE(commit->created);
  }
  bool saw_delta = false;
  for (int version = 0; version < 50; ++version) {
    Result<GitId> id = (*repo)->ResolveCommit("HEAD~" + std::to_string(49 - version));
    REQUIRE(id.ok());
    Result<std::vector<TreeFile>> files = (*repo)->ListFiles(*id);
    REQUIRE(files.ok());
    REQUIRE(files->size() == 1);
    for (const ManifestTensor& t : (*files)[0].manifest->tensors) {
      CHECK(t.delta_depth <= kMaxDepth);
      saw_delta |= t.delta_depth > 0;
    }
    std::string out = dir.path() + "/out.safetensors";
    REQUIRE((*repo)->ExportFile((*files)[0], out, nullptr, nullptr).ok());
    CHECK_MESSAGE(testing::ReadFileBytes(out) == versions[static_cast<size_t>(version)], "version " << version);
  }
  CHECK(saw_delta);
}

}  // namespace
}  // namespace mvc
