// End-to-end tests of `mvc gc`: deleted branches' unique objects go, everything live
// stays checkout-able, and a live delta's base is never collected.
#include <doctest/doctest.h>

#include <filesystem>

#include "objectstore/object_store.h"
#include "refs/reachability.h"
#include "refs/repository.h"
#include "tests/cli/cli_runner.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {
namespace {

namespace fs = std::filesystem;

void Run(const std::string& work, const std::vector<std::string>& args) {
  RunResult r = RunMvc(work, args);
  INFO(args[0], "\n", r.out, r.err);
  REQUIRE(r.exit_code == 0);
}

uint64_t ObjectCount(const std::string& work) {
  auto store = ObjectStore::OpenLmdb(work + "/.mvc/objects");
  REQUIRE(store.ok());
  auto stats = (*store)->Stats();
  REQUIRE(stats.ok());
  return stats->objects;
}

std::string Run060() { return SharedDataPath("run/step_000060.weights.bf16.safetensors"); }
std::string Run120() { return SharedDataPath("run/step_000120.weights.bf16.safetensors"); }
std::string Run180() { return SharedDataPath("run/step_000180.weights.f32.safetensors"); }

// main: v1 (step 60), then v2 (step 120, delta-coded against v1 where that pays).
void CommitV1V2(const std::string& work) {
  Run(work, {"init"});
  CopyFile(Run060(), work + "/model.safetensors");
  Run(work, {"commit", "-m", "v1"});
  CopyFile(Run120(), work + "/model.safetensors");
  Run(work, {"commit", "-m", "v2"});
}

TEST_CASE("gc frees a deleted branch's unique objects and every remaining commit checks out") {
  TempDir dir;
  const std::string work = dir.path();
  CommitV1V2(work);
  Run(work, {"tag", "v2"});
  Run(work, {"checkout", "-b", "experiment"});
  CopyFile(Run180(), work + "/model.safetensors");  // F32: nothing in common with main
  Run(work, {"commit", "-m", "experiment"});
  Run(work, {"checkout", "main"});
  Run(work, {"branch", "-d", "experiment"});

  // HEAD's reflog still names the experiment commit (as in git): nothing is garbage.
  uint64_t before = ObjectCount(work);
  RunResult dry = RunMvc(work, {"gc", "--dry-run"});
  CHECK(dry.exit_code == 0);
  CHECK(dry.out.find("gc: would delete 0 of " + std::to_string(before) + " objects") != std::string::npos);

  // Expire HEAD's reflog (git reflog expire --expire=now): now the branch's objects go.
  fs::remove(work + "/.mvc/history/logs/HEAD");
  RunResult dry2 = RunMvc(work, {"gc", "-n"});
  CHECK(dry2.exit_code == 0);
  CHECK(ObjectCount(work) == before);
  const uint64_t file_before = fs::file_size(work + "/.mvc/objects/data.mdb");
  RunResult gc = RunMvc(work, {"gc"});
  INFO(gc.out, gc.err);
  REQUIRE(gc.exit_code == 0);
  // The store file shrinks: the branch's F32 objects were over a third of it.
  const uint64_t file_after = fs::file_size(work + "/.mvc/objects/data.mdb");
  CHECK(file_after < file_before * 2 / 3);
  CHECK(gc.out.find("gc: compacted the store file from ") != std::string::npos);
  CHECK(gc.out.find(" -> " + std::to_string(file_after) + " bytes)\n") != std::string::npos);
  CHECK(gc.out.find("gc: deleted ") != std::string::npos);
  uint64_t after = ObjectCount(work);
  CHECK(after < before);
  CHECK(gc.out.find("gc: deleted " + std::to_string(before - after) + " of " + std::to_string(before)) !=
        std::string::npos);

  // Everything else is intact.
  RunResult fsck = RunMvc(work, {"fsck"});
  INFO(fsck.out);
  CHECK(fsck.exit_code == 0);
  CHECK(fsck.out.find("(") == std::string::npos);  // no unreachable objects left
  Run(work, {"checkout", "HEAD~1"});
  CHECK(SameBytes(Run060(), work + "/model.safetensors"));
  Run(work, {"checkout", "v2"});
  CHECK(SameBytes(Run120(), work + "/model.safetensors"));

  // A second gc has nothing to do, and the file stays as it is.
  RunResult again = RunMvc(work, {"gc"});
  CHECK(again.out.find("gc: deleted 0 of " + std::to_string(after)) != std::string::npos);
  CHECK(again.out.find("gc: compacted") == std::string::npos);
  CHECK(fs::file_size(work + "/.mvc/objects/data.mdb") == file_after);
  Run(work, {"commit", "--allow-empty", "-m", "after gc"});
}

TEST_CASE("gc leaves the store file alone while another process has the store open") {
  TempDir dir;
  const std::string work = dir.path();
  CommitV1V2(work);
  Run(work, {"branch", "gone", "HEAD~1"});
  Run(work, {"branch", "-d", "gone"});
  auto reader = ObjectStore::OpenLmdb(work + "/.mvc/objects");  // a checkout, say
  REQUIRE(reader.ok());
  const uint64_t file_before = fs::file_size(work + "/.mvc/objects/data.mdb");
  RunResult gc = RunMvc(work, {"gc"});
  INFO(gc.out, gc.err);
  REQUIRE(gc.exit_code == 0);
  CHECK(gc.out.find("gc: store file not compacted: object store " + work +
                    "/.mvc/objects is open in another mvc process\n") != std::string::npos);
  CHECK(fs::file_size(work + "/.mvc/objects/data.mdb") == file_before);
  reader->reset();
  Run(work, {"checkout", "HEAD~1"});
  CHECK(SameBytes(Run060(), work + "/model.safetensors"));
}

TEST_CASE("gc keeps the base of a live delta whose own commit is unreachable") {
  TempDir dir;
  const std::string work = dir.path();
  CommitV1V2(work);

  // Rewrite history: a parentless commit with v2's tree on branch "orphan", HEAD on
  // it, main deleted and every reflog expired. v1's commit is then unreachable and
  // its chunks live only as bases of v2's deltas.
  {
    auto repo = Repository::Open(work);
    REQUIRE(repo.ok());
    History& h = (*repo)->history();
    auto head = h.ReadRef("HEAD");
    REQUIRE(head.ok());
    auto info = h.ReadCommit(**head);
    REQUIRE(info.ok());
    auto orphan = h.WriteCommit(info->tree, {}, info->author, info->committer, "v2 without history\n");
    REQUIRE(orphan.ok());
    REQUIRE(h.UpdateRef("refs/heads/orphan", *orphan, std::nullopt, "orphan").ok());
    REQUIRE(h.SetHeadToBranch("orphan").ok());
    REQUIRE(h.DeleteRef("refs/heads/main").ok());
  }
  fs::remove(work + "/.mvc/history/logs/HEAD");
  fs::remove(work + "/.mvc/history/logs/refs/heads/orphan");

  {
    auto repo = Repository::Open(work);
    REQUIRE(repo.ok());
    auto live = WalkReachable(**repo);
    REQUIRE(live.ok());
    CHECK(live->commits.size() == 1);
    size_t bases_only = 0;
    for (const auto& [id, c] : live->chunks) bases_only += c.base_of.has_value();
    REQUIRE_MESSAGE(bases_only > 0, "v2 has no delta chunk whose base is only in v1");
  }

  uint64_t before = ObjectCount(work);
  RunResult gc = RunMvc(work, {"gc"});
  INFO(gc.out, gc.err);
  REQUIRE(gc.exit_code == 0);
  CHECK(ObjectCount(work) < before);  // v1's tensor records (and unshared chunks) went

  RunResult fsck = RunMvc(work, {"fsck"});
  INFO(fsck.out);
  CHECK(fsck.exit_code == 0);
  fs::remove(work + "/model.safetensors");
  Run(work, {"checkout", "--force", "orphan"});
  CHECK(SameBytes(Run120(), work + "/model.safetensors"));
}

}  // namespace
}  // namespace mvc::testing
