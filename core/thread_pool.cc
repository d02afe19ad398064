#include "core/thread_pool.h"

#include <atomic>
#include <cstdlib>
#include <string>

namespace mvc {

ThreadPool::ThreadPool(size_t threads) {
  MVC_CHECK(threads >= 1);
  for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

size_t ThreadPool::DefaultThreads() {
  if (const char* env = std::getenv("MVC_THREADS")) {
    long n = std::strtol(env, nullptr, 10);
    if (n >= 1 && n <= 1024) return static_cast<size_t>(n);
  }
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

void ThreadPool::Submit(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void ThreadPool::WorkerLoop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

Status ThreadPool::ParallelFor(size_t n, const std::function<Status(size_t)>& body) {
  if (n == 0) return Status::Ok();
  std::vector<Status> results(n);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex done_mu;
  std::condition_variable done_cv;
  size_t running = std::min(n, workers_.size());
  size_t finished_workers = 0;
  auto drain = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) {
      if (failed.load()) continue;
      results[i] = body(i);
      if (!results[i].ok()) failed.store(true);
    }
    std::lock_guard<std::mutex> lock(done_mu);
    if (++finished_workers == running) done_cv.notify_one();
  };
  for (size_t w = 0; w < running; ++w) Submit(drain);
  std::unique_lock<std::mutex> lock(done_mu);
  done_cv.wait(lock, [&] { return finished_workers == running; });
  for (Status& s : results) if (!s.ok()) return s;
  return Status::Ok();
}

}  // namespace mvc
