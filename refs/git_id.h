// refs/git_id.h: GitId, the strong type for the SHA-1 id of a git object.
//
// History (commits, trees, refs) lives in a bare git repository, whose objects are
// named by 20-byte SHA-1 ids (libgit2 1.5, git's default object format). These are a
// different namespace from the SHA-256 ObjectIds of the tensor object store
// (core/object_id.h); keeping two types stops one being passed for the other.
//
//   Result<GitId> id = GitId::FromHex("4b825dc642cb6eb9a060e54bf8d69288fbee4904");
//   std::string shown = id->ShortHex();   // "4b825dc642cb"
#ifndef MVC_REFS_GIT_ID_H_
#define MVC_REFS_GIT_ID_H_

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace mvc {

class GitId {
 public:
  static constexpr size_t kSize = 20;
  static constexpr size_t kHexSize = 40;

  GitId() { bytes_.fill(0); }  // the all-zero id: "no object" in reflogs
  explicit GitId(const std::array<uint8_t, kSize>& bytes) : bytes_(bytes) {}

  // REQUIRES: `data` points at kSize bytes.
  static GitId FromBytes(const uint8_t* data);

  // Parses exactly 40 hex digits (either case). Errors: kInvalidArgument.
  static Result<GitId> FromHex(std::string_view hex);

  std::string ToHex() const;  // 40 lower-case hex digits
  std::string ShortHex(size_t digits = 12) const { return ToHex().substr(0, digits); }
  bool IsZero() const;

  const std::array<uint8_t, kSize>& bytes() const { return bytes_; }
  const uint8_t* data() const { return bytes_.data(); }

  friend auto operator<=>(const GitId&, const GitId&) = default;

 private:
  std::array<uint8_t, kSize> bytes_;
};

// The id git gives a blob of `size` bytes: SHA-1 of "blob <size>\0" and the bytes, fed
// piece by piece, so files and streamed blobs of any size hash in bounded memory.
//
//   GitBlobHasher h(size);  h.Update(piece) ...;  GitId id = h.Finish();
class GitBlobHasher {
 public:
  explicit GitBlobHasher(uint64_t size);
  ~GitBlobHasher();
  GitBlobHasher(const GitBlobHasher&) = delete;
  GitBlobHasher& operator=(const GitBlobHasher&) = delete;

  void Update(const void* data, size_t size);
  // REQUIRES: called once, after `size` bytes in all were passed to Update.
  GitId Finish();

 private:
  ::evp_md_ctx_st* ctx_;
};

}  // namespace mvc

template <>
struct std::hash<mvc::GitId> {
  size_t operator()(const mvc::GitId& id) const noexcept {
    size_t h;
    static_assert(sizeof(h) <= mvc::GitId::kSize);
    std::memcpy(&h, id.data(), sizeof(h));
    return h;  // SHA-1 output is already uniform.
  }
};

#endif  // MVC_REFS_GIT_ID_H_
