// tests/objectstore/fault_backend.h: a Backend wrapper that fails chosen writes
// (leveldb's fault_injection_test idea), to test that callers see nothing of a
// failed batch and get the error through unchanged.
//
//   auto fault = std::make_unique<FaultBackend>(std::make_unique<MemoryBackend>());
//   fault->FailWrite(2, Status::NoSpace("injected"));  // the 2nd Write from now fails
//   ObjectStore store(std::move(fault));
#ifndef MVC_TESTS_OBJECTSTORE_FAULT_BACKEND_H_
#define MVC_TESTS_OBJECTSTORE_FAULT_BACKEND_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <utility>

#include "objectstore/backend.h"

namespace mvc::testing {

class FaultBackend final : public Backend {
 public:
  explicit FaultBackend(std::unique_ptr<Backend> inner) : inner_(std::move(inner)) {}

  // The `nth` Write call from now (1 = the next one) returns `error` and writes
  // nothing; later writes succeed again.
  void FailWrite(int nth, Status error) {
    std::lock_guard<std::mutex> lock(mu_);
    writes_until_failure_ = nth;
    error_ = std::move(error);
  }
  int failed_writes() const { return failed_writes_; }

  Result<bool> Has(const ObjectId& id) override { return inner_->Has(id); }
  Result<Bytes> Get(const ObjectId& id) override { return inner_->Get(id); }
  Status Write(const std::vector<std::pair<ObjectId, Bytes>>& puts) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (writes_until_failure_ > 0 && --writes_until_failure_ == 0) {
        ++failed_writes_;
        return error_;
      }
    }
    return inner_->Write(puts);
  }
  Status Delete(std::span<const ObjectId> ids) override { return inner_->Delete(ids); }
  Status ForEach(
      const std::function<Status(const ObjectId& id, uint64_t stored_bytes)>& fn) override {
    return inner_->ForEach(fn);
  }
  Result<uint64_t> DiskBytes() override { return inner_->DiskBytes(); }

 private:
  std::unique_ptr<Backend> inner_;
  std::mutex mu_;
  int writes_until_failure_ = 0;  // guarded by mu_
  Status error_;                  // guarded by mu_
  std::atomic<int> failed_writes_{0};
};

}  // namespace mvc::testing

#endif  // MVC_TESTS_OBJECTSTORE_FAULT_BACKEND_H_
