#include "core/object_id.h"

#include <cstring>

namespace mvc {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

ObjectId ObjectId::FromBytes(const uint8_t* data) {
  std::array<uint8_t, kSize> bytes;
  std::memcpy(bytes.data(), data, kSize);
  return ObjectId(bytes);
}

Result<ObjectId> ObjectId::FromHex(std::string_view hex) {
  if (hex.size() != kHexSize) {
    return Status::InvalidArgument("object id '" + std::string(hex) + "' is not 64 hex digits");
  }
  std::array<uint8_t, kSize> bytes;
  for (size_t i = 0; i < kSize; ++i) {
    int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return Status::InvalidArgument("object id '" + std::string(hex) + "' is not hex");
    }
    bytes[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return ObjectId(bytes);
}

bool ObjectId::MatchesHexPrefix(std::string_view prefix) const {
  if (prefix.size() > kHexSize) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    int v = HexValue(prefix[i]);
    if (v < 0) return false;
    uint8_t byte = bytes_[i / 2];
    int nibble = (i % 2 == 0) ? byte >> 4 : byte & 0xF;
    if (nibble != v) return false;
  }
  return true;
}

std::string ObjectId::ToHex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(kHexSize, '0');
  for (size_t i = 0; i < kSize; ++i) {
    out[2 * i] = kDigits[bytes_[i] >> 4];
    out[2 * i + 1] = kDigits[bytes_[i] & 0xF];
  }
  return out;
}

bool ObjectId::IsZero() const {
  for (uint8_t b : bytes_) if (b != 0) return false;
  return true;
}

bool LooksLikeHexPrefix(std::string_view text) {
  if (text.size() < 4 || text.size() > ObjectId::kHexSize) return false;
  for (char c : text) if (HexValue(c) < 0) return false;
  return true;
}

}  // namespace mvc
