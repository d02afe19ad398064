#include "core/mapped_file.h"

#include <doctest/doctest.h>

#include <unistd.h>

#include "core/bytes.h"
#include "tests/testing/tensor_factory.h"
#include "tests/testing/test_util.h"

namespace mvc {
namespace {

TEST_CASE("A mapped file holds exactly the file's bytes") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/f.bin";
  Bytes data = testing::RandomTensorBytes(Dtype::kU8, 3 * 4096 + 17, 9);
  testing::WriteFileBytes(path, data);
  Result<MappedFile> file = MappedFile::Open(path);
  REQUIRE(file.ok());
  CHECK(file->size() == data.size());
  CHECK(file->path() == path);
  CHECK(Bytes(file->bytes().begin(), file->bytes().end()) == data);
}

TEST_CASE("An empty file maps to an empty span") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/empty";
  testing::WriteFileBytes(path, {});
  Result<MappedFile> file = MappedFile::Open(path);
  REQUIRE(file.ok());
  CHECK(file->size() == 0);
  CHECK(file->bytes().empty());
  file->Release(0, 100);  // a no-op, not a crash
}

TEST_CASE("Opening a missing file is kNotFound and a directory is kIOError") {
  testing::TempDir dir;
  Result<MappedFile> missing = MappedFile::Open(dir.path() + "/nope");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message().find(dir.path() + "/nope") != std::string::npos);
  Result<MappedFile> directory = MappedFile::Open(dir.path());
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.status().code() == StatusCode::kIOError);
  CHECK(directory.status().message().find("not a regular file") != std::string::npos);
}

TEST_CASE("Released ranges read back the same bytes") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/f.bin";
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  Bytes data = testing::RandomTensorBytes(Dtype::kU8, 5 * page + 123, 11);
  testing::WriteFileBytes(path, data);
  Result<MappedFile> file = MappedFile::Open(path);
  REQUIRE(file.ok());
  CHECK(Bytes(file->bytes().begin(), file->bytes().end()) == data);
  file->Release(0, file->size());
  file->Release(page / 2, 2 * page);
  file->Release(file->size() - 10, 1000);    // clipped to the end
  file->Release(file->size() + 5, 10);       // out of range: no-op
  file->Release(UINT64_MAX - 1, UINT64_MAX);  // no overflow
  CHECK(Bytes(file->bytes().begin(), file->bytes().end()) == data);
}

TEST_CASE("Moving a mapped file transfers the mapping") {
  testing::TempDir dir;
  const std::string path = dir.path() + "/f.bin";
  testing::WriteFileBytes(path, Bytes{1, 2, 3});
  Result<MappedFile> file = MappedFile::Open(path);
  REQUIRE(file.ok());
  MappedFile a = std::move(file).value();
  MappedFile b = std::move(a);
  CHECK(a.size() == 0);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  CHECK(Bytes(b.bytes().begin(), b.bytes().end()) == Bytes{1, 2, 3});
  Result<MappedFile> other = MappedFile::Open(path);
  REQUIRE(other.ok());
  b = std::move(other).value();
  CHECK(b.size() == 3);
}

}  // namespace
}  // namespace mvc
