// core/sha256.h: SHA-256 through OpenSSL, one-shot or incremental.
//
//   ObjectId id = Sha256::Digest(bytes);
//   Sha256 h; h.Update(a); h.Update(b); ObjectId id2 = h.Finish();
#ifndef MVC_CORE_SHA256_H_
#define MVC_CORE_SHA256_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "core/object_id.h"

namespace mvc {

// Not thread-safe: one hasher per thread. Movable, not copyable.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void Update(std::span<const uint8_t> bytes);
  void Update(std::string_view bytes);
  // Returns the digest; the hasher is reset and may be reused.
  ObjectId Finish();

  static ObjectId Digest(std::span<const uint8_t> bytes);
  static ObjectId Digest(std::string_view bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mvc

#endif  // MVC_CORE_SHA256_H_
