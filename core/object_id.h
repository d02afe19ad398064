// core/object_id.h: ObjectId, the strong type for a SHA-256 content address.
//
// Chunks and tensors in the object store are named by ObjectId (docs/format.md,
// "Object ids"). Printed as 64 lower-case hex digits; the CLI accepts unique
// prefixes (at least 4 digits), resolved against a store by the caller.
//
//   ObjectId id = Sha256::Digest(bytes);
//   std::string hex = id.ToHex();
//   Result<ObjectId> back = ObjectId::FromHex(hex);
#ifndef MVC_CORE_OBJECT_ID_H_
#define MVC_CORE_OBJECT_ID_H_

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace mvc {

class ObjectId {
 public:
  static constexpr size_t kSize = 32;
  static constexpr size_t kHexSize = 64;

  ObjectId() { bytes_.fill(0); }  // the all-zero id, never the hash of real content
  explicit ObjectId(const std::array<uint8_t, kSize>& bytes) : bytes_(bytes) {}

  // REQUIRES: `data` points at kSize bytes.
  static ObjectId FromBytes(const uint8_t* data);

  // Parses exactly 64 hex digits (either case). Errors: kInvalidArgument.
  static Result<ObjectId> FromHex(std::string_view hex);

  // True when `prefix` (hex digits, any case) is a prefix of ToHex().
  bool MatchesHexPrefix(std::string_view prefix) const;

  std::string ToHex() const;
  std::string ShortHex(size_t digits = 12) const { return ToHex().substr(0, digits); }
  bool IsZero() const;

  const std::array<uint8_t, kSize>& bytes() const { return bytes_; }
  const uint8_t* data() const { return bytes_.data(); }

  friend auto operator<=>(const ObjectId&, const ObjectId&) = default;

 private:
  std::array<uint8_t, kSize> bytes_;
};

// True when `text` is 4..64 hex digits, i.e. may name an object by prefix.
bool LooksLikeHexPrefix(std::string_view text);

}  // namespace mvc

template <>
struct std::hash<mvc::ObjectId> {
  size_t operator()(const mvc::ObjectId& id) const noexcept {
    size_t h;
    static_assert(sizeof(h) <= mvc::ObjectId::kSize);
    __builtin_memcpy(&h, id.data(), sizeof(h));
    return h;  // SHA-256 output is already uniform.
  }
};

#endif  // MVC_CORE_OBJECT_ID_H_
