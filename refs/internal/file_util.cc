#include "refs/internal/file_util.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <thread>
#include <utility>
#include <vector>

#include "refs/git_id.h"

namespace mvc::internal {

namespace fs = std::filesystem;

Result<TempFile> TempFile::CreateBeside(const std::string& dest_path, bool executable) {
  fs::path dest(dest_path);
  std::error_code ec;
  if (dest.has_parent_path()) fs::create_directories(dest.parent_path(), ec);
  if (ec) return Status::FromErrno(ec.value(), "create directory " + dest.parent_path().string());
  std::string tmpl = (dest.parent_path() / ("." + dest.filename().string() + ".mvc-tmp-XXXXXX")).string();
  int fd = mkstemp(tmpl.data());
  if (fd < 0) return Status::FromErrno(errno, "create temporary file beside " + dest_path);
  return TempFile(fd, tmpl, dest_path, executable);
}

TempFile::TempFile(TempFile&& other) noexcept
    : fd_(other.fd_), temp_path_(std::move(other.temp_path_)), dest_path_(std::move(other.dest_path_)),
      executable_(other.executable_) {
  other.fd_ = -1;
  other.temp_path_.clear();
}

TempFile::~TempFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
}

Status TempFile::PWrite(ByteView bytes, uint64_t offset) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "write " + dest_path_);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status TempFile::Truncate(uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return Status::FromErrno(errno, "truncate " + dest_path_);
  return Status::Ok();
}

Status TempFile::Commit() {
  if (::fchmod(fd_, executable_ ? 0755 : 0644) != 0) return Status::FromErrno(errno, "chmod " + dest_path_);
  if (::fsync(fd_) != 0) return Status::FromErrno(errno, "fsync " + dest_path_);
  ::close(fd_);
  fd_ = -1;
  if (::rename(temp_path_.c_str(), dest_path_.c_str()) != 0) {
    return Status::FromErrno(errno, "rename onto " + dest_path_);
  }
  temp_path_.clear();
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path, ByteView bytes, bool executable) {
  MVC_ASSIGN_OR_RETURN(TempFile f, TempFile::CreateBeside(path, executable));
  MVC_RETURN_IF_ERROR(f.PWrite(bytes, 0));
  return f.Commit();
}

Result<FileReader> FileReader::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::FromErrno(err, "stat " + path);
  }
  return FileReader(fd, static_cast<uint64_t>(st.st_size), path);
}

FileReader::FileReader(FileReader&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(other.size_), path_(std::move(other.path_)) {}

FileReader::~FileReader() {
  if (fd_ >= 0) ::close(fd_);
}

Result<size_t> FileReader::Read(void* buf, size_t max) {
  for (;;) {
    ssize_t n = ::read(fd_, buf, max);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return Status::FromErrno(errno, "read " + path_);
  }
}

Result<std::string> ReadWholeFile(const std::string& path) {
  return ReadFilePrefix(path, std::string().max_size());
}

Result<std::string> ReadFilePrefix(const std::string& path, size_t max_bytes) {
  MVC_ASSIGN_OR_RETURN(FileReader file, FileReader::Open(path));
  std::string out;
  char buf[1 << 16];
  while (out.size() < max_bytes) {
    MVC_ASSIGN_OR_RETURN(size_t n, file.Read(buf, std::min(sizeof(buf), max_bytes - out.size())));
    if (n == 0) break;
    out.append(buf, n);
  }
  return out;
}

Result<std::string> GitBlobHexOfFile(const std::string& path) {
  MVC_ASSIGN_OR_RETURN(FileReader file, FileReader::Open(path));
  GitBlobHasher hasher(file.size());
  std::vector<char> buf(1 << 20);
  for (;;) {
    MVC_ASSIGN_OR_RETURN(size_t n, file.Read(buf.data(), buf.size()));
    if (n == 0) break;
    hasher.Update(buf.data(), n);
  }
  return hasher.Finish().ToHex();
}

Result<FileLock> FileLock::Acquire(const std::string& path, int timeout_ms) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, "open lock " + path);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int err = errno;
      ::close(fd);
      return Status::FromErrno(err, "lock " + path);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(fd);
      return Status::Conflict("repository is locked by another mvc process (" + path + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return FileLock(fd);
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace mvc::internal
