// core/mapped_file.h: a read-only memory map of a whole file.
//
// Readers walk a model through its map chunk by chunk and call Release() on ranges
// they are done with, so resident memory stays bounded however large the file.
//
//   MVC_ASSIGN_OR_RETURN(MappedFile f, MappedFile::Open("model.safetensors"));
//   std::span<const uint8_t> all = f.bytes();
#ifndef MVC_CORE_MAPPED_FILE_H_
#define MVC_CORE_MAPPED_FILE_H_

#include <cstdint>
#include <span>
#include <string>

#include "core/result.h"

namespace mvc {

// Movable, not copyable. Thread-safe for concurrent reads.
class MappedFile {
 public:
  // Errors: kNotFound (no such file), kIOError (not a regular file, mmap failed).
  // An empty file maps to an empty span.
  static Result<MappedFile> Open(const std::string& path);

  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  ~MappedFile();

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

  // Hints that [offset, offset+length) will not be read again soon (MADV_DONTNEED on
  // whole pages inside it). Never fails; a no-op for out-of-range input.
  void Release(uint64_t offset, uint64_t length) const;

 private:
  MappedFile(std::string path, const uint8_t* data, uint64_t size)
      : path_(std::move(path)), data_(data), size_(size) {}
  std::string path_;
  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace mvc

#endif  // MVC_CORE_MAPPED_FILE_H_
