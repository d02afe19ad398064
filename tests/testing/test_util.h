// tests/testing/test_util.h: helpers shared by every test suite.
//
//   TempDir dir;                                  // removed at scope exit
//   std::string p = dir.path() + "/x.safetensors";
//   std::string model = SharedDataPath("models/capp_gpt2_tiny.safetensors");
#ifndef MVC_TESTS_TESTING_TEST_UTIL_H_
#define MVC_TESTS_TESTING_TEST_UTIL_H_

#include <string>
#include <vector>

#include "core/bytes.h"

namespace mvc::testing {

// A fresh directory under $TMPDIR (or /tmp), removed recursively on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Absolute path of `relative` under ../shared/data (models/, pairs/, run/).
std::string SharedDataPath(const std::string& relative);

// Every *.safetensors file under ../shared/data, sorted.
std::vector<std::string> AllSharedSafetensors();

Bytes ReadFileBytes(const std::string& path);
void WriteFileBytes(const std::string& path, ByteView bytes);

}  // namespace mvc::testing

#endif  // MVC_TESTS_TESTING_TEST_UTIL_H_
