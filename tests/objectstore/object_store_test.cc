// The ObjectStore contract, run over both backends (LMDB in a temp dir, memory).
#include "objectstore/object_store.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "tests/objectstore/fault_backend.h"
#include "tests/objectstore/store_test_util.h"

namespace mvc {
namespace {

using testing::FaultBackend;
using testing::IdWithPrefix;
using testing::LmdbFixture;
using testing::MemoryFixture;
using testing::PatternBytes;

// Puts one object in its own batch and returns its id (the body's hash).
ObjectId PutOne(ObjectStore& store, ObjectKind kind, const Bytes& body) {
  ObjectId id = Sha256::Digest(body);
  ObjectStore::WriteBatch batch;
  batch.Put(id, kind, body);
  Status s = store.Write(std::move(batch));
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return id;
}

TEST_CASE_TEMPLATE("Get after Put returns identical bytes", F, LmdbFixture, MemoryFixture) {
  F f;
  ObjectStore store(f.MakeBackend());
  std::vector<Bytes> bodies = {Bytes{}, PatternBytes(1, 1), PatternBytes(2, 4096),
                               PatternBytes(3, 5 << 20)};  // > 4 MiB chunk, > initial map
  ObjectStore::WriteBatch batch;
  uint64_t expected_bytes = 0;
  for (size_t i = 0; i < bodies.size(); ++i) {
    batch.Put(Sha256::Digest(bodies[i]), i % 2 ? ObjectKind::kTensor : ObjectKind::kChunk,
              bodies[i]);
    expected_bytes += bodies[i].size() + kObjectEnvelopeBytes;
  }
  CHECK(batch.size() == bodies.size());
  CHECK(batch.bytes() == expected_bytes);
  Status s = store.Write(std::move(batch));
  REQUIRE_MESSAGE(s.ok(), s.ToString());

  for (size_t i = 0; i < bodies.size(); ++i) {
    Result<StoredObject> got = store.Get(Sha256::Digest(bodies[i]));
    REQUIRE_MESSAGE(got.ok(), got.status().ToString());
    CHECK(got->kind == (i % 2 ? ObjectKind::kTensor : ObjectKind::kChunk));
    CHECK(got->body == bodies[i]);
    CHECK(got->stored_bytes == bodies[i].size() + kObjectEnvelopeBytes);
  }
}

TEST_CASE_TEMPLATE("Has reports exactly the stored ids", F, LmdbFixture, MemoryFixture) {
  F f;
  ObjectStore store(f.MakeBackend());
  ObjectId stored = PutOne(store, ObjectKind::kChunk, PatternBytes(7, 100));
  ObjectId missing = Sha256::Digest(PatternBytes(8, 100));
  CHECK(*store.Has(stored));
  CHECK_FALSE(*store.Has(missing));
}

TEST_CASE_TEMPLATE("Get of a missing object is NotFound naming the object", F, LmdbFixture,
                   MemoryFixture) {
  F f;
  ObjectStore store(f.MakeBackend());
  ObjectId missing = Sha256::Digest(AsBytes("missing"));
  Result<StoredObject> got = store.Get(missing);
  REQUIRE_FALSE(got.ok());
  CHECK(got.status().code() == StatusCode::kNotFound);
  CHECK(got.status().message() == "object " + missing.ShortHex() + ": not found");
}

TEST_CASE_TEMPLATE("Writing an existing id keeps the first bytes", F, LmdbFixture,
                   MemoryFixture) {
  F f;
  ObjectStore store(f.MakeBackend());
  ObjectId id = IdWithPrefix("abcd", 1);
  ObjectStore::WriteBatch first, second;
  first.Put(id, ObjectKind::kChunk, AsBytes("first"));
  second.Put(id, ObjectKind::kTensor, AsBytes("second"));
  second.Put(id, ObjectKind::kTensor, AsBytes("third"));
  REQUIRE(store.Write(std::move(first)).ok());
  REQUIRE(store.Write(std::move(second)).ok());
  Result<StoredObject> got = store.Get(id);
  REQUIRE(got.ok());
  CHECK(got->kind == ObjectKind::kChunk);
  CHECK(AsChars(got->body) == "first");
  CHECK(store.Stats()->objects == 1);
}

TEST_CASE_TEMPLATE("A failed batch leaves none of its objects visible", F, LmdbFixture,
                   MemoryFixture) {
  F f;
  auto fault_owner = std::make_unique<FaultBackend>(f.MakeBackend());
  FaultBackend* fault = fault_owner.get();
  ObjectStore store(std::move(fault_owner));
  ObjectId kept = PutOne(store, ObjectKind::kChunk, PatternBytes(1, 10));

  for (Status error : {Status::IOError("injected write failure"),
                       Status::NoSpace("injected: disk full")}) {
    fault->FailWrite(1, error);
    ObjectStore::WriteBatch batch;
    std::vector<ObjectId> ids;
    for (int i = 0; i < 5; ++i) {
      Bytes body = PatternBytes(100 + i, 1000);
      ids.push_back(Sha256::Digest(body));
      batch.Put(ids.back(), ObjectKind::kChunk, body);
    }
    Status s = store.Write(std::move(batch));
    CHECK(s.code() == error.code());
    CHECK(s.message() == error.message());
    for (const ObjectId& id : ids) CHECK_FALSE(*store.Has(id));
    CHECK(*store.Has(kept));
    CHECK(store.Stats()->objects == 1);
  }
  CHECK(fault->failed_writes() == 2);
  // The store works again after the failures.
  ObjectId later = PutOne(store, ObjectKind::kTensor, PatternBytes(9, 10));
  CHECK(*store.Has(later));
}

TEST_CASE_TEMPLATE("Delete removes the listed ids and ignores missing ones", F, LmdbFixture,
                   MemoryFixture) {
  F f;
  ObjectStore store(f.MakeBackend());
  std::vector<ObjectId> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(PutOne(store, ObjectKind::kChunk, PatternBytes(i, 50)));
  std::vector<ObjectId> doomed = {ids[1], ids[3], Sha256::Digest(AsBytes("never stored"))};
  Status s = store.Delete(doomed);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  for (int i = 0; i < 6; ++i) CHECK(*store.Has(ids[i]) == (i != 1 && i != 3));
  CHECK(store.Get(ids[1]).status().code() == StatusCode::kNotFound);
  CHECK(store.Delete(std::vector<ObjectId>{}).ok());
}

TEST_CASE_TEMPLATE("ForEach visits every object once in id order with its size", F,
                   LmdbFixture, MemoryFixture) {
  F f;
  ObjectStore store(f.MakeBackend());
  // More than one LMDB ForEach slice (1024 ids).
  std::vector<std::pair<ObjectId, uint64_t>> expected;
  ObjectStore::WriteBatch batch;
  for (int i = 0; i < 2500; ++i) {
    Bytes body = PatternBytes(i, 8 + i % 37);
    ObjectId id = Sha256::Digest(body);
    batch.Put(id, ObjectKind::kChunk, body);
    expected.emplace_back(id, body.size() + kObjectEnvelopeBytes);
  }
  REQUIRE(store.Write(std::move(batch)).ok());
  REQUIRE(expected.size() == 2500);
  std::sort(expected.begin(), expected.end());

  std::vector<std::pair<ObjectId, uint64_t>> seen;
  Status s = store.ForEach([&](const ObjectId& id, uint64_t stored_bytes) {
    seen.emplace_back(id, stored_bytes);
    return Status::Ok();
  });
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(seen == expected);

  int calls = 0;
  s = store.ForEach([&](const ObjectId&, uint64_t) {
    return ++calls == 3 ? Status::Conflict("stop here") : Status::Ok();
  });
  CHECK(s.ToString() == "conflict: stop here");
  CHECK(calls == 3);

  Result<StoreStats> stats = store.Stats();
  REQUIRE(stats.ok());
  CHECK(stats->objects == 2500);
  uint64_t total = 0;
  for (const auto& e : expected) total += e.second;
  CHECK(stats->stored_bytes == total);
}

TEST_CASE_TEMPLATE("ForEach callbacks may delete what they visit", F, LmdbFixture,
                   MemoryFixture) {
  F f;
  ObjectStore store(f.MakeBackend());
  ObjectStore::WriteBatch batch;
  for (int i = 0; i < 1500; ++i) {
    Bytes body = PatternBytes(i, 8);
    batch.Put(Sha256::Digest(body), ObjectKind::kChunk, body);
  }
  REQUIRE(store.Write(std::move(batch)).ok());
  // Deleting every 50th id keeps the test fast (each LMDB delete is an fsync) while
  // the walk still crosses LMDB's 1024-id slices.
  int visited = 0;
  Status s = store.ForEach([&](const ObjectId& id, uint64_t) {
    if (visited++ % 50 != 0) return Status::Ok();
    return store.Delete(std::span<const ObjectId>(&id, 1));
  });
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(visited == 1500);
  CHECK(store.Stats()->objects == 1500 - 30);
}

TEST_CASE_TEMPLATE("FindByPrefix finds unique, ambiguous and missing prefixes", F,
                   LmdbFixture, MemoryFixture) {
  F f;
  ObjectStore store(f.MakeBackend());
  ObjectId a = IdWithPrefix("abcd01", 1), b = IdWithPrefix("abcd02", 2),
           c = IdWithPrefix("12345678", 3);
  ObjectStore::WriteBatch batch;
  for (const ObjectId& id : {a, b, c}) batch.Put(id, ObjectKind::kChunk, AsBytes("x"));
  REQUIRE(store.Write(std::move(batch)).ok());

  CHECK(*store.FindByPrefix("1234") == std::vector<ObjectId>{c});
  CHECK(*store.FindByPrefix("ABCD01") == std::vector<ObjectId>{a});
  CHECK(*store.FindByPrefix("abcd") == std::vector<ObjectId>{a, b});
  CHECK(store.FindByPrefix("ffff")->empty());
  CHECK(*store.FindByPrefix(c.ToHex()) == std::vector<ObjectId>{c});
  CHECK(store.FindByPrefix("abc").status().ToString() ==
        "invalid argument: bad object id prefix 'abc' (want 4 to 64 hex digits)");
  CHECK(store.FindByPrefix("abcz").status().code() == StatusCode::kInvalidArgument);

  CHECK(*store.ResolvePrefix("abcd02") == b);
  CHECK(store.ResolvePrefix("abcd").status().ToString() ==
        "ambiguous: object prefix abcd matches 2 objects");
  CHECK(store.ResolvePrefix("ffff").status().ToString() == "not found: no object matches ffff");
}

TEST_CASE_TEMPLATE("Get detects a corrupt envelope and names the object", F, LmdbFixture,
                   MemoryFixture) {
  F f;
  ObjectStore store(f.MakeBackend());
  ObjectId bad_magic = IdWithPrefix("0001", 1), bad_version = IdWithPrefix("0002", 2),
           bad_reserved = IdWithPrefix("0003", 3), short_value = IdWithPrefix("0004", 4);
  Bytes good = WrapObject(ObjectKind::kChunk, AsBytes("body"));
  Bytes magic = good, version = good, reserved = good;
  magic[1] = 'X';
  version[3] = 9;
  reserved[7] = 1;
  // Write raw stored bytes through the backend, as a damaged disk would hold them.
  REQUIRE(store.backend()
              .Write({{bad_magic, magic},
                      {bad_version, version},
                      {bad_reserved, reserved},
                      {short_value, Bytes{'M', 'V'}}})
              .ok());
  CHECK(store.Get(bad_magic).status().ToString() ==
        "corruption: object " + bad_magic.ShortHex() + ": bad object magic");
  CHECK(store.Get(bad_version).status().ToString() ==
        "unsupported version: object " + bad_version.ShortHex() +
            ": object envelope version 9 (this build reads 1)");
  CHECK(store.Get(bad_reserved).status().ToString() ==
        "corruption: object " + bad_reserved.ShortHex() + ": reserved envelope bits set");
  CHECK(store.Get(short_value).status().ToString() ==
        "corruption: object " + short_value.ShortHex() + ": bad object magic");
}

TEST_CASE_TEMPLATE("Concurrent Get and Write from four threads see consistent objects", F,
                   LmdbFixture, MemoryFixture) {
  F f;
  ObjectStore store(f.MakeBackend());
  constexpr int kThreads = 4, kBatchesPerThread = 20, kObjectsPerBatch = 4;
  constexpr size_t kBodyBytes = 16 << 10;  // 5 MiB in all: the LMDB map grows meanwhile
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatchesPerThread; ++b) {
        ObjectStore::WriteBatch batch;
        std::vector<std::pair<ObjectId, Bytes>> mine;
        for (int o = 0; o < kObjectsPerBatch; ++o) {
          Bytes body = PatternBytes((t * 1000 + b) * 10 + o, kBodyBytes);
          mine.emplace_back(Sha256::Digest(body), body);
          batch.Put(mine.back().first, ObjectKind::kChunk, body);
        }
        if (!store.Write(std::move(batch)).ok()) ++failures;
        for (const auto& [id, body] : mine) {
          Result<StoredObject> got = store.Get(id);
          if (!got.ok() || got->body != body) ++failures;
        }
        // Also read another thread's objects, which may or may not exist yet.
        Bytes other = PatternBytes((((t + 1) % kThreads) * 1000 + b) * 10, kBodyBytes);
        Result<StoredObject> got = store.Get(Sha256::Digest(other));
        if (got.ok() ? got->body != other : got.status().code() != StatusCode::kNotFound) {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures.load() == 0);
  CHECK(store.Stats()->objects == kThreads * kBatchesPerThread * kObjectsPerBatch);
}

TEST_CASE("An in-memory store occupies no disk") {
  auto store = ObjectStore::OpenInMemory();
  PutOne(*store, ObjectKind::kChunk, PatternBytes(1, 10));
  Result<StoreStats> stats = store->Stats();
  REQUIRE(stats.ok());
  CHECK(stats->objects == 1);
  CHECK(stats->stored_bytes == 18);
  CHECK(stats->disk_bytes == 0);
}

}  // namespace
}  // namespace mvc
