#include "refs/internal/worktree.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/bytes.h"
#include "refs/internal/file_util.h"

namespace mvc::internal {

namespace fs = std::filesystem;

namespace {

FileStat FromStat(const struct stat& st) {
  FileStat s;
  s.size = static_cast<uint64_t>(st.st_size);
  s.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
  s.ctime_ns = int64_t{st.st_ctim.tv_sec} * 1'000'000'000 + st.st_ctim.tv_nsec;
  s.inode = st.st_ino;
  s.executable = (st.st_mode & S_IXUSR) != 0;
  return s;
}

bool IsTempName(const std::string& name) { return name.find(".mvc-tmp-") != std::string::npos; }

}  // namespace

bool IsModelPath(const std::string& path) { return path.ends_with(".safetensors"); }

Result<std::optional<FileStat>> StatFile(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<FileStat>();
    return Status::FromErrno(errno, "stat " + path);
  }
  if (!S_ISREG(st.st_mode)) return std::optional<FileStat>();
  return std::optional<FileStat>(FromStat(st));
}

Result<std::vector<WorktreeFile>> ScanWorktree(const std::string& root) {
  std::vector<WorktreeFile> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec) return Status::FromErrno(ec.value(), "read directory " + root);
  for (fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) return Status::FromErrno(ec.value(), "read directory " + root);
    const fs::path& p = it->path();
    std::string name = p.filename().string();
    if (it.depth() == 0 && name == ".mvc") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink(ec) || !it->is_regular_file(ec) || IsTempName(name)) continue;
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) continue;  // vanished while scanning
    std::string rel = fs::relative(p, root, ec).generic_string();
    if (ec) return Status::FromErrno(ec.value(), "relative path of " + p.string());
    files.push_back({rel, FromStat(st), IsModelPath(rel)});
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return files;
}

StatCache StatCache::Load(const std::string& path) {
  StatCache cache;
  Result<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return cache;
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("version", 0) != 1 || !j["entries"].is_object()) {
    return cache;
  }
  for (auto& [rel, e] : j["entries"].items()) {
    if (!e.is_array() || e.size() != 6) continue;
    Entry entry;
    entry.stat = {e[0].get<uint64_t>(), e[1].get<int64_t>(), e[2].get<int64_t>(), e[3].get<uint64_t>(),
                  e[4].get<bool>()};
    entry.key = e[5].get<std::string>();
    cache.entries_[rel] = std::move(entry);
  }
  return cache;
}

Status StatCache::Save(const std::string& path) const {
  nlohmann::json entries = nlohmann::json::object();
  for (const auto& [rel, e] : entries_) {
    entries[rel] = {e.stat.size, e.stat.mtime_ns, e.stat.ctime_ns, e.stat.inode, e.stat.executable, e.key};
  }
  nlohmann::json j = {{"version", 1}, {"entries", std::move(entries)}};
  std::string text = j.dump() + "\n";
  return WriteFileAtomically(path, AsBytes(text));
}

std::optional<std::string> StatCache::Lookup(const std::string& rel_path, const FileStat& stat) const {
  auto it = entries_.find(rel_path);
  if (it == entries_.end() || !(it->second.stat == stat)) return std::nullopt;
  return it->second.key;
}

void StatCache::Set(const std::string& rel_path, const FileStat& stat, const std::string& key) {
  entries_[rel_path] = {stat, key};
}

}  // namespace mvc::internal
