#include "core/status.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace mvc {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kAmbiguous: return "ambiguous";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kIOError: return "I/O error";
    case StatusCode::kNoSpace: return "no space";
    case StatusCode::kUnsupportedVersion: return "unsupported version";
    case StatusCode::kConflict: return "conflict";
    case StatusCode::kInternal: return "internal error";
  }
  return "unknown";
}

Status Status::FromErrno(int err, std::string_view what) {
  std::string message = std::string(what) + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return NoSpace(std::move(message));
  if (err == ENOENT) return NotFound(std::move(message));
  return IOError(std::move(message));
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  return Status(code_, std::string(context) + ": " + message_);
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

void CheckFailed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "mvc: internal error: check failed: %s at %s:%d\n", expr, file, line);
  std::abort();
}

}  // namespace mvc
