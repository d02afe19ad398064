// core/thread_pool.h: a fixed pool of worker threads running closures.
//
// The commit and checkout pipelines hash, encode and decode chunks here; callers bound
// the work in flight themselves (see ParallelFor), so memory stays bounded however
// large the model.
//
//   ThreadPool pool(ThreadPool::DefaultThreads());
//   Status s = pool.ParallelFor(n, [&](size_t i) -> Status { return Work(i); });
#ifndef MVC_CORE_THREAD_POOL_H_
#define MVC_CORE_THREAD_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/status.h"

namespace mvc {

// Thread-safe. Destruction waits for queued tasks to finish.
class ThreadPool {
 public:
  // REQUIRES: threads >= 1.
  explicit ThreadPool(size_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // std::thread::hardware_concurrency(), at least 1; the MVC_THREADS environment
  // variable overrides it (read here, by the caller's choice, not at static init).
  static size_t DefaultThreads();

  size_t size() const { return workers_.size(); }

  void Submit(std::function<void()> task);

  // Runs body(0..n-1) on the pool and waits. Returns the first non-OK Status (by
  // index order) or OK; after a failure, not-yet-started indices are skipped.
  // REQUIRES: not called from a task running on this same pool.
  Status ParallelFor(size_t n, const std::function<Status(size_t)>& body);

 private:
  void WorkerLoop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace mvc

#endif  // MVC_CORE_THREAD_POOL_H_
