#include "core/sha256.h"

#include <openssl/evp.h>

namespace mvc {

struct Sha256::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  MVC_CHECK(impl_->ctx != nullptr);
  MVC_CHECK(EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) == 1);
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::Update(std::span<const uint8_t> bytes) {
  MVC_CHECK(EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size()) == 1);
}

void Sha256::Update(std::string_view bytes) {
  MVC_CHECK(EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size()) == 1);
}

ObjectId Sha256::Finish() {
  std::array<uint8_t, ObjectId::kSize> out;
  unsigned int size = 0;
  MVC_CHECK(EVP_DigestFinal_ex(impl_->ctx, out.data(), &size) == 1 && size == out.size());
  MVC_CHECK(EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) == 1);
  return ObjectId(out);
}

ObjectId Sha256::Digest(std::span<const uint8_t> bytes) {
  std::array<uint8_t, ObjectId::kSize> out;
  MVC_CHECK(EVP_Digest(bytes.data(), bytes.size(), out.data(), nullptr, EVP_sha256(), nullptr) == 1);
  return ObjectId(out);
}

ObjectId Sha256::Digest(std::string_view bytes) {
  return Digest(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

}  // namespace mvc
