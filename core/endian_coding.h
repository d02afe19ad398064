// core/endian_coding.h: little-endian fixed-width integers in byte buffers.
//
// Every on-disk integer in mvc is little-endian (docs/format.md, "Conventions").
//
//   std::string out; PutFixed64(&out, 42);
//   uint64_t v = DecodeFixed64(ptr);
#ifndef MVC_CORE_ENDIAN_CODING_H_
#define MVC_CORE_ENDIAN_CODING_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace mvc {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "mvc assumes a little-endian host");

inline void EncodeFixed16(uint8_t* p, uint16_t v) { std::memcpy(p, &v, 2); }
inline void EncodeFixed32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }
inline void EncodeFixed64(uint8_t* p, uint64_t v) { std::memcpy(p, &v, 8); }
inline uint16_t DecodeFixed16(const uint8_t* p) { uint16_t v; std::memcpy(&v, p, 2); return v; }
inline uint32_t DecodeFixed32(const uint8_t* p) { uint32_t v; std::memcpy(&v, p, 4); return v; }
inline uint64_t DecodeFixed64(const uint8_t* p) { uint64_t v; std::memcpy(&v, p, 8); return v; }

template <typename Buffer>  // std::string or std::vector<uint8_t>
inline void PutBytes(Buffer* out, const void* data, size_t size) {
  auto* p = static_cast<const uint8_t*>(data);
  out->insert(out->end(), p, p + size);
}
template <typename Buffer>
inline void PutFixed8(Buffer* out, uint8_t v) { out->push_back(static_cast<typename Buffer::value_type>(v)); }
template <typename Buffer>
inline void PutFixed16(Buffer* out, uint16_t v) { PutBytes(out, &v, 2); }
template <typename Buffer>
inline void PutFixed32(Buffer* out, uint32_t v) { PutBytes(out, &v, 4); }
template <typename Buffer>
inline void PutFixed64(Buffer* out, uint64_t v) { PutBytes(out, &v, 8); }

}  // namespace mvc

#endif  // MVC_CORE_ENDIAN_CODING_H_
