#include "refs/history.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <set>

#include "tests/testing/test_util.h"

namespace mvc {
namespace {

using testing::TempDir;

History::Signature Sig(int64_t t) { return {"Ada", "ada@example.com", t, 60}; }

struct Repo {
  TempDir dir;
  std::unique_ptr<History> h;
  Repo() {
    auto r = History::Init(dir.path() + "/.mvc/history");
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    h = std::move(*r);
  }
  // A commit of a one-file tree holding `content`, with `parents`, at time `t`.
  GitId Commit(const std::string& content, std::vector<GitId> parents, int64_t t) {
    auto blob = h->WriteBlob(AsBytes(content));
    REQUIRE(blob.ok());
    auto tree = h->WriteTree({{"f", {*blob}}});
    REQUIRE(tree.ok());
    auto c = h->WriteCommit(*tree, parents, Sig(t), Sig(t), content + "\n");
    REQUIRE_MESSAGE(c.ok(), c.status().ToString());
    return *c;
  }
  void Update(const std::string& ref, const GitId& id, std::optional<GitId> old, const std::string& msg = "m") {
    Status s = h->UpdateRef(ref, id, old, msg);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }
};

TEST_CASE("GitId hex round trip, short form, zero and ordering") {
  const std::string hex = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
  auto id = GitId::FromHex(hex);
  REQUIRE(id.ok());
  CHECK(id->ToHex() == hex);
  CHECK(id->ShortHex() == "4b825dc642cb");
  CHECK(id->ShortHex(7) == "4b825dc");
  CHECK(GitId::FromHex("4B825DC642CB6EB9A060E54BF8D69288FBEE4904")->ToHex() == hex);
  CHECK(!id->IsZero());
  CHECK(GitId().IsZero());
  CHECK(GitId() < *id);
  CHECK(std::hash<GitId>()(*id) == std::hash<GitId>()(*GitId::FromHex(hex)));
  CHECK(GitId::FromHex("4b82").status().message() == "git id '4b82' is not 40 hex digits");
  CHECK(GitId::FromHex(std::string(39, 'a') + "g").status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("Init creates a bare repository with an unborn main branch and Open reopens it") {
  TempDir dir;
  const std::string git_dir = dir.path() + "/.mvc/history";
  auto h = History::Init(git_dir);
  REQUIRE_MESSAGE(h.ok(), h.status().ToString());
  CHECK(std::filesystem::exists(git_dir + "/HEAD"));
  CHECK(std::filesystem::exists(git_dir + "/objects"));
  CHECK(!std::filesystem::exists(git_dir + "/.git"));
  auto head = (*h)->ReadHead();
  REQUIRE(head.ok());
  CHECK(head->branch == "main");
  CHECK(!head->commit.has_value());
  CHECK(*(*h)->GetConfig("core.logAllRefUpdates") == std::optional<std::string>("true"));

  auto again = History::Init(git_dir);
  CHECK(again.status().code() == StatusCode::kConflict);
  CHECK(again.status().message() == "init history " + git_dir + ": a repository already exists there");

  auto opened = History::Open(git_dir);
  REQUIRE(opened.ok());
  CHECK((*opened)->ReadHead()->branch == "main");

  auto missing = History::Open(dir.path() + "/nowhere");
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message() == "open history " + dir.path() + "/nowhere: no repository there");
}

TEST_CASE("ReadBlob returns the bytes WriteBlob stored, including NULs") {
  Repo r;
  Bytes data = {0, 1, 2, 255, 0, 'x'};
  auto id = r.h->WriteBlob(data);
  REQUIRE(id.ok());
  CHECK(*r.h->ReadBlob(*id) == data);
  // git's well-known id of the empty blob.
  CHECK(r.h->WriteBlob({})->ToHex() == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  auto missing = r.h->ReadBlob(*GitId::FromHex(std::string(40, '1')));
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message().rfind("read blob 1111111111111111111111111111111111111111: ", 0) == 0);
}

TEST_CASE("Plain files stream into blobs and back piece by piece, hash-checked") {
  Repo r;
  // 2.5 MiB: three pieces of the 1 MiB streaming buffer.
  Bytes data(5 << 19);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>((i * 2654435761u) >> 13);
  const std::string path = r.dir.path() + "/weights.bin";
  testing::WriteFileBytes(path, data);
  auto id = r.h->WriteBlobFromFile(path);
  REQUIRE_MESSAGE(id.ok(), id.status().ToString());
  CHECK(*id == *r.h->WriteBlob(data));  // the same blob as the whole-buffer write
  CHECK(*r.h->BlobSize(*id) == data.size());
  CHECK(*r.h->ReadBlobPrefix(*id, 5) == Bytes(data.begin(), data.begin() + 5));
  Bytes back;
  int pieces = 0;
  Status st = r.h->StreamBlob(*id, [&](ByteView piece) {
    back.insert(back.end(), piece.begin(), piece.end());
    ++pieces;
    return Status::Ok();
  });
  REQUIRE_MESSAGE(st.ok(), st.ToString());
  CHECK(back == data);
  CHECK(pieces >= 3);
  // A loose object swapped for another blob's is caught by the hash, after the bytes.
  auto other = r.h->WriteBlob(AsBytes(std::string("not the weights")));
  REQUIRE(other.ok());
  auto loose = [&](const GitId& g) {
    return r.dir.path() + "/.mvc/history/objects/" + g.ToHex().substr(0, 2) + "/" + g.ToHex().substr(2);
  };
  std::filesystem::permissions(loose(*id), std::filesystem::perms::owner_write, std::filesystem::perm_options::add);
  std::filesystem::copy_file(loose(*other), loose(*id), std::filesystem::copy_options::overwrite_existing);
  st = r.h->StreamBlob(*id, [](ByteView) { return Status::Ok(); });
  CHECK(st.code() == StatusCode::kCorruption);
  CHECK(st.message().find("blob " + id->ToHex() + " is corrupt") != std::string::npos);
  auto missing = r.h->BlobSize(*GitId::FromHex(std::string(40, '2')));
  CHECK(missing.status().code() == StatusCode::kNotFound);
}

TEST_CASE("Nested trees round trip with executable bits and the empty tree is git's") {
  Repo r;
  GitId a = *r.h->WriteBlob(AsBytes("a")), b = *r.h->WriteBlob(AsBytes("b")), c = *r.h->WriteBlob(AsBytes("c"));
  History::FlatTree files = {{"a", {a}}, {"d/b", {b, true}}, {"d/e/c", {c}}};
  auto tree = r.h->WriteTree(files);
  REQUIRE_MESSAGE(tree.ok(), tree.status().ToString());
  auto back = r.h->ReadTree(*tree);
  REQUIRE(back.ok());
  CHECK(*back == files);
  // Same content, same id.
  CHECK(*r.h->WriteTree(files) == *tree);

  auto empty = r.h->WriteTree({});
  REQUIRE(empty.ok());
  CHECK(empty->ToHex() == "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
  CHECK(r.h->ReadTree(*empty)->empty());
}

TEST_CASE("WriteTree rejects bad paths and missing blobs") {
  Repo r;
  GitId a = *r.h->WriteBlob(AsBytes("a"));
  for (const std::string bad : {"", "/a", "a//b", "a/", "./a", "a/../b", ".."}) {
    auto t = r.h->WriteTree({{bad, {a}}});
    CHECK(t.status().code() == StatusCode::kInvalidArgument);
    CHECK(t.status().message() == "invalid tree path '" + bad + "'");
  }
  auto both = r.h->WriteTree({{"d", {a}}, {"d/x", {a}}});
  CHECK(both.status().message() == "tree path 'd' is both a file and a directory");
  CHECK(r.h->WriteTree({{".git/x", {a}}}).status().message() == "invalid tree path '.git/x'");
  CHECK(r.h->WriteTree({{"d/.GIT", {a}}}).status().message() == "invalid tree path 'd/.GIT'");
  GitId ghost = *GitId::FromHex(std::string(40, '2'));
  auto missing = r.h->WriteTree({{"d/x", {ghost}}});
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message() == "write tree: entry 'd/x': blob " + ghost.ToHex() + " not found");
}

TEST_CASE("ReadCommit returns what WriteCommit wrote") {
  Repo r;
  GitId tree = *r.h->WriteTree({});
  History::Signature author{"Ada Lovelace", "ada@example.com", 1700000000, -300};
  History::Signature committer{"Bot", "bot@example.com", 1700000100, 120};
  auto root = r.h->WriteCommit(tree, {}, author, committer, "first\n\nbody line\n");
  REQUIRE(root.ok());
  std::vector<GitId> parents = {*root};
  auto child = r.h->WriteCommit(tree, parents, author, author, "no trailing newline");
  REQUIRE(child.ok());

  auto info = r.h->ReadCommit(*root);
  REQUIRE(info.ok());
  CHECK(info->id == *root);
  CHECK(info->tree == tree);
  CHECK(info->parents.empty());
  CHECK(info->author == author);
  CHECK(info->committer == committer);
  CHECK(info->message == "first\n\nbody line\n");
  auto child_info = r.h->ReadCommit(*child);
  CHECK(child_info->parents == parents);
  CHECK(child_info->message == "no trailing newline");

  // Writing only the object moves no ref.
  CHECK(!r.h->ReadHead()->commit.has_value());
  CHECK(r.h->ReadCommit(tree).status().code() == StatusCode::kNotFound);
  std::vector<GitId> ghost = {*GitId::FromHex(std::string(40, '3'))};
  CHECK(r.h->WriteCommit(tree, ghost, author, author, "x").status().code() == StatusCode::kNotFound);
  History::Signature nameless{"", "a@b", 0, 0};
  CHECK(r.h->WriteCommit(tree, {}, nameless, author, "x").status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("UpdateRef is a compare-and-swap that names both ids on conflict") {
  Repo r;
  GitId c1 = r.Commit("1", {}, 100), c2 = r.Commit("2", {c1}, 200), c3 = r.Commit("3", {c2}, 300);
  const std::string main = "refs/heads/main";
  r.Update(main, c1, std::nullopt);
  CHECK(*r.h->ReadRef(main) == std::optional<GitId>(c1));

  Status exists = r.h->UpdateRef(main, c2, std::nullopt, "m");
  CHECK(exists.code() == StatusCode::kConflict);
  CHECK(exists.message() == "ref refs/heads/main moved (expected no ref, found " + c1.ShortHex() + ")");

  r.Update(main, c2, c1);
  Status moved = r.h->UpdateRef(main, c3, c1, "m");
  CHECK(moved.code() == StatusCode::kConflict);
  CHECK(moved.message() == "ref refs/heads/main moved (expected " + c1.ShortHex() + ", found " + c2.ShortHex() + ")");
  CHECK(*r.h->ReadRef(main) == std::optional<GitId>(c2));

  Status gone = r.h->UpdateRef("refs/heads/nope", c3, c1, "m");
  CHECK(gone.message() == "ref refs/heads/nope moved (expected " + c1.ShortHex() + ", found no ref)");

  CHECK(r.h->UpdateRef("refs/heads/a..b", c1, std::nullopt, "m").message() == "invalid ref name 'refs/heads/a..b'");
  CHECK(*r.h->ReadRef("refs/heads/missing") == std::nullopt);
  Status ghost = r.h->UpdateRef("refs/heads/x", *GitId::FromHex(std::string(40, '4')), std::nullopt, "m");
  CHECK(ghost.code() == StatusCode::kNotFound);
  CHECK(ghost.message() == "update ref refs/heads/x: object " + std::string(40, '4') + " not found");
}

TEST_CASE("UpdateRef writes reflog entries to the branch and to HEAD when HEAD points at it") {
  Repo r;
  REQUIRE(r.h->SetConfig("user.name", "Ada").ok());
  REQUIRE(r.h->SetConfig("user.email", "ada@example.com").ok());
  GitId c1 = r.Commit("1", {}, 100), c2 = r.Commit("2", {c1}, 200);
  r.Update("refs/heads/main", c1, std::nullopt, "commit (initial): one");
  r.Update("refs/heads/main", c2, c1, "commit: two");

  for (const std::string name : {"refs/heads/main", "HEAD"}) {
    CAPTURE(name);
    auto log = r.h->ReadReflog(name);
    REQUIRE(log.ok());
    REQUIRE(log->size() == 2);
    CHECK((*log)[0].old_id == c1);  // newest first
    CHECK((*log)[0].new_id == c2);
    CHECK((*log)[0].message == "commit: two");
    CHECK((*log)[1].old_id.IsZero());
    CHECK((*log)[1].new_id == c1);
    CHECK((*log)[1].message == "commit (initial): one");
    CHECK((*log)[0].who.name == "Ada");
    CHECK((*log)[0].who.email == "ada@example.com");
  }
  // A branch HEAD does not point at logs only to itself.
  r.Update("refs/heads/side", c1, std::nullopt, "branch: created");
  CHECK(r.h->ReadReflog("refs/heads/side")->size() == 1);
  CHECK(r.h->ReadReflog("HEAD")->size() == 2);
  CHECK(r.h->ReadReflog("refs/heads/never")->empty());
}

TEST_CASE("ListRefs lists branches and lightweight tags sorted, and DeleteRef removes one") {
  Repo r;
  GitId c1 = r.Commit("1", {}, 100), c2 = r.Commit("2", {c1}, 200);
  r.Update("refs/heads/main", c2, std::nullopt);
  r.Update("refs/heads/dev", c1, std::nullopt);
  r.Update("refs/heads/a/b", c1, std::nullopt);
  r.Update("refs/tags/v1", c1, std::nullopt);
  using List = std::vector<std::pair<std::string, GitId>>;
  CHECK(*r.h->ListRefs("refs/heads/") == List{{"refs/heads/a/b", c1}, {"refs/heads/dev", c1}, {"refs/heads/main", c2}});
  CHECK(*r.h->ListRefs("refs/tags/") == List{{"refs/tags/v1", c1}});
  CHECK(r.h->ListRefs("")->size() == 4);

  REQUIRE(r.h->DeleteRef("refs/heads/dev").ok());
  CHECK(r.h->ListRefs("refs/heads/")->size() == 2);
  Status again = r.h->DeleteRef("refs/heads/dev");
  CHECK(again.code() == StatusCode::kNotFound);
  CHECK(again.message() == "delete ref refs/heads/dev: no such ref");
}

TEST_CASE("HEAD can be symbolic to an unborn branch, to a born one, or detached") {
  Repo r;
  GitId c1 = r.Commit("1", {}, 100);
  r.Update("refs/heads/main", c1, std::nullopt);
  auto head = r.h->ReadHead();
  CHECK(head->branch == "main");
  CHECK(head->commit == std::optional<GitId>(c1));
  CHECK(*r.h->ReadRef("HEAD") == std::optional<GitId>(c1));

  REQUIRE(r.h->SetHeadToBranch("feature").ok());
  head = r.h->ReadHead();
  CHECK(head->branch == "feature");
  CHECK(!head->commit.has_value());
  CHECK(*r.h->ReadRef("HEAD") == std::nullopt);

  REQUIRE(r.h->SetHeadDetached(c1).ok());
  head = r.h->ReadHead();
  CHECK(head->branch.empty());
  CHECK(head->commit == std::optional<GitId>(c1));

  REQUIRE(r.h->SetHeadToBranch("main").ok());
  CHECK(r.h->ReadHead()->branch == "main");
  CHECK(r.h->SetHeadToBranch("bad..name").message() == "invalid branch name 'bad..name'");
  CHECK(r.h->SetHeadDetached(*GitId::FromHex(std::string(40, '5'))).code() == StatusCode::kNotFound);
}

TEST_CASE("ValidateBranchName follows git's rules") {
  for (const char* ok : {"main", "feature/x", "v1.0", "a-b_c"}) CHECK(History::ValidateBranchName(ok).ok());
  for (const char* bad : {"", "a..b", "a b", "a~1", "a^", "a:b", "-x", "HEAD", "a.lock", "x/", "a@{1}", "a\\b"}) {
    CAPTURE(bad);
    Status s = History::ValidateBranchName(bad);
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK(s.message() == "invalid branch name '" + std::string(bad) + "'");
  }
}

TEST_CASE("Log lists a linear history newest first and a merged branch topologically") {
  Repo r;
  GitId c1 = r.Commit("1", {}, 100), c2 = r.Commit("2", {c1}, 200), c3 = r.Commit("3", {c2}, 300);
  CHECK(*r.h->Log(c3, 0) == std::vector<GitId>{c3, c2, c1});
  CHECK(*r.h->Log(c3, 2) == std::vector<GitId>{c3, c2});

  // c2 -> b1 (side branch, older time than c3) ; merge m = (c3, b1).
  GitId b1 = r.Commit("b1", {c2}, 250);
  GitId m = r.Commit("m", {c3, b1}, 400);
  auto log = r.h->Log(m, 0);
  REQUIRE(log->size() == 5);
  CHECK((*log)[0] == m);
  CHECK((*log)[4] == c1);
  CHECK((*log)[3] == c2);  // parents after all their children
  CHECK(std::set<GitId>(log->begin() + 1, log->begin() + 3) == std::set<GitId>{c3, b1});

  CHECK(*r.h->MergeBase(c3, b1) == std::optional<GitId>(c2));
  CHECK(*r.h->MergeBase(m, b1) == std::optional<GitId>(b1));
  GitId other_root = r.Commit("other", {}, 500);
  CHECK(*r.h->MergeBase(c3, other_root) == std::nullopt);

  CHECK(*r.h->IsAncestor(c1, m));
  CHECK(*r.h->IsAncestor(b1, m));
  CHECK(!*r.h->IsAncestor(m, c1));
  CHECK(!*r.h->IsAncestor(b1, c3));
  CHECK(*r.h->IsAncestor(c3, c3));
  CHECK(r.h->Log(*GitId::FromHex(std::string(40, '6')), 0).status().code() == StatusCode::kNotFound);
}

std::set<GitId> Reachable(History& h) {
  std::set<GitId> seen;
  Status s = h.ForEachReachableCommit([&](const GitId& id) {
    CHECK(seen.insert(id).second);  // each commit once
    return Status::Ok();
  });
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return seen;
}

TEST_CASE("ForEachReachableCommit covers refs, HEAD and reflogs, and forgets a deleted branch's reflog") {
  Repo r;
  GitId c1 = r.Commit("1", {}, 100), c2 = r.Commit("2", {c1}, 200);
  r.Update("refs/heads/main", c1, std::nullopt);
  r.Update("refs/heads/main", c2, c1);
  // Rewind main: c2 is now only in the reflogs of main and HEAD.
  r.Update("refs/heads/main", c1, c2);
  CHECK(Reachable(*r.h) == std::set<GitId>{c1, c2});

  // A branch HEAD never pointed at: its commits live only in its own reflog.
  GitId s1 = r.Commit("s1", {c1}, 300), s2 = r.Commit("s2", {s1}, 400);
  r.Update("refs/heads/side", s1, std::nullopt);
  r.Update("refs/heads/side", s2, s1);
  r.Update("refs/heads/side", c1, s2);  // rewound: s1, s2 only in side's reflog
  CHECK(Reachable(*r.h) == std::set<GitId>{c1, c2, s1, s2});
  // Deleting the branch deletes its reflog (as in git), so s1 and s2 become garbage.
  REQUIRE(r.h->DeleteRef("refs/heads/side").ok());
  CHECK(r.h->ReadReflog("refs/heads/side")->empty());
  CHECK(Reachable(*r.h) == std::set<GitId>{c1, c2});

  // A branch that HEAD was on keeps its commits in HEAD's reflog after deletion.
  GitId t1 = r.Commit("t1", {c1}, 500);
  REQUIRE(r.h->SetHeadToBranch("topic").ok());
  r.Update("refs/heads/topic", t1, std::nullopt);
  REQUIRE(r.h->SetHeadToBranch("main").ok());
  REQUIRE(r.h->DeleteRef("refs/heads/topic").ok());
  CHECK(Reachable(*r.h) == std::set<GitId>{c1, c2, t1});

  // A detached HEAD and tags count too.
  GitId d1 = r.Commit("d1", {c2}, 600), g1 = r.Commit("g1", {}, 700);
  r.Update("refs/tags/v1", g1, std::nullopt);
  REQUIRE(r.h->SetHeadDetached(d1).ok());
  CHECK(Reachable(*r.h) == std::set<GitId>{c1, c2, t1, d1, g1});

  // The callback's first error stops the walk and is returned.
  int calls = 0;
  Status s = r.h->ForEachReachableCommit([&](const GitId&) {
    ++calls;
    return Status::Internal("stop");
  });
  CHECK(s.message() == "stop");
  CHECK(calls == 1);
}

TEST_CASE("Config values round trip in the repository's own config") {
  Repo r;
  CHECK(*r.h->GetConfig("user.name") == std::nullopt);
  REQUIRE(r.h->SetConfig("user.name", "Ada Lovelace").ok());
  REQUIRE(r.h->SetConfig("mvc.policy", "lossless").ok());
  CHECK(*r.h->GetConfig("user.name") == std::optional<std::string>("Ada Lovelace"));
  auto reopened = History::Open(r.h->git_dir());
  CHECK(*(*reopened)->GetConfig("mvc.policy") == std::optional<std::string>("lossless"));
  CHECK(r.h->SetConfig("nodot", "x").code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mvc
