// refs/internal/file_util.h: small POSIX file helpers for the porcelain.
//
// Worktree files are replaced atomically: written to a temporary file beside the
// destination, fsync'ed, then renamed over it, so a killed checkout leaves either the
// old or the new file, never a torn one.
//
//   MVC_ASSIGN_OR_RETURN(TempFile f, TempFile::CreateBeside("/w/model.safetensors"));
//   MVC_RETURN_IF_ERROR(f.PWrite(bytes, 0));
//   MVC_RETURN_IF_ERROR(f.Commit());          // fsync + rename; else removed on scope exit
#ifndef MVC_REFS_INTERNAL_FILE_UTIL_H_
#define MVC_REFS_INTERNAL_FILE_UTIL_H_

#include <cstdint>
#include <string>

#include "core/bytes.h"
#include "core/result.h"

namespace mvc::internal {

class TempFile {
 public:
  // Creates ".<name>.mvc-tmp-XXXXXX" in the destination's directory (made if missing).
  // Errors: kIOError / kNoSpace naming the path.
  static Result<TempFile> CreateBeside(const std::string& dest_path, bool executable = false);
  TempFile(TempFile&& other) noexcept;
  TempFile& operator=(TempFile&&) = delete;
  ~TempFile();  // removes the temporary file unless committed

  Status PWrite(ByteView bytes, uint64_t offset);
  Status Truncate(uint64_t size);
  // fsync, chmod as requested, rename over the destination. Errors: kIOError, kNoSpace.
  Status Commit();

 private:
  TempFile(int fd, std::string temp_path, std::string dest_path, bool executable)
      : fd_(fd), temp_path_(std::move(temp_path)), dest_path_(std::move(dest_path)), executable_(executable) {}
  int fd_ = -1;
  std::string temp_path_;
  std::string dest_path_;
  bool executable_ = false;
};

// Replaces `path` with `bytes` atomically (TempFile).
Status WriteFileAtomically(const std::string& path, ByteView bytes, bool executable = false);

// A file open for reading from the start; closed on destruction. Errors name the
// file: "open <path>", "stat <path>", "read <path>" (kNotFound, kIOError).
class FileReader {
 public:
  static Result<FileReader> Open(const std::string& path);
  FileReader(FileReader&& other) noexcept;
  FileReader& operator=(FileReader&&) = delete;
  ~FileReader();

  uint64_t size() const { return size_; }  // when opened
  // Reads up to `max` bytes into `buf` (retrying on EINTR); 0 at the end of the file.
  Result<size_t> Read(void* buf, size_t max);

 private:
  FileReader(int fd, uint64_t size, std::string path) : fd_(fd), size_(size), path_(std::move(path)) {}
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string path_;
};

// Reads a whole (small) file. Errors: kNotFound, kIOError.
Result<std::string> ReadWholeFile(const std::string& path);

// Reads the first `max_bytes` of a file (fewer if it is shorter). Errors: kNotFound,
// kIOError.
Result<std::string> ReadFilePrefix(const std::string& path, size_t max_bytes);

// The git blob id (SHA-1 of "blob <size>\0" + bytes) of a file, read in pieces.
Result<std::string> GitBlobHexOfFile(const std::string& path);

// An exclusive advisory lock (flock) on `path`, created if missing, waiting up to
// `timeout_ms`. Errors: kConflict "repository is locked by another mvc process (<path>)".
class FileLock {
 public:
  static Result<FileLock> Acquire(const std::string& path, int timeout_ms);
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace mvc::internal

#endif  // MVC_REFS_INTERNAL_FILE_UTIL_H_
