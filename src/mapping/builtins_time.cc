// Time functions: epochms(), now(), hourofday(), dayofweek(), todate(). Instants are
// milliseconds since the epoch; calendar fields are UTC.
#include <string>

#include "mapping/builtins.h"
#include "mapping/time.h"

namespace cohort::mapping::builtins {
namespace {

// fn(ms) of the event time with no argument, else of each instant the argument reads as.
template <typename Fn>
Datum OfTime(std::span<Datum> a, const EvalContext& ctx, Fn fn) {
  if (a.empty()) return Datum::Of(fn(ctx.event_time_ms));
  return EachScalar(a[0], [&](const Scalar& s) {
    std::optional<int64_t> ms = ParseTimeMs(s);
    return ms ? fn(*ms) : Scalar::Null();
  });
}

}  // namespace

Datum EpochMs(std::span<Datum>, const EvalContext& ctx) {
  return Datum::Of(Scalar::Int(ctx.event_time_ms));
}

Datum Now(std::span<Datum>, const EvalContext& ctx) { return Datum::Of(Scalar::Int(ctx.now_ms)); }

Datum HourOfDayOf(std::span<Datum> a, const EvalContext& ctx) {
  return OfTime(a, ctx, [](int64_t ms) { return Scalar::String(std::to_string(HourOfDay(ms))); });
}

Datum DayOfWeekOf(std::span<Datum> a, const EvalContext& ctx) {
  return OfTime(a, ctx, [](int64_t ms) { return Scalar::String(std::to_string(DayOfWeek(ms))); });
}

Datum ToDate(std::span<Datum> a, const EvalContext& ctx) {
  return OfTime(a, ctx, [](int64_t ms) { return Scalar::Int(ms); });
}

}  // namespace cohort::mapping::builtins
