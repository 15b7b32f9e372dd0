// Status and StatusOr: errors as values (see docs/style in ../shared/STYLE.md).
//
// A Status is a canonical code plus a message that tells the user what is wrong and what to do.
// Codes follow Abseil's canonical set; api/status_http.cc maps each one to exactly one HTTP
// code. Status is cheap to copy when OK (no allocation). Thread-compatible.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace cohort {

// Persisted nowhere; may be renumbered. Keep api/status_http.cc in step.
enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,     // bad input from the caller: 400
  kUnauthenticated,     // missing/unknown token or bad signature: 401
  kPermissionDenied,    // known token, wrong role: 403
  kNotFound,            // 404
  kAlreadyExists,       // 409
  kFailedPrecondition,  // fix the state first (e.g. workflow box not ticked): 400
  kPayloadTooLarge,     // body over the limit: 413
  kResourceExhausted,   // overload, try later: 503 with Retry-After
  kUnavailable,         // storage or dependency failure, retry: 503
  kInternal,            // a bug: 500
  kCancelled,           // shutting down: 503
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "InvalidArgument: message" (or "OK").
  std::string ToString() const;

  // Returns a copy with `context + ": "` prefixed to the message.
  Status WithContext(std::string_view context) const;

  // Marks a deliberately ignored Status so that the drop is searchable.
  void IgnoreError() const {}

  bool operator==(const Status& o) const = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgumentError(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status UnauthenticatedError(std::string m) { return {StatusCode::kUnauthenticated, std::move(m)}; }
inline Status PermissionDeniedError(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status NotFoundError(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExistsError(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status FailedPreconditionError(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status PayloadTooLargeError(std::string m) { return {StatusCode::kPayloadTooLarge, std::move(m)}; }
inline Status ResourceExhaustedError(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status UnavailableError(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status CancelledError(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }

// StatusOr<T>: a T or a non-OK Status. Accessing value() of an error is a programmer error.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const Status& s) : status_(s) { assert(!s.ok() && "StatusOr from OK status"); }
  StatusOr(Status&& s) : status_(std::move(s)) { assert(!status_.ok() && "StatusOr from OK status"); }
  StatusOr(const T& v) : value_(v) {}
  StatusOr(T&& v) : value_(std::move(v)) {}
  template <typename U>
    requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::decay_t<U>, Status> &&
             !std::is_same_v<std::decay_t<U>, T> && !std::is_same_v<std::decay_t<U>, StatusOr>)
  StatusOr(U&& v) : value_(std::forward<U>(v)) {}

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*value_); }

 private:
  Status status_;  // OK when value_ is set
  std::optional<T> value_;
};

}  // namespace cohort

#define COHORT_CONCAT_INNER_(a, b) a##b
#define COHORT_CONCAT_(a, b) COHORT_CONCAT_INNER_(a, b)

// Returns from the current function if `expr` (a Status) is not OK.
#define RETURN_IF_ERROR(expr)                    \
  do {                                           \
    ::cohort::Status _st = (expr);               \
    if (!_st.ok()) return _st;                   \
  } while (0)

// ASSIGN_OR_RETURN(auto x, Foo()); declares x from a StatusOr or returns its error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(COHORT_CONCAT_(_status_or_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()
