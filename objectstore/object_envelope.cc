#include "objectstore/object_envelope.h"

#include <string>

namespace mvc {
namespace {

// docs/format.md, "Object envelope": magic "MVO".
constexpr uint8_t kMagic[3] = {'M', 'V', 'O'};

bool IsKnownKind(uint8_t kind) {
  return kind == static_cast<uint8_t>(ObjectKind::kChunk) ||
         kind == static_cast<uint8_t>(ObjectKind::kTensor);
}

}  // namespace

std::string_view ObjectKindName(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::kChunk: return "chunk";
    case ObjectKind::kTensor: return "tensor";
  }
  return "unknown";
}

Bytes WrapObject(ObjectKind kind, ByteView body) {
  MVC_CHECK(IsKnownKind(static_cast<uint8_t>(kind)));
  Bytes out;
  out.reserve(kObjectEnvelopeBytes + body.size());
  out.insert(out.end(), std::begin(kMagic), std::end(kMagic));
  out.push_back(kObjectEnvelopeVersion);
  out.push_back(static_cast<uint8_t>(kind));
  out.insert(out.end(), 3, 0);  // reserved
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Result<ObjectView> UnwrapObject(ByteView stored) {
  if (stored.size() < kObjectEnvelopeBytes || stored[0] != kMagic[0] ||
      stored[1] != kMagic[1] || stored[2] != kMagic[2]) {
    return Status::Corruption("bad object magic");
  }
  // The version is checked before the other fields: a newer version may give them
  // a meaning this build does not know.
  if (stored[3] != kObjectEnvelopeVersion) {
    return Status::UnsupportedVersion("object envelope version " + std::to_string(stored[3]) +
                                      " (this build reads " +
                                      std::to_string(kObjectEnvelopeVersion) + ")");
  }
  if (stored[5] != 0 || stored[6] != 0 || stored[7] != 0) {
    return Status::Corruption("reserved envelope bits set");
  }
  if (!IsKnownKind(stored[4])) {
    return Status::Corruption("unknown object kind " + std::to_string(stored[4]));
  }
  return ObjectView{static_cast<ObjectKind>(stored[4]), stored.subspan(kObjectEnvelopeBytes)};
}

}  // namespace mvc
