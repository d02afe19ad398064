#include "objectstore/object_envelope.h"

#include <doctest/doctest.h>

namespace mvc {
namespace {

TEST_CASE("WrapObject writes the magic, version, kind and zero reserved bytes") {
  Bytes stored = WrapObject(ObjectKind::kTensor, AsBytes("body"));
  Bytes expected = {'M', 'V', 'O', 1, 2, 0, 0, 0, 'b', 'o', 'd', 'y'};
  CHECK(stored == expected);
}

TEST_CASE("UnwrapObject returns the kind and the body bytes") {
  Bytes stored = WrapObject(ObjectKind::kChunk, AsBytes("abc"));
  Result<ObjectView> view = UnwrapObject(stored);
  REQUIRE(view.ok());
  CHECK(view->kind == ObjectKind::kChunk);
  CHECK(AsChars(view->body) == "abc");
  CHECK(view->body.data() == stored.data() + kObjectEnvelopeBytes);

  Result<ObjectView> empty = UnwrapObject(WrapObject(ObjectKind::kChunk, {}));
  REQUIRE(empty.ok());
  CHECK(empty->body.empty());
}

TEST_CASE("UnwrapObject rejects bad magic, versions, kinds and reserved bits") {
  Bytes good = WrapObject(ObjectKind::kChunk, AsBytes("xyz"));
  auto with = [&](size_t offset, uint8_t value) {
    Bytes b = good;
    b[offset] = value;
    return UnwrapObject(b).status();
  };
  CHECK(with(0, 'X').ToString() == "corruption: bad object magic");
  CHECK(with(2, 'o').ToString() == "corruption: bad object magic");
  CHECK(UnwrapObject(ByteView(good).first(7)).status().ToString() ==
        "corruption: bad object magic");
  CHECK(UnwrapObject({}).status().ToString() == "corruption: bad object magic");
  CHECK(with(3, 2).ToString() ==
        "unsupported version: object envelope version 2 (this build reads 1)");
  CHECK(with(3, 0).code() == StatusCode::kUnsupportedVersion);
  CHECK(with(4, 0).ToString() == "corruption: unknown object kind 0");
  CHECK(with(4, 3).ToString() == "corruption: unknown object kind 3");
  for (size_t offset : {5, 6, 7}) {
    CHECK(with(offset, 0x80).ToString() == "corruption: reserved envelope bits set");
  }
}

}  // namespace
}  // namespace mvc
