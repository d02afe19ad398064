// End-to-end tests of `mvc fsck`: single-byte corruptions and missing objects planted
// through the object store are found and named by object id and tensor.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "objectstore/object_store.h"
#include "refs/reachability.h"
#include "refs/repository.h"
#include "tests/cli/cli_runner.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {
namespace {

// A repository with two commits of a real BF16 checkpoint (the second delta-coded
// against the first where that pays).
void MakeTwoCommitRepo(const std::string& work) {
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  CopyFile(SharedDataPath("run/step_000060.weights.bf16.safetensors"), work + "/model.safetensors");
  REQUIRE(RunMvc(work, {"commit", "-m", "step 60"}).exit_code == 0);
  CopyFile(SharedDataPath("run/step_000120.weights.bf16.safetensors"), work + "/model.safetensors");
  REQUIRE(RunMvc(work, {"commit", "-m", "step 120"}).exit_code == 0);
}

Reachable Walk(const std::string& work) {
  auto repo = Repository::Open(work);
  REQUIRE(repo.ok());
  Result<Reachable> live = WalkReachable(**repo);
  REQUIRE(live.ok());
  REQUIRE(live->problems.empty());
  return std::move(*live);
}

std::vector<ObjectId> SortedChunkIds(const Reachable& live) {
  std::vector<ObjectId> chunks;
  for (const auto& [id, c] : live.chunks) chunks.push_back(id);
  std::sort(chunks.begin(), chunks.end());
  return chunks;
}

// Replaces object `id`'s body (the store keeps existing ids, so delete first).
void ReplaceObject(const std::string& work, const ObjectId& id, ObjectKind kind, const Bytes& body) {
  auto store = ObjectStore::OpenLmdb(work + "/.mvc/objects");
  REQUIRE(store.ok());
  REQUIRE((*store)->Delete(std::span<const ObjectId>(&id, 1)).ok());
  ObjectStore::WriteBatch batch;
  batch.Put(id, kind, body);
  REQUIRE((*store)->Write(std::move(batch)).ok());
}

Bytes ReadBody(const std::string& work, const ObjectId& id) {
  auto store = ObjectStore::OpenLmdb(work + "/.mvc/objects");
  REQUIRE(store.ok());
  auto object = (*store)->Get(id);
  REQUIRE(object.ok());
  return object->body;
}

TEST_CASE("fsck of a healthy repository reports no problems and exits 0") {
  TempDir dir;
  MakeTwoCommitRepo(dir.path());
  RunResult r = RunMvc(dir.path(), {"fsck"});
  INFO(r.out, r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("fsck: 2 commits, 2 files, ") != std::string::npos);
  CHECK(r.out.find(" 0 problems") != std::string::npos);
}

TEST_CASE("fsck finds every planted single-byte corruption and names object and tensor") {
  TempDir dir;
  const std::string work = dir.path();
  MakeTwoCommitRepo(work);
  Reachable live = Walk(work);

  // Targets: the first, a middle and the last chunk by id, a delta chunk and a delta
  // base when there are any, and a tensor record.
  std::vector<ObjectId> chunks = SortedChunkIds(live);
  REQUIRE(chunks.size() >= 3);
  std::vector<ObjectId> targets = {chunks.front(), chunks[chunks.size() / 2], chunks.back()};
  for (const auto& [id, c] : live.chunks) {
    if (c.base) { targets.push_back(id); break; }
  }
  for (const auto& [id, c] : live.chunks) {
    if (c.base_of) { targets.push_back(id); break; }
  }

  auto expect_found = [&](const ObjectId& id, const std::string& tensor_name, const std::string& what) {
    RunResult r = RunMvc(work, {"fsck"});
    INFO(what, "\n", r.out, r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("corrupt object " + id.ShortHex() + ": ") != std::string::npos);
    CHECK(r.out.find("tensor '" + tensor_name + "'") != std::string::npos);
    CHECK(r.err.find("fsck found") != std::string::npos);
  };

  for (const ObjectId& id : targets) {
    const ReachedChunk& c = live.chunks.at(id);
    const std::string tensor_name = live.tensors.at(c.tensor).name;
    Bytes original = ReadBody(work, id);
    REQUIRE(original.size() > 8);
    for (size_t pos : {size_t{0}, size_t{5}, original.size() / 3, original.size() / 2, original.size() - 1}) {
      Bytes bad = original;
      bad[pos] ^= 0x01;
      ReplaceObject(work, id, ObjectKind::kChunk, bad);
      expect_found(id, tensor_name, "chunk " + id.ShortHex() + " byte " + std::to_string(pos));
    }
    ReplaceObject(work, id, ObjectKind::kChunk, original);
  }

  // A tensor record: every byte position matters (its id is the hash of its bytes).
  const auto& [tensor_id, tensor] = *live.tensors.begin();
  Bytes record = ReadBody(work, tensor_id);
  for (size_t pos : {size_t{0}, record.size() / 2, record.size() - 1}) {
    Bytes bad = record;
    bad[pos] ^= 0x80;
    ReplaceObject(work, tensor_id, ObjectKind::kTensor, bad);
    expect_found(tensor_id, tensor.name, "tensor record byte " + std::to_string(pos));
  }
  ReplaceObject(work, tensor_id, ObjectKind::kTensor, record);

  RunResult clean = RunMvc(work, {"fsck"});
  INFO(clean.out, clean.err);
  CHECK(clean.exit_code == 0);
  CHECK(clean.out.find(" 0 problems") != std::string::npos);
}

TEST_CASE("fsck reports a deleted chunk as a missing object and keeps going") {
  TempDir dir;
  const std::string work = dir.path();
  MakeTwoCommitRepo(work);
  Reachable live = Walk(work);
  std::vector<ObjectId> chunks = SortedChunkIds(live);
  {
    auto store = ObjectStore::OpenLmdb(work + "/.mvc/objects");
    REQUIRE(store.ok());
    REQUIRE((*store)->Delete(std::span<const ObjectId>(&chunks.front(), 1)).ok());
    REQUIRE((*store)->Delete(std::span<const ObjectId>(&chunks.back(), 1)).ok());
  }
  RunResult r = RunMvc(work, {"fsck"});
  INFO(r.out, r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("missing object " + chunks.front().ShortHex() + ": chunk ") != std::string::npos);
  CHECK(r.out.find("missing object " + chunks.back().ShortHex() + ": ") != std::string::npos);
  CHECK(r.out.find("tensor '" + live.tensors.at(live.chunks.at(chunks.front()).tensor).name + "'") !=
        std::string::npos);

  RunResult json = RunMvc(work, {"fsck", "--json"});
  CHECK(json.exit_code == 1);
  CHECK(json.out.find("\"missing\"") != std::string::npos);

  // gc refuses to run on a repository with problems: nothing is deleted.
  RunResult gc = RunMvc(work, {"gc"});
  CHECK(gc.exit_code == 1);
  CHECK(gc.err.find("nothing deleted") != std::string::npos);
}

TEST_CASE("fsck warns about an unreachable object whose envelope does not parse") {
  TempDir dir;
  const std::string work = dir.path();
  MakeTwoCommitRepo(work);
  ObjectId junk = ObjectId::FromHex(std::string(64, 'e')).value();
  {
    auto store = ObjectStore::OpenLmdb(work + "/.mvc/objects");
    REQUIRE(store.ok());
    REQUIRE((*store)->backend().Write({{junk, Bytes{'n', 'o', 't', ' ', 'a', 'n', ' ', 'o', 'b', 'j'}}}).ok());
  }
  RunResult r = RunMvc(work, {"fsck"});
  INFO(r.out, r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("warning: corrupt object " + junk.ShortHex() + ": unreachable: bad object magic") !=
        std::string::npos);
}

}  // namespace
}  // namespace mvc::testing
