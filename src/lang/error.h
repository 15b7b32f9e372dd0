// LangError: a syntax or binding error in a statement of one of Cohort's languages, with the
// position it refers to. Result<T>: a value or a LangError (our code does not throw).
//
// Messages follow the project rule "what is wrong; what to do", e.g.
//   unknown function 'lowr'; see docs/mapping.md for the functions
// A LangError renders as "3:14: <message>" (ToString, used by golden tests and tools) and
// converts to a cohort::Status with code kInvalidArgument and message
// "line 3, column 14: <message>" (ToStatus, used at API edges).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "common/status.h"
#include "lang/position.h"

namespace cohort::lang {

class LangError {
 public:
  LangError(Position pos, std::string message) : pos_(pos), message_(std::move(message)) {}

  const Position& position() const { return pos_; }
  const std::string& message() const { return message_; }

  // "line:column: message".
  std::string ToString() const;
  // InvalidArgument, "line L, column C: message".
  Status ToStatus() const;

  bool operator==(const LangError&) const = default;

 private:
  Position pos_;
  std::string message_;
};

// The outcome of a step that returns nothing: no error, or an error.
using Check = std::optional<LangError>;

// A T or a LangError. Accessing value() of an error is a programmer error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(LangError error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  const LangError& error() const& { return std::get<1>(v_); }
  LangError&& error() && { return std::get<1>(std::move(v_)); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // OK, or the error converted by LangError::ToStatus.
  Status status() const { return ok() ? Status::Ok() : error().ToStatus(); }

 private:
  std::variant<T, LangError> v_;
};

}  // namespace cohort::lang

#define COHORT_LANG_CONCAT_INNER_(a, b) a##b
#define COHORT_LANG_CONCAT_(a, b) COHORT_LANG_CONCAT_INNER_(a, b)

// LANG_ASSIGN_OR_RETURN(auto x, ParseFoo()); declares x from a Result or returns its LangError.
#define LANG_ASSIGN_OR_RETURN(lhs, expr) \
  LANG_ASSIGN_OR_RETURN_IMPL_(COHORT_LANG_CONCAT_(_lang_result_, __LINE__), lhs, expr)
#define LANG_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return std::move(tmp).error();     \
  lhs = std::move(tmp).value()

// Returns the LangError of a Check (std::optional<LangError>) if there is one.
#define LANG_RETURN_IF_ERROR(expr)                   \
  do {                                               \
    ::cohort::lang::Check _lang_check = (expr);      \
    if (_lang_check) return *std::move(_lang_check); \
  } while (0)
