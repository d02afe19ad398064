// tests/objectstore/store_test_util.h: backends and object factories shared by the
// objectstore suites.
//
//   TEST_CASE_TEMPLATE("...", F, LmdbFixture, MemoryFixture) {
//     F f;
//     ObjectStore store(f.MakeBackend());
//   }
#ifndef MVC_TESTS_OBJECTSTORE_STORE_TEST_UTIL_H_
#define MVC_TESTS_OBJECTSTORE_STORE_TEST_UTIL_H_

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "core/bytes.h"
#include "core/object_id.h"
#include "core/sha256.h"
#include "objectstore/lmdb_backend.h"
#include "objectstore/memory_backend.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {

// Deterministic, incompressible-looking bytes that differ for each seed.
inline Bytes PatternBytes(uint64_t seed, size_t size) {
  Bytes out(size);
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < size; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out[i] = static_cast<uint8_t>(x);
  }
  return out;
}

// An id whose hex starts with `hex_prefix` (even length), the rest from `seed`.
// The store does not check ids against content, so tests may choose them.
inline ObjectId IdWithPrefix(const std::string& hex_prefix, uint64_t seed) {
  ObjectId base = Sha256::Digest(PatternBytes(seed, 16));
  std::array<uint8_t, ObjectId::kSize> bytes = base.bytes();
  for (size_t i = 0; i + 1 < hex_prefix.size(); i += 2) {
    bytes[i / 2] = static_cast<uint8_t>(std::stoi(hex_prefix.substr(i, 2), nullptr, 16));
  }
  return ObjectId(bytes);
}

// LMDB in a temp dir, starting with a 1 MiB map so that every suite also exercises
// map growth.
struct LmdbFixture {
  TempDir dir;
  std::string path() const { return dir.path() + "/objects"; }
  std::unique_ptr<Backend> MakeBackend() {
    LmdbOptions options;
    options.initial_map_bytes = uint64_t{1} << 20;
    auto backend = LmdbBackend::Open(path(), options);
    REQUIRE_MESSAGE(backend.ok(), backend.status().ToString());
    return std::move(backend).value();
  }
};

struct MemoryFixture {
  std::unique_ptr<Backend> MakeBackend() { return std::make_unique<MemoryBackend>(); }
};

}  // namespace mvc::testing

#endif  // MVC_TESTS_OBJECTSTORE_STORE_TEST_UTIL_H_
