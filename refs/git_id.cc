#include "refs/git_id.h"

#include <openssl/evp.h>

#include "refs/internal/git2_handles.h"

namespace mvc {

GitId GitId::FromBytes(const uint8_t* data) {
  std::array<uint8_t, kSize> bytes;
  std::memcpy(bytes.data(), data, kSize);
  return GitId(bytes);
}

Result<GitId> GitId::FromHex(std::string_view hex) {
  if (hex.size() != kHexSize) {
    return Status::InvalidArgument("git id '" + std::string(hex) + "' is not 40 hex digits");
  }
  // git_oid_fromstrn rejects non-hex digits; reporting that touches libgit2's
  // error state, which needs git_libgit2_init().
  internal::EnsureLibgit2Initialized();
  git_oid oid;
  if (git_oid_fromstrn(&oid, hex.data(), hex.size()) < 0) {
    return Status::InvalidArgument("git id '" + std::string(hex) + "' is not hex");
  }
  return FromBytes(oid.id);
}

std::string GitId::ToHex() const {
  git_oid oid;
  git_oid_fromraw(&oid, bytes_.data());
  char buf[kHexSize + 1];
  git_oid_tostr(buf, sizeof(buf), &oid);
  return std::string(buf, kHexSize);
}

bool GitId::IsZero() const {
  for (uint8_t b : bytes_) if (b != 0) return false;
  return true;
}

GitBlobHasher::GitBlobHasher(uint64_t size) : ctx_(EVP_MD_CTX_new()) {
  MVC_CHECK(ctx_ != nullptr && "cannot allocate a SHA-1 context");
  EVP_DigestInit_ex(ctx_, EVP_sha1(), nullptr);
  const std::string header = "blob " + std::to_string(size) + std::string(1, '\0');
  Update(header.data(), header.size());
}

GitBlobHasher::~GitBlobHasher() { EVP_MD_CTX_free(ctx_); }

void GitBlobHasher::Update(const void* data, size_t size) { EVP_DigestUpdate(ctx_, data, size); }

GitId GitBlobHasher::Finish() {
  uint8_t digest[GitId::kSize];
  EVP_DigestFinal_ex(ctx_, digest, nullptr);
  return GitId::FromBytes(digest);
}

}  // namespace mvc
