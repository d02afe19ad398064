#include "core/thread_pool.h"

#include <doctest/doctest.h>

#include <atomic>

namespace mvc {
namespace {

TEST_CASE("ParallelFor runs every index exactly once") {
  ThreadPool pool(3);
  std::vector<std::atomic<int>> hits(1000);
  Status s = pool.ParallelFor(hits.size(), [&](size_t i) { hits[i]++; return Status::Ok(); });
  CHECK(s.ok());
  for (auto& h : hits) CHECK(h.load() == 1);
}

TEST_CASE("ParallelFor returns the first failure by index") {
  ThreadPool pool(2);
  Status s = pool.ParallelFor(10, [&](size_t i) {
    return i == 7 ? Status::Corruption("seven") : Status::Ok();
  });
  CHECK(s.code() == StatusCode::kCorruption);
  CHECK(s.message() == "seven");
}

}  // namespace
}  // namespace mvc
