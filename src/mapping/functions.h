// The functions of the mapping language (SPEC §5.2): a registry the binder resolves names in,
// with arity, static result type, role and implementation. Operators are registered too
// (`=` is "eq", `AND` is "and", ...). Every function is documented with an example in
// docs/mapping.md. Implementations never fail: an argument that does not fit gives the empty
// datum. The registry is immutable; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "mapping/datum.h"

namespace simdjson::dom {
class element;
}

namespace cohort::mapping {

// What the binder knows about an expression's value before any event is seen.
enum class ExprType : uint8_t {
  kAny,  // an event field: any JSON value
  kBool,
  kInt,
  kNumber,
  kString,
  kDate,  // an int of milliseconds since the epoch (epochms(), now(), todate())
  kList,  // set()
  kMap,   // valuect(), map()
};
std::string_view ExprTypeName(ExprType t);

// The event and the times an expression is evaluated against.
struct EvalContext {
  const simdjson::dom::element* event = nullptr;  // a JSON object (borrowed)
  int64_t event_time_ms = 0;
  int64_t now_ms = 0;
};

enum class FunctionRole : uint8_t {
  kScalar,    // an ordinary function, usable anywhere
  kOperator,  // and/or/not: written as operators only
  // Whole-column functions: only as the entire expression of a column; they fix the merge op
  // (count, sum, min, max) or the shape of the value ([]string, maps).
  kCount,
  kSum,
  kMin,
  kMax,
  kSet,
  kValueCount,
  kMap,
};

using FunctionImpl = Datum (*)(std::span<Datum> args, const EvalContext& ctx);

struct FunctionDef {
  std::string_view name;  // lowercase
  int min_args;
  int max_args;  // -1: no limit
  FunctionRole role;
  ExprType result;     // static result type
  bool result_is_arg;  // the result has the static type of the first argument instead
  FunctionImpl impl;
  std::string_view usage;  // how to call it, for messages: "lower(x)"
};

// The function or operator called `name` (lowercase), or nullptr.
const FunctionDef* FindFunction(std::string_view name);
// Every registered name, for "did you mean" hints.
std::span<const FunctionDef> AllFunctions();

// Whether a datum, used as a condition (WHERE, IF, AND, ...), is true: a true bool, or a value
// ToBool reads as true. Empty is not true.
bool IsTrue(const Datum& d);
// The truth of a datum for three-valued logic: nullopt when empty or not a bool-like scalar.
std::optional<bool> Truth(const Datum& d);

}  // namespace cohort::mapping
