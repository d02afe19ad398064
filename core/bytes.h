// core/bytes.h: the owned byte buffer and views used across mvc.
//
// Owned binary data is `Bytes` (std::vector<uint8_t>); borrowed data is
// `std::span<const uint8_t>`. AsBytes() views a string's bytes without copying.
//
//   Bytes buf = ToBytes("abc");
//   std::span<const uint8_t> view = AsBytes(some_string);
#ifndef MVC_CORE_BYTES_H_
#define MVC_CORE_BYTES_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mvc {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsChars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

}  // namespace mvc

#endif  // MVC_CORE_BYTES_H_
