// libFuzzer target: ResolveRevision on arbitrary strings, against a small history
// (three commits on main, a branch and a tag) built once in a temporary directory.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "refs/history.h"
#include "refs/revision.h"

namespace {

mvc::History* MakeHistory() {
  char dir[] = "/tmp/mvc-fuzz-revision-XXXXXX";
  if (!mkdtemp(dir)) std::abort();
  auto h = mvc::History::Init(std::string(dir) + "/history");
  if (!h.ok()) std::abort();
  mvc::History& history = **h;
  mvc::History::Signature sig{"Fuzz", "fuzz@example.com", 1700000000, 0};
  std::optional<mvc::GitId> parent;
  for (int i = 0; i < 3; ++i) {
    std::string text = "version " + std::to_string(i);
    auto blob = history.WriteBlob(mvc::AsBytes(text));
    if (!blob.ok()) std::abort();
    auto tree = history.WriteTree({{"f.txt", {*blob, false}}});
    if (!tree.ok()) std::abort();
    std::vector<mvc::GitId> parents;
    if (parent) parents.push_back(*parent);
    auto commit = history.WriteCommit(*tree, parents, sig, sig, "c" + std::to_string(i) + "\n");
    if (!commit.ok()) std::abort();
    if (!history.UpdateRef("refs/heads/main", *commit, parent, "commit").ok()) std::abort();
    if (i == 1) {
      if (!history.UpdateRef("refs/tags/v1", *commit, std::nullopt, "tag").ok()) std::abort();
      if (!history.UpdateRef("refs/heads/side", *commit, std::nullopt, "branch").ok()) std::abort();
    }
    parent = *commit;
  }
  return h->release();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static mvc::History* history = MakeHistory();
  if (size > 256) return 0;  // revisions are short; longer inputs only slow the search
  std::string_view rev(reinterpret_cast<const char*>(data), size);
  (void)mvc::ResolveRevision(*history, rev);
  return 0;
}
