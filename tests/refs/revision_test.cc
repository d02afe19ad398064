#include "refs/revision.h"

#include <doctest/doctest.h>

#include <map>

#include "tests/testing/test_util.h"

namespace mvc {
namespace {

using testing::TempDir;

// History:  r -- a -- b -- m      (main; m merges b and s1)
//                  \       /
//                   s1 ----       (side)
struct Fixture {
  TempDir dir;
  std::unique_ptr<History> h;
  GitId tree;
  GitId r, a, b, s1, m;

  Fixture() {
    h = std::move(*History::Init(dir.path() + "/history"));
    tree = *h->WriteTree({});
    r = Commit("r", {}, 100);
    a = Commit("a", {r}, 200);
    b = Commit("b", {a}, 300);
    s1 = Commit("s1", {a}, 350);
    m = Commit("m", {b, s1}, 400);
    Update("refs/heads/main", m);
    Update("refs/heads/side", s1);
    Update("refs/tags/v1", a);
  }
  GitId Commit(const std::string& msg, std::vector<GitId> parents, int64_t t) {
    History::Signature sig{"T", "t@example.com", t, 0};
    auto c = h->WriteCommit(tree, parents, sig, sig, msg);
    REQUIRE(c.ok());
    return *c;
  }
  void Update(const std::string& ref, const GitId& id) {
    auto old = h->ReadRef(ref);
    REQUIRE(h->UpdateRef(ref, id, *old, "test").ok());
  }
  GitId Resolve(std::string_view rev) {
    auto id = ResolveRevision(*h, rev);
    REQUIRE_MESSAGE(id.ok(), id.status().ToString());
    return *id;
  }
  Status Error(std::string_view rev) {
    auto id = ResolveRevision(*h, rev);
    REQUIRE(!id.ok());
    return id.status();
  }
};

TEST_CASE("ResolveRevision resolves HEAD, @, branch, tag and full refnames") {
  Fixture f;
  CHECK(f.Resolve("HEAD") == f.m);
  CHECK(f.Resolve("@") == f.m);
  CHECK(f.Resolve("main") == f.m);
  CHECK(f.Resolve("side") == f.s1);
  CHECK(f.Resolve("v1") == f.a);
  CHECK(f.Resolve("refs/heads/side") == f.s1);
  CHECK(f.Resolve("refs/tags/v1") == f.a);
  CHECK(f.Resolve("heads/side") == f.s1);  // refs/NAME
  CHECK(f.Resolve("tags/v1") == f.a);
}

TEST_CASE("ResolveRevision resolves full and short hex commit ids") {
  Fixture f;
  CHECK(f.Resolve(f.b.ToHex()) == f.b);
  CHECK(f.Resolve(f.b.ShortHex(4)) == f.b);  // 5 commits: a 4-digit clash is unlikely
  CHECK(f.Resolve(f.b.ShortHex(7)) == f.b);
  std::string upper = f.b.ShortHex(10);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(f.Resolve(upper) == f.b);
  // Three hex digits are never an id.
  CHECK(f.Error(f.b.ShortHex(3)).message() == "unknown revision '" + f.b.ShortHex(3) + "'");
}

TEST_CASE("ResolveRevision applies ~N, ~, ^, ^N and ^0 suffixes chained left to right") {
  Fixture f;
  CHECK(f.Resolve("main~") == f.b);
  CHECK(f.Resolve("main~1") == f.b);
  CHECK(f.Resolve("main~2") == f.a);
  CHECK(f.Resolve("main~3") == f.r);
  CHECK(f.Resolve("main^") == f.b);
  CHECK(f.Resolve("main^1") == f.b);
  CHECK(f.Resolve("main^2") == f.s1);
  CHECK(f.Resolve("main^0") == f.m);
  CHECK(f.Resolve("main^2~1") == f.a);
  CHECK(f.Resolve("HEAD^2^") == f.a);
  CHECK(f.Resolve("@~~") == f.a);
  CHECK(f.Resolve("main~0") == f.m);
  CHECK(f.Resolve(f.m.ShortHex(8) + "^2~1^") == f.r);
  CHECK(f.Resolve("v1~1") == f.r);
}

TEST_CASE("ResolveRevision reports every failure with its own message") {
  Fixture f;
  Status s = f.Error("xyz");
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK(s.message() == "unknown revision 'xyz'");
  CHECK(f.Error("").message() == "unknown revision ''");
  CHECK(f.Error("~1").message() == "unknown revision '~1'");
  CHECK(f.Error("main~x").message() == "unknown revision 'main~x'");
  CHECK(f.Error("main@{1}").message() == "unknown revision 'main@{1}'");
  CHECK(f.Error("main~99999999999").message() == "unknown revision 'main~99999999999'");
  CHECK(f.Error("0000000").message() == "unknown revision '0000000'");

  s = f.Error("HEAD~9");
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK(s.message() == "revision 'HEAD~9' goes past the root commit");
  CHECK(f.Error("main~3^").message() == "revision 'main~3^' goes past the root commit");
  CHECK(f.Error("main~1^2").message() == "revision 'main~1^2': commit " + f.b.ShortHex() + " has no parent 2");

  REQUIRE(f.h->SetHeadToBranch("unborn").ok());
  s = f.Error("HEAD");
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK(s.message() == "HEAD has no commits yet");
  CHECK(f.Error("@~1").message() == "HEAD has no commits yet");
}

TEST_CASE("ResolveRevision reports an ambiguous short id") {
  Fixture f;
  // Write commits until two share a 4-digit prefix (birthday bound: ~300 expected).
  std::map<std::string, GitId> by_prefix;
  std::string clash;
  for (int i = 0; i < 5000 && clash.empty(); ++i) {
    GitId c = f.Commit("c" + std::to_string(i), {}, 1000 + i);
    auto [it, inserted] = by_prefix.emplace(c.ShortHex(4), c);
    if (!inserted) clash = c.ShortHex(4);
  }
  REQUIRE(!clash.empty());
  Status s = f.Error(clash);
  CHECK(s.code() == StatusCode::kAmbiguous);
  CHECK(s.message() == "short id '" + clash + "' is ambiguous");
  // A longer prefix disambiguates.
  CHECK(f.Resolve(by_prefix[clash].ToHex().substr(0, 12)) == by_prefix[clash]);
}

TEST_CASE("ResolveRevision prefers a tag over a branch of the same name, like git") {
  Fixture f;
  f.Update("refs/heads/dup", f.b);
  f.Update("refs/tags/dup", f.r);
  CHECK(f.Resolve("dup") == f.r);
  CHECK(f.Resolve("heads/dup") == f.b);
  CHECK(f.Resolve("refs/heads/dup") == f.b);
  // A branch named like a hex prefix shadows the id.
  f.Update("refs/heads/" + f.r.ShortHex(6), f.m);
  CHECK(f.Resolve(f.r.ShortHex(6)) == f.m);
}

TEST_CASE("ResolveRevision refuses a ref that does not name a commit") {
  Fixture f;
  GitId blob = *f.h->WriteBlob(AsBytes("not a commit"));
  REQUIRE(f.h->UpdateRef("refs/tags/blob", blob, std::nullopt, "t").ok());
  Status s = f.Error("blob");
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(s.message() == "revision 'blob' names " + blob.ToHex() + ", which is not a commit");
}

}  // namespace
}  // namespace mvc
