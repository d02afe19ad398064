// core/result.h: Result<T>, a value or a non-OK Status (C++20 has no std::expected).
//
//   Result<ObjectId> id = ObjectId::FromHex(text);
//   if (!id.ok()) return id.status();
//   Use(*id);
//
// Or with the two macros, which add context on the way up:
//
//   MVC_ASSIGN_OR_RETURN(ObjectId id, ObjectId::FromHex(text));
//   MVC_RETURN_IF_ERROR(store.Put(id, bytes));
#ifndef MVC_CORE_RESULT_H_
#define MVC_CORE_RESULT_H_

#include <optional>
#include <utility>

#include "core/status.h"

namespace mvc {

template <typename T>
class [[nodiscard]] Result {
 public:
  // REQUIRES: !status.ok() (a Result holding OK without a value is a bug).
  Result(Status status) : status_(std::move(status)) { MVC_CHECK(!status_.ok()); }  // NOLINT
  Result(T value) : value_(std::move(value)) {}                                   // NOLINT

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & { MVC_CHECK(ok()); return *value_; }
  const T& value() const& { MVC_CHECK(ok()); return *value_; }
  T&& value() && { MVC_CHECK(ok()); return std::move(*value_); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

namespace internal {
inline const Status& AsStatus(const Status& s) { return s; }
template <typename T>
const Status& AsStatus(const Result<T>& r) { return r.status(); }
}  // namespace internal

}  // namespace mvc

#define MVC_CONCAT_INNER_(a, b) a##b
#define MVC_CONCAT_(a, b) MVC_CONCAT_INNER_(a, b)

// Returns the Status of `expr` (a Status or a Result) from the enclosing function if
// it is not OK.
#define MVC_RETURN_IF_ERROR(expr)                                      \
  do {                                                                 \
    const auto& mvc_status_or_ = (expr);                               \
    if (!mvc_status_or_.ok()) return ::mvc::internal::AsStatus(mvc_status_or_); \
  } while (0)

// Like MVC_RETURN_IF_ERROR, prefixing `context` ("reading model.safetensors").
#define MVC_RETURN_IF_ERROR_CTX(expr, context)                         \
  do {                                                                 \
    const auto& mvc_status_or_ = (expr);                               \
    if (!mvc_status_or_.ok())                                          \
      return ::mvc::internal::AsStatus(mvc_status_or_).WithContext(context); \
  } while (0)

// Evaluates `rexpr` (a Result<T>); on error returns its Status, else moves the value
// into `lhs` (a declaration such as `ObjectId id` or an existing variable).
#define MVC_ASSIGN_OR_RETURN(lhs, rexpr) \
  MVC_ASSIGN_OR_RETURN_IMPL_(MVC_CONCAT_(mvc_result_, __LINE__), lhs, rexpr)
#define MVC_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                               \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()

#endif  // MVC_CORE_RESULT_H_
