// LMDB-only behaviour: map growth, the size limit, reopening, open errors, a writer
// in another process, compaction.
#include "objectstore/lmdb_backend.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "objectstore/object_store.h"
#include "tests/objectstore/store_test_util.h"

namespace mvc {
namespace {

using testing::PatternBytes;
using testing::TempDir;
using testing::WriteFileBytes;

constexpr uint64_t kMiB = uint64_t{1} << 20;

LmdbOptions SmallMap(uint64_t initial, uint64_t max = uint64_t{1} << 44) {
  LmdbOptions options;
  options.initial_map_bytes = initial;
  options.max_map_bytes = max;
  return options;
}

std::unique_ptr<LmdbBackend> OpenOrDie(const std::string& dir, const LmdbOptions& options) {
  auto backend = LmdbBackend::Open(dir, options);
  REQUIRE_MESSAGE(backend.ok(), backend.status().ToString());
  return std::move(backend).value();
}

std::pair<ObjectId, Bytes> Object(uint64_t seed, size_t body_bytes) {
  Bytes stored = WrapObject(ObjectKind::kChunk, PatternBytes(seed, body_bytes));
  return {Sha256::Digest(stored), std::move(stored)};
}

TEST_CASE("The LMDB map grows from 1 MiB to hold 20 MiB of objects") {
  TempDir dir;
  auto backend = OpenOrDie(dir.path() + "/objects", SmallMap(kMiB));
  CHECK(backend->map_bytes() == kMiB);
  std::vector<std::pair<ObjectId, Bytes>> all;
  for (int batch = 0; batch < 10; ++batch) {
    std::vector<std::pair<ObjectId, Bytes>> puts;
    for (int i = 0; i < 4; ++i) puts.push_back(Object(batch * 10 + i, 512 << 10));
    Status s = backend->Write(puts);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    all.insert(all.end(), puts.begin(), puts.end());
  }
  CHECK(backend->map_bytes() >= 20 * kMiB);
  for (const auto& [id, stored] : all) CHECK(*backend->Get(id) == stored);
  CHECK(*backend->DiskBytes() >= 20 * kMiB);
}

TEST_CASE("A batch beyond the map limit fails with NoSpace and writes nothing") {
  TempDir dir;
  std::string path = dir.path() + "/objects";
  auto backend = OpenOrDie(path, SmallMap(kMiB, 4 * kMiB));
  auto kept = Object(1, 100);
  REQUIRE(backend->Write({kept}).ok());

  // Each put succeeds inside the transaction until the map is full: the abort must
  // undo the earlier ones.
  std::vector<std::pair<ObjectId, Bytes>> puts;
  for (int i = 0; i < 12; ++i) puts.push_back(Object(100 + i, 512 << 10));
  Status s = backend->Write(puts);
  CHECK(s.code() == StatusCode::kNoSpace);
  CHECK(s.message() == "write 12 objects: object store " + path +
                           " is full: map of 4194304 bytes reached its limit of 4194304 bytes");
  for (const auto& [id, stored] : puts) CHECK_FALSE(*backend->Has(id));
  CHECK(*backend->Get(kept.first) == kept.second);
  // Smaller writes still fit.
  CHECK(backend->Write({Object(2, 1000)}).ok());
}

TEST_CASE("Reopening an LMDB store sees the objects written before closing") {
  TempDir dir;
  std::string path = dir.path() + "/objects";
  auto object = Object(5, 3 * kMiB);
  {
    auto backend = OpenOrDie(path, SmallMap(kMiB));
    REQUIRE(backend->Write({object}).ok());
  }
  CHECK(std::filesystem::exists(path + "/data.mdb"));
  CHECK(std::filesystem::exists(path + "/lock.mdb"));
  auto reopened = ObjectStore::OpenLmdb(path);
  REQUIRE(reopened.ok());
  Result<StoredObject> got = (*reopened)->Get(object.first);
  REQUIRE(got.ok());
  CHECK(got->body == PatternBytes(5, 3 * kMiB));
  CHECK(WrapObject(got->kind, got->body) == object.second);
}

TEST_CASE("Opening one LMDB directory twice in a process is refused") {
  TempDir dir;
  std::string path = dir.path() + "/objects";
  auto first = OpenOrDie(path, {});
  auto second = LmdbBackend::Open(path);
  CHECK(second.status().ToString() ==
        "conflict: object store " + path + " is already open in this process");
  first.reset();
  CHECK(LmdbBackend::Open(path).ok());
}

TEST_CASE("Opening something that is not an LMDB store gives a clear error") {
  TempDir dir;
  std::string file = dir.path() + "/plain";
  testing::WriteFileBytes(file, AsBytes("not a directory"));
  CHECK(LmdbBackend::Open(file).status().ToString() ==
        "invalid argument: object store " + file + " is not a directory");

  std::string garbage = dir.path() + "/garbage";
  std::filesystem::create_directories(garbage);
  testing::WriteFileBytes(garbage + "/data.mdb", PatternBytes(1, 64 << 10));
  CHECK(LmdbBackend::Open(garbage).status().ToString() ==
        "corruption: object store " + garbage + ": data.mdb is not an LMDB database");

  if (geteuid() != 0) {  // root ignores permission bits
    std::string locked = dir.path() + "/locked";
    std::filesystem::create_directories(locked);
    chmod(locked.c_str(), 0500);
    CHECK(LmdbBackend::Open(locked).status().ToString() ==
          "I/O error: open object store " + locked + ": Permission denied");
    chmod(locked.c_str(), 0700);
  }
}

TEST_CASE("A reader sees objects written by another process while the map grows") {
  TempDir dir;
  std::string path = dir.path() + "/objects";
  OpenOrDie(path, SmallMap(kMiB)).reset();  // create the environment up front
  constexpr int kBatches = 24;
  auto object_of = [](int i) { return Object(7000 + i, 256 << 10); };

  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The writer: its own environment, growing the map from 1 MiB to 8 MiB.
    auto opened = LmdbBackend::Open(path, SmallMap(kMiB));
    if (!opened.ok()) _exit(2);
    for (int i = 0; i < kBatches; ++i) {
      if (!(*opened)->Write({object_of(i)}).ok()) _exit(3);
      usleep(2000);
    }
    opened->reset();
    _exit(0);
  }

  auto reader = OpenOrDie(path, SmallMap(kMiB));
  int seen = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (seen < kBatches && std::chrono::steady_clock::now() < deadline) {
    auto expected = object_of(seen);
    Result<Bytes> got = reader->Get(expected.first);
    if (got.ok()) {
      CHECK(*got == expected.second);
      ++seen;
    } else {
      REQUIRE_MESSAGE(got.status().code() == StatusCode::kNotFound, got.status().ToString());
      usleep(1000);
    }
  }
  int wstatus = 0;
  REQUIRE(waitpid(child, &wstatus, 0) == child);
  CHECK(WIFEXITED(wstatus));
  CHECK(WEXITSTATUS(wstatus) == 0);
  CHECK(seen == kBatches);
  CHECK(reader->map_bytes() >= 4 * kMiB);  // adopted the writer's larger map
}

uint64_t FileBytes(const std::string& path) {
  struct stat st;
  REQUIRE(stat(path.c_str(), &st) == 0);
  return static_cast<uint64_t>(st.st_size);
}

TEST_CASE("Compaction shrinks the file after deletes and keeps every object byte for byte") {
  TempDir dir;
  const std::string path = dir.path() + "/objects";
  std::vector<std::pair<ObjectId, Bytes>> kept, deleted;
  {
    auto backend = OpenOrDie(path, {});
    for (int i = 0; i < 16; ++i) {
      // Small objects share packs; 1 MiB+ ones are values of their own.
      auto object = Object(100 + i, i % 4 == 0 ? (3 << 19) : (40 << 10) + i);
      REQUIRE(backend->Write({object}).ok());
      (i % 2 == 0 ? deleted : kept).push_back(std::move(object));
    }
    std::vector<ObjectId> ids;
    for (const auto& d : deleted) ids.push_back(d.first);
    REQUIRE(backend->Delete(ids).ok());
  }
  const uint64_t before = FileBytes(path + "/data.mdb");
  Result<CompactResult> r = LmdbBackend::Compact(path);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->compacted);
  CHECK(r->bytes_before == before);
  CHECK(r->bytes_after == FileBytes(path + "/data.mdb"));
  CHECK(r->bytes_after < before / 2);  // the deleted 1.5 MiB objects were most of it
  CHECK_FALSE(std::filesystem::exists(path + "/data.mdb.compacting"));

  auto backend = OpenOrDie(path, {});
  for (const auto& [id, stored] : kept) CHECK(*backend->Get(id) == stored);
  for (const auto& [id, stored] : deleted) CHECK(backend->Get(id).status().code() == StatusCode::kNotFound);
  // Writes go on (LMDB's transaction ids restart in the copy; the lock file follows).
  auto later = Object(999, 64 << 10);
  REQUIRE(backend->Write({later}).ok());
  backend.reset();
  CHECK(*OpenOrDie(path, {})->Get(later.first) == later.second);
}

TEST_CASE("Compaction refuses while the store is open and leaves it unchanged") {
  TempDir dir;
  const std::string path = dir.path() + "/objects";
  auto backend = OpenOrDie(path, {});
  auto object = Object(5, 300 << 10);
  REQUIRE(backend->Write({object}).ok());
  REQUIRE(backend->Delete(std::vector<ObjectId>{object.first}).ok());
  const uint64_t before = FileBytes(path + "/data.mdb");
  // The lock is per open file, so the open handle in this process counts as a user.
  Result<CompactResult> r = LmdbBackend::Compact(path);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kConflict);
  CHECK(r.status().message() == "object store " + path + " is open in another mvc process");
  CHECK(FileBytes(path + "/data.mdb") == before);
  backend.reset();
  CHECK(LmdbBackend::Compact(path).ok());
}

TEST_CASE("A copy left by a killed compaction is overwritten, never read") {
  TempDir dir;
  const std::string path = dir.path() + "/objects";
  auto object = Object(6, 100 << 10);
  REQUIRE(OpenOrDie(path, {})->Write({object}).ok());
  WriteFileBytes(path + "/data.mdb.compacting", PatternBytes(1, 5000));  // half-written garbage
  CHECK(*OpenOrDie(path, {})->Get(object.first) == object.second);
  Result<CompactResult> r = LmdbBackend::Compact(path);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK_FALSE(std::filesystem::exists(path + "/data.mdb.compacting"));
  CHECK(*OpenOrDie(path, {})->Get(object.first) == object.second);
}

}  // namespace
}  // namespace mvc
