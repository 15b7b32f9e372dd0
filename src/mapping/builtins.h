// Implementations of the mapping language's functions, registered in functions.cc. Internal to
// mapping/; see functions.h for the contract and docs/mapping.md for the behaviour.
#pragma once

#include <span>

#include "mapping/functions.h"

namespace cohort::mapping::builtins {

// Comparison and logic (builtins_logic.cc).
Datum Eq(std::span<Datum> a, const EvalContext& ctx);
Datum Ne(std::span<Datum> a, const EvalContext& ctx);
Datum Lt(std::span<Datum> a, const EvalContext& ctx);
Datum Le(std::span<Datum> a, const EvalContext& ctx);
Datum Gt(std::span<Datum> a, const EvalContext& ctx);
Datum Ge(std::span<Datum> a, const EvalContext& ctx);
Datum In(std::span<Datum> a, const EvalContext& ctx);
Datum Contains(std::span<Datum> a, const EvalContext& ctx);
Datum Exists(std::span<Datum> a, const EvalContext& ctx);
Datum And(std::span<Datum> a, const EvalContext& ctx);
Datum Or(std::span<Datum> a, const EvalContext& ctx);
Datum Not(std::span<Datum> a, const EvalContext& ctx);

// Whole-column functions (builtins_logic.cc).
Datum Count(std::span<Datum> a, const EvalContext& ctx);
Datum Identity(std::span<Datum> a, const EvalContext& ctx);  // sum, min, max
Datum Set(std::span<Datum> a, const EvalContext& ctx);
Datum ValueCount(std::span<Datum> a, const EvalContext& ctx);
Datum Map(std::span<Datum> a, const EvalContext& ctx);

// Text (builtins_text.cc).
Datum Email(std::span<Datum> a, const EvalContext& ctx);
Datum EmailDomainOf(std::span<Datum> a, const EvalContext& ctx);
Datum Domain(std::span<Datum> a, const EvalContext& ctx);
Datum UrlMain(std::span<Datum> a, const EvalContext& ctx);
Datum Lower(std::span<Datum> a, const EvalContext& ctx);
Datum Upper(std::span<Datum> a, const EvalContext& ctx);
Datum String(std::span<Datum> a, const EvalContext& ctx);
Datum Int(std::span<Datum> a, const EvalContext& ctx);
Datum Number(std::span<Datum> a, const EvalContext& ctx);

// Time (builtins_time.cc).
Datum EpochMs(std::span<Datum> a, const EvalContext& ctx);
Datum Now(std::span<Datum> a, const EvalContext& ctx);
Datum HourOfDayOf(std::span<Datum> a, const EvalContext& ctx);
Datum DayOfWeekOf(std::span<Datum> a, const EvalContext& ctx);
Datum ToDate(std::span<Datum> a, const EvalContext& ctx);

// Applies `fn` to a scalar, or to each member of a list (dropping empty results); maps give
// the empty datum. Lets text and time functions work on JSON arrays: set(lower(tags)).
template <typename Fn>
Datum EachScalar(const Datum& d, Fn fn) {
  if (d.is_scalar()) return d.empty() ? Datum::Empty() : Datum::Of(fn(d.scalar));
  if (d.shape != Datum::Shape::kList) return Datum::Empty();
  std::vector<Scalar> out;
  for (const Scalar& s : d.list) {
    if (s.is_null()) continue;
    Scalar r = fn(s);
    if (!r.is_null() && !(r.type == Scalar::Type::kString && r.s.empty())) {
      out.push_back(std::move(r));
    }
  }
  return Datum::List(std::move(out));
}

}  // namespace cohort::mapping::builtins
