#include "mapping/functions.h"

#include <array>

#include "mapping/builtins.h"
#include "mapping/convert.h"

namespace cohort::mapping {
namespace {

using R = FunctionRole;
using T = ExprType;
namespace b = builtins;

// Sorted by name only for reading; lookups scan (the table is small).
constexpr std::array<FunctionDef, 37> kFunctions = {{
    // Comparison and logic.
    {"eq", 2, 2, R::kScalar, T::kBool, false, b::Eq, "eq(a, b)"},
    {"ne", 2, 2, R::kScalar, T::kBool, false, b::Ne, "ne(a, b)"},
    {"lt", 2, 2, R::kScalar, T::kBool, false, b::Lt, "lt(a, b)"},
    {"le", 2, 2, R::kScalar, T::kBool, false, b::Le, "le(a, b)"},
    {"gt", 2, 2, R::kScalar, T::kBool, false, b::Gt, "gt(a, b)"},
    {"ge", 2, 2, R::kScalar, T::kBool, false, b::Ge, "ge(a, b)"},
    {"in", 2, -1, R::kScalar, T::kBool, false, b::In, "in(x, a, b, ...)"},
    {"contains", 2, 2, R::kScalar, T::kBool, false, b::Contains, "contains(x, part)"},
    {"exists", 1, 1, R::kScalar, T::kBool, false, b::Exists, "exists(x)"},
    {"and", 2, 2, R::kOperator, T::kBool, false, b::And, "a AND b"},
    {"or", 2, 2, R::kOperator, T::kBool, false, b::Or, "a OR b"},
    {"not", 1, 1, R::kOperator, T::kBool, false, b::Not, "NOT a"},
    // Whole-column functions.
    {"count", 0, 0, R::kCount, T::kInt, false, b::Count, "count()"},
    {"sum", 1, 1, R::kSum, T::kAny, true, b::Identity, "sum(x)"},
    {"min", 1, 1, R::kMin, T::kAny, true, b::Identity, "min(x)"},
    {"max", 1, 1, R::kMax, T::kAny, true, b::Identity, "max(x)"},
    {"set", 1, 1, R::kSet, T::kList, false, b::Set, "set(x)"},
    {"valuect", 1, 1, R::kValueCount, T::kMap, false, b::ValueCount, "valuect(x)"},
    {"map", 2, 2, R::kMap, T::kMap, false, b::Map, "map(key, value)"},
    // Text.
    {"email", 1, 1, R::kScalar, T::kString, false, b::Email, "email(x)"},
    {"emaildomain", 1, 1, R::kScalar, T::kString, false, b::EmailDomainOf, "emaildomain(x)"},
    {"domain", 1, 1, R::kScalar, T::kString, false, b::Domain, "domain(x)"},
    {"urlmain", 1, 1, R::kScalar, T::kString, false, b::UrlMain, "urlmain(x)"},
    {"lower", 1, 1, R::kScalar, T::kString, false, b::Lower, "lower(x)"},
    {"upper", 1, 1, R::kScalar, T::kString, false, b::Upper, "upper(x)"},
    {"string", 1, 1, R::kScalar, T::kString, false, b::String, "string(x)"},
    {"int", 1, 1, R::kScalar, T::kInt, false, b::Int, "int(x)"},
    {"number", 1, 1, R::kScalar, T::kNumber, false, b::Number, "number(x)"},
    // Time.
    {"epochms", 0, 0, R::kScalar, T::kDate, false, b::EpochMs, "epochms()"},
    {"now", 0, 0, R::kScalar, T::kDate, false, b::Now, "now()"},
    {"hourofday", 0, 1, R::kScalar, T::kString, false, b::HourOfDayOf,
     "hourofday() or hourofday(x)"},
    {"dayofweek", 0, 1, R::kScalar, T::kString, false, b::DayOfWeekOf,
     "dayofweek() or dayofweek(x)"},
    {"todate", 1, 1, R::kScalar, T::kDate, false, b::ToDate, "todate(x)"},
    // Spellings kept for readers coming from other tools.
    {"tolower", 1, 1, R::kScalar, T::kString, false, b::Lower, "tolower(x)"},
    {"toupper", 1, 1, R::kScalar, T::kString, false, b::Upper, "toupper(x)"},
    {"toint", 1, 1, R::kScalar, T::kInt, false, b::Int, "toint(x)"},
    {"tonumber", 1, 1, R::kScalar, T::kNumber, false, b::Number, "tonumber(x)"},
}};

}  // namespace

std::string_view ExprTypeName(ExprType t) {
  switch (t) {
    case T::kAny:
      return "field";
    case T::kBool:
      return "bool";
    case T::kInt:
      return "int";
    case T::kNumber:
      return "number";
    case T::kString:
      return "string";
    case T::kDate:
      return "date";
    case T::kList:
      return "set";
    case T::kMap:
      return "map";
  }
  return "value";
}

const FunctionDef* FindFunction(std::string_view name) {
  for (const FunctionDef& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::span<const FunctionDef> AllFunctions() { return kFunctions; }

std::optional<bool> Truth(const Datum& d) {
  if (!d.is_scalar() || d.empty()) return std::nullopt;
  return ToBool(d.scalar);
}

bool IsTrue(const Datum& d) { return Truth(d).value_or(false); }

}  // namespace cohort::mapping
