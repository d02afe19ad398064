// objectstore/object_envelope.h: the 8-byte header in front of every stored object.
//
// The store keeps opaque bodies (an encoded chunk, a serialized tensor record) but
// tags each with a magic number, an envelope version and the object's kind, so that a
// reader can refuse bytes that are not an mvc object, or come from a newer format,
// before handing them to a decoder (docs/format.md, "Object envelope"):
//
//   offset  size  field
//   0       3     magic "MVO" (0x4D 0x56 0x4F)
//   3       1     envelope version, 1
//   4       1     object kind (ObjectKind)
//   5       3     reserved, all zero (a reader MUST reject non-zero)
//   8       ...   body
//
//   Bytes stored = WrapObject(ObjectKind::kChunk, encoded_chunk);
//   MVC_ASSIGN_OR_RETURN(ObjectView view, UnwrapObject(stored));
//   // view.kind == ObjectKind::kChunk, view.body aliases `stored`.
#ifndef MVC_OBJECTSTORE_OBJECT_ENVELOPE_H_
#define MVC_OBJECTSTORE_OBJECT_ENVELOPE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"

namespace mvc {

// What an object's body holds. The numeric values are on disk: never renumber.
enum class ObjectKind : uint8_t {
  kChunk = 1,   // one encoded chunk of a tensor (codec/)
  kTensor = 2,  // a serialized tensor record (core/tensor_record.h)
};

inline constexpr size_t kObjectEnvelopeBytes = 8;
inline constexpr uint8_t kObjectEnvelopeVersion = 1;

// "chunk", "tensor", or "unknown" for values outside the enum (messages, the CLI).
std::string_view ObjectKindName(ObjectKind kind);

// A decoded envelope. `body` borrows from the bytes given to UnwrapObject.
struct ObjectView {
  ObjectKind kind;
  ByteView body;
};

// Returns the envelope followed by a copy of `body`. REQUIRES: `kind` is a known kind.
Bytes WrapObject(ObjectKind kind, ByteView body);

// Checks the envelope of `stored` and returns its kind and body (borrowing `stored`).
// Errors: kCorruption "bad object magic" (also when shorter than the envelope),
// "reserved envelope bits set", "unknown object kind N"; kUnsupportedVersion
// "object envelope version N (this build reads 1)".
Result<ObjectView> UnwrapObject(ByteView stored);

}  // namespace mvc

#endif  // MVC_OBJECTSTORE_OBJECT_ENVELOPE_H_
