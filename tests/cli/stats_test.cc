// End-to-end tests of `mvc stats`: the figures add up to the store and the disk.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "objectstore/object_store.h"
#include "tests/cli/cli_runner.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {
namespace {

namespace fs = std::filesystem;

uint64_t AllocatedBytesUnder(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    struct stat st;
    if (lstat(e.path().c_str(), &st) == 0 && S_ISREG(st.st_mode)) total += uint64_t(st.st_blocks) * 512;
  }
  return total;
}

TEST_CASE("stats figures add up to the store's objects and its size on disk") {
  TempDir dir;
  const std::string work = dir.path();
  const std::string v1 = SharedDataPath("run/step_000060.weights.bf16.safetensors");
  const std::string v2 = SharedDataPath("run/step_000120.weights.bf16.safetensors");
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);
  CopyFile(v1, work + "/model.safetensors");
  REQUIRE(RunMvc(work, {"commit", "-m", "v1"}).exit_code == 0);
  CopyFile(v2, work + "/model.safetensors");
  REQUIRE(RunMvc(work, {"commit", "-m", "v2"}).exit_code == 0);

  RunResult r = RunMvc(work, {"stats", "--json"});
  INFO(r.out, r.err);
  REQUIRE(r.exit_code == 0);
  nlohmann::json s = nlohmann::json::parse(r.out);
  CHECK(s["commits"] == 2);
  CHECK(s["logical_bytes"].get<uint64_t>() == fs::file_size(v1) + fs::file_size(v2));
  CHECK(s["problems"] == 0);

  uint64_t codec_stored = 0, codec_chunks = 0;
  for (const auto& [name, u] : s["codecs"].items()) {
    codec_stored += u["stored_bytes"].get<uint64_t>();
    codec_chunks += u["chunks"].get<uint64_t>();
  }
  CHECK(codec_chunks == s["unique_chunks"].get<uint64_t>());
  CHECK(s["full"]["stored_bytes"].get<uint64_t>() + s["delta"]["stored_bytes"].get<uint64_t>() == codec_stored);

  auto store = ObjectStore::OpenLmdb(work + "/.mvc/objects");
  REQUIRE(store.ok());
  auto st = (*store)->Stats();
  REQUIRE(st.ok());
  CHECK(codec_stored + s["tensor_record_bytes"].get<uint64_t>() + s["unreachable_bytes"].get<uint64_t>() ==
        st->stored_bytes);
  CHECK(s["store_bytes"].get<uint64_t>() == st->stored_bytes);
  CHECK(s["store_objects"].get<uint64_t>() == st->objects);
  CHECK(s["unique_chunks"].get<uint64_t>() + s["unique_tensors"].get<uint64_t>() +
            s["unreachable_objects"].get<uint64_t>() ==
        st->objects);
  CHECK(s["store_disk_bytes"].get<uint64_t>() == AllocatedBytesUnder(work + "/.mvc/objects"));
  CHECK(s["history_disk_bytes"].get<uint64_t>() == AllocatedBytesUnder(work + "/.mvc/history"));
  CHECK(s["physical_bytes"].get<uint64_t>() ==
        s["store_disk_bytes"].get<uint64_t>() + s["history_disk_bytes"].get<uint64_t>());
  // Dedup and codecs: stored objects are smaller than what the two files hold.
  CHECK(s["store_bytes"].get<uint64_t>() < s["logical_bytes"].get<uint64_t>());

  RunResult human = RunMvc(work, {"stats"});
  CHECK(human.exit_code == 0);
  CHECK(human.out.find("logical size") != std::string::npos);
  CHECK(human.out.find("(delta)") != std::string::npos);
}

}  // namespace
}  // namespace mvc::testing
