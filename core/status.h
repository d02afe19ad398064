// core/status.h: the one error type of libmvc.
//
// A Status is either OK or a code plus a one-line message naming what failed and
// where. Functions that can fail return Status (or Result<T>, see result.h); libmvc
// never throws across its API, never prints and never exits. Context is prepended on
// the way up, so the message reads from the outside in:
//
//   Status s = store.Get(id);
//   if (!s.ok()) return s.WithContext("chunk 12 of model.layers.0.q_proj.weight");
//   // -> "chunk 12 of model.layers.0.q_proj.weight: object 3fa9c1...: not found"
//
// Only cli/ turns a Status into a stderr line and an exit code (docs/cli.md).
#ifndef MVC_CORE_STATUS_H_
#define MVC_CORE_STATUS_H_

#include <string>
#include <string_view>
#include <utility>

namespace mvc {

enum class StatusCode {
  kOk = 0,
  kNotFound,            // a revision, file, tensor or object that does not exist
  kAmbiguous,           // a short id or name that matches more than one thing
  kInvalidArgument,     // bad input from the user: a malformed file, a bad option
  kCorruption,          // stored data that fails its checks (hash, magic, bounds)
  kIOError,             // the operating system refused a read or write
  kNoSpace,             // the disk (or the store's map) is full
  kUnsupportedVersion,  // a format or repository version this build does not know
  kConflict,            // the operation would lose work (dirty worktree, locked repo)
  kInternal,            // a bug in mvc itself (git's BUG)
};

// The stable lower-case name of a code, e.g. "not found".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Ambiguous(std::string m) { return {StatusCode::kAmbiguous, std::move(m)}; }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status NoSpace(std::string m) { return {StatusCode::kNoSpace, std::move(m)}; }
  static Status UnsupportedVersion(std::string m) { return {StatusCode::kUnsupportedVersion, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  // An IOError or NoSpace (for ENOSPC/EDQUOT) from errno, naming `what`:
  // "write /x/y: No space left on device".
  static Status FromErrno(int err, std::string_view what);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<context>: <message>"; OK stays OK.
  Status WithContext(std::string_view context) const;

  // "not found: <message>" style, for logs and tests.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Internal invariant check for mvc's own bugs (never for user input): aborts with
// file and line. Library code reports every expected failure through Status.
[[noreturn]] void CheckFailed(const char* expr, const char* file, int line);
#define MVC_CHECK(cond) \
  do { if (!(cond)) ::mvc::CheckFailed(#cond, __FILE__, __LINE__); } while (0)

}  // namespace mvc

#endif  // MVC_CORE_STATUS_H_
