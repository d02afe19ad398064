#include <doctest/doctest.h>

#include <filesystem>

#include "tests/cli/cli_runner.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {
namespace {

TEST_CASE("init creates .mvc and refuses to run twice") {
  TempDir dir;
  RunResult r = RunMvc(dir.path(), {"init"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Initialized empty mvc repository") != std::string::npos);
  CHECK(std::filesystem::exists(dir.path() + "/.mvc/format"));
  RunResult again = RunMvc(dir.path(), {"init"});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("repository already exists") != std::string::npos);
}

TEST_CASE("commands run in a subfolder find the repository above") {
  TempDir dir;
  REQUIRE(RunMvc(dir.path(), {"init"}).exit_code == 0);
  std::filesystem::create_directories(dir.path() + "/a/b");
  RunResult r = RunMvc(dir.path() + "/a/b", {"status"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("On branch main (no commits yet)") != std::string::npos);
}

TEST_CASE("a repository with an unknown format version is refused") {
  TempDir dir;
  REQUIRE(RunMvc(dir.path(), {"init"}).exit_code == 0);
  WriteFileBytes(dir.path() + "/.mvc/format", AsBytes("mvc repository\nformat_version 9\n"));
  RunResult r = RunMvc(dir.path(), {"status"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("format_version 9") != std::string::npos);
}

}  // namespace
}  // namespace mvc::testing
