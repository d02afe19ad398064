// Corruption: random byte flips planted in the object store (inside the stored bytes
// of chunk and tensor objects, found in the LMDB file) and in the git objects of the
// history. Every flip must be detected by `mvc fsck` (when it exists) and by checkout
// of every version that uses the object (exit 1, the error names the file, tensor and
// object); versions that do not use it still check out byte for byte.
//
// Trials: MVC_CORRUPTION_TRIALS (default 24, two thirds in the object store).
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <set>

#include "codec/chunk_codec.h"
#include "objectstore/object_store.h"
#include "refs/internal/tensor_io.h"
#include "refs/repository.h"
#include "tests/reliability/reliability_util.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {
namespace {

namespace fs = std::filesystem;

Bytes TextBytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

// What each version's worktree holds.
using Files = std::map<std::string, Bytes>;

struct Planted {
  std::string what;         // "chunk", "tensor", "git"
  std::string hex;          // the corrupted object's id
  std::set<int> affected;   // versions (indices) that read it
  std::string file_hint;    // a file of an affected version that contains it ("" for git)
};

// Store objects (tensor records, chunks and their delta bases) each version reads.
void CollectStoreObjects(ObjectStore& store, const ObjectId& chunk, std::set<std::string>& out) {
  if (!out.insert(chunk.ToHex()).second) return;
  Result<StoredObject> object = store.Get(chunk);
  REQUIRE(object.ok());
  Result<ChunkFrameView> frame = ParseChunkFrame(object->body);
  REQUIRE(frame.ok());
  if (frame->base_id) CollectStoreObjects(store, *frame->base_id, out);
}

// Offsets in `file` where `needle` occurs (all of them: LMDB may keep stale copies in
// free pages; flipping those too is harmless, and the live copy is among them).
std::vector<uint64_t> FindAll(const Bytes& file, const Bytes& needle) {
  std::vector<uint64_t> hits;
  if (needle.empty() || needle.size() > file.size()) return hits;
  const uint8_t* begin = file.data();
  const uint8_t* end = file.data() + file.size();
  const uint8_t* p = begin;
  while (p + needle.size() <= end) {
    const void* found = memmem(p, static_cast<size_t>(end - p), needle.data(), needle.size());
    if (!found) break;
    const uint8_t* f = static_cast<const uint8_t*>(found);
    hits.push_back(static_cast<uint64_t>(f - begin));
    p = f + 1;
  }
  return hits;
}

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

TEST_CASE("every byte flipped in the object store or the git objects is detected, and only where it matters") {
  const int trials = EnvInt("MVC_CORRUPTION_TRIALS", 24);
  std::mt19937_64 rng(static_cast<uint64_t>(EnvInt("MVC_CORRUPTION_SEED", 7)));
  TempDir dir;
  const std::string pristine = dir.path() + "/pristine";
  const std::string sst2 = SharedDataPath("pairs/bert_tiny_sst2.safetensors");
  std::vector<Files> versions = {
      {{"a.safetensors", ReadFileBytes(sst2)}, {"notes.txt", TextBytes("first\n")}},
      {{"a.safetensors", ReadFileBytes(SharedDataPath("pairs/bert_tiny_emotion.safetensors"))},
       {"b.safetensors", ReadFileBytes(SharedDataPath("models/capp_gpt2_tiny.safetensors"))},
       {"notes.txt", TextBytes("second\n")}},
      {{"a.safetensors", MakeVersion(sst2, 3)}, {"notes.txt", TextBytes("first\n")}},
  };
  fs::create_directories(pristine);
  REQUIRE(RunMvc(pristine, {"init"}).exit_code == 0);
  for (size_t v = 0; v < versions.size(); ++v) {
    for (const auto& entry : fs::directory_iterator(pristine)) {
      if (entry.path().filename() != ".mvc") fs::remove(entry.path());
    }
    for (const auto& [name, bytes] : versions[v]) WriteFileBytes(pristine + "/" + name, bytes);
    RunResult c = RunMvc(pristine, {"commit", "-m", "v" + std::to_string(v)});
    INFO(c.err);
    REQUIRE(c.exit_code == 0);
    REQUIRE(RunMvc(pristine, {"tag", "v" + std::to_string(v)}).exit_code == 0);
  }

  // Which objects each version reads, and where their bytes lie on disk.
  std::vector<Planted> candidates_store, candidates_git;
  std::map<std::string, std::vector<uint64_t>> store_offsets;  // hex -> byte offsets of its stored bytes
  std::map<std::string, size_t> store_sizes;
  {
    auto repo = Repository::Open(pristine);
    REQUIRE(repo.ok());
    std::map<std::string, Planted> store_objects, git_objects;
    for (int v = 0; v < static_cast<int>(versions.size()); ++v) {
      Result<GitId> commit = (*repo)->ResolveCommit("v" + std::to_string(v));
      REQUIRE(commit.ok());
      Result<History::CommitInfo> info = (*repo)->history().ReadCommit(*commit);
      REQUIRE(info.ok());
      git_objects[commit->ToHex()].affected.insert(v);
      git_objects[info->tree.ToHex()].affected.insert(v);
      Result<History::FlatTree> tree = (*repo)->history().ReadTree(info->tree);
      REQUIRE(tree.ok());
      for (const auto& [path, entry] : *tree) git_objects[entry.blob.ToHex()].affected.insert(v);
      Result<std::vector<TreeFile>> files = (*repo)->ListFiles(*commit);
      REQUIRE(files.ok());
      for (const TreeFile& f : *files) {
        if (!f.manifest) continue;
        for (const ManifestTensor& t : f.manifest->tensors) {
          std::set<std::string> ids = {t.id.ToHex()};
          Result<TensorRecord> record = internal::LoadTensorRecord((*repo)->store(), t.id);
          REQUIRE(record.ok());
          for (const ObjectId& c : record->chunk_ids) CollectStoreObjects((*repo)->store(), c, ids);
          for (const std::string& hex : ids) {
            Planted& p = store_objects[hex];
            p.affected.insert(v);
            if (p.file_hint.empty()) p.file_hint = f.path;
          }
        }
      }
    }
    Bytes mdb = ReadFileBytes(pristine + "/.mvc/objects/data.mdb");
    for (auto& [hex, p] : store_objects) {
      Result<ObjectId> id = ObjectId::FromHex(hex);
      REQUIRE(id.ok());
      Result<StoredObject> object = (*repo)->store().Get(*id);
      REQUIRE(object.ok());
      p.hex = hex;
      p.what = object->kind == ObjectKind::kChunk ? "chunk" : "tensor";
      Bytes stored = WrapObject(object->kind, object->body);
      std::vector<uint64_t> hits = FindAll(mdb, stored);
      REQUIRE_MESSAGE(!hits.empty(), "object " << hex << " not found in data.mdb");
      store_offsets[hex] = hits;
      store_sizes[hex] = stored.size();
      candidates_store.push_back(p);
    }
    for (auto& [hex, p] : git_objects) {
      p.hex = hex;
      p.what = "git";
      candidates_git.push_back(p);
    }
  }
  REQUIRE(candidates_store.size() > 10);

  const bool have_fsck = HasVerb("fsck");
  int planted = 0, detected_checkout = 0, detected_fsck = 0, unaffected_ok = 0, unaffected_runs = 0;
  for (int trial = 0; trial < trials; ++trial) {
    const bool in_store = trial % 3 != 2;
    std::vector<Planted>& pool = in_store ? candidates_store : candidates_git;
    const Planted& target = pool[rng() % pool.size()];
    const std::string work = dir.path() + "/trial" + std::to_string(trial);
    fs::copy(pristine, work, fs::copy_options::recursive);
    // Start from a version that does not read the object: checkout reads the tree
    // HEAD is on (to know what the worktree holds), so a corrupt HEAD blocks every
    // checkout -- detected, but it would hide whether unaffected versions survive.
    for (int v = 0; v < static_cast<int>(versions.size()); ++v) {
      if (target.affected.count(v)) continue;
      REQUIRE(RunMvc(work, {"checkout", "--force", "v" + std::to_string(v)}).exit_code == 0);
      break;
    }
    std::string where;
    if (in_store) {
      // A byte anywhere in the stored object: envelope, frame header or payload.
      uint64_t k = rng() % store_sizes[target.hex];
      std::vector<uint64_t> offsets;
      for (uint64_t base : store_offsets[target.hex]) offsets.push_back(base + k);
      FlipBytes(work + "/.mvc/objects/data.mdb", offsets);
      where = target.what + " " + target.hex.substr(0, 12) + " byte " + std::to_string(k);
    } else {
      std::string path = work + "/.mvc/history/objects/" + target.hex.substr(0, 2) + "/" + target.hex.substr(2);
      REQUIRE_MESSAGE(fs::exists(path), path);
      uint64_t size = fs::file_size(path);
      uint64_t k = rng() % size;
      FlipBytes(path, {k});
      where = "git object " + target.hex.substr(0, 12) + " byte " + std::to_string(k);
    }
    planted++;
    INFO("trial " << trial << ": " << where);

    bool caught_by_checkout = true;
    for (int v = 0; v < static_cast<int>(versions.size()); ++v) {
      // Empty the worktree first: a file that already matches is not rewritten
      // (and not read from the store), so it would prove nothing.
      for (const auto& entry : fs::directory_iterator(work)) {
        if (entry.path().filename() != ".mvc") fs::remove(entry.path());
      }
      RunResult r = RunMvc(work, {"checkout", "--force", "v" + std::to_string(v)});
      if (target.affected.count(v)) {
        bool refused = r.exit_code == 1;
        CHECK_MESSAGE(refused, "version " << v << " checked out despite the flip: " << r.out);
        if (in_store) {
          CHECK_MESSAGE(r.err.find(target.hex.substr(0, 12)) != std::string::npos, r.err);
          CHECK_MESSAGE(r.err.find(".safetensors") != std::string::npos, r.err);
          CHECK_MESSAGE(r.err.find("tensor '") != std::string::npos, r.err);
        } else {
          CHECK_MESSAGE(!r.err.empty(), "no error text");
        }
        caught_by_checkout = caught_by_checkout && refused;
      } else {
        unaffected_runs++;
        bool ok = r.exit_code == 0;
        CHECK_MESSAGE(ok, "unaffected version " << v << ": " << r.err);
        for (const auto& [name, bytes] : versions[v]) {
          bool same = fs::exists(work + "/" + name) && ReadFileBytes(work + "/" + name) == bytes;
          CHECK_MESSAGE(same, "unaffected version " << v << ": " << name << " differs");
          ok = ok && same;
        }
        unaffected_ok += ok;
      }
    }
    detected_checkout += caught_by_checkout;
    if (have_fsck) {
      RunResult f = RunMvc(work, {"fsck"});
      bool caught = f.exit_code != 0 && (f.out + f.err).find(target.hex.substr(0, 12)) != std::string::npos;
      CHECK_MESSAGE(caught, "fsck: exit " << f.exit_code << "\n" << f.out << f.err);
      detected_fsck += caught;
    }
    fs::remove_all(work);
  }
  std::cout << "corruptions: " << planted << " planted, " << detected_checkout << " detected by checkout, "
            << (have_fsck ? std::to_string(detected_fsck) : std::string("n/a (no fsck)")) << " detected by fsck; "
            << unaffected_ok << "/" << unaffected_runs << " unaffected checkouts byte for byte" << std::endl;
  CHECK(detected_checkout == planted);
  if (have_fsck) CHECK(detected_fsck == planted);
}

}  // namespace
}  // namespace mvc::testing
