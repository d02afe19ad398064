// refs/internal/worktree.h: the worktree's files and the stat cache (`.mvc/index`).
//
// Status and commit must not re-read a large model that has not changed. The stat
// cache remembers, per path, the stat fields seen when the file's content key was
// last computed; a file whose size, mtime, ctime and inode still match is taken to
// have the same key (git's index does the same).
//
// A content key is "file:<file id>" for a safetensors file (refs/manifest.h) and
// "blob:<git blob id>" for any other file.
#ifndef MVC_REFS_INTERNAL_WORKTREE_H_
#define MVC_REFS_INTERNAL_WORKTREE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace mvc::internal {

struct FileStat {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint64_t inode = 0;
  bool executable = false;
  friend bool operator==(const FileStat&, const FileStat&) = default;
};

struct WorktreeFile {
  std::string path;  // relative, '/'-separated
  FileStat stat;
  bool is_model = false;  // ends in ".safetensors"
};

// Regular files under `root`, sorted by path, skipping `.mvc/` and mvc's temporary
// files. Symlinks and special files are skipped (not versioned yet).
Result<std::vector<WorktreeFile>> ScanWorktree(const std::string& root);

// Stat of one path; nullopt when it does not exist.
Result<std::optional<FileStat>> StatFile(const std::string& path);

bool IsModelPath(const std::string& path);

class StatCache {
 public:
  // A missing or unreadable cache is empty (it is only a cache).
  static StatCache Load(const std::string& path);
  Status Save(const std::string& path) const;

  std::optional<std::string> Lookup(const std::string& rel_path, const FileStat& stat) const;
  void Set(const std::string& rel_path, const FileStat& stat, const std::string& key);
  void Erase(const std::string& rel_path) { entries_.erase(rel_path); }

 private:
  struct Entry {
    FileStat stat;
    std::string key;
  };
  std::map<std::string, Entry> entries_;
};

}  // namespace mvc::internal

#endif  // MVC_REFS_INTERNAL_WORKTREE_H_
