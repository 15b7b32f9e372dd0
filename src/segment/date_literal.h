// Date literals of the audience language (SPEC §7): what a string or number means when it is
// compared with a `date` field (or a `map[string]time` key).
//
//   "2024-06-01T14:00:12Z", "2024-06-01T16:00:12+02:00", "2024-06-01"   an instant (RFC 3339;
//                                                         a bare date is midnight UTC)
//   1717250412000                                          Unix milliseconds (never seconds)
//   "now", "now-7d", "now+1h", "NOW - 90 m"                date maths: now plus or minus a
//                                                         whole number of units
//
// Units (case-sensitive, since m and M differ): s second, m minute, h hour, d day (24 h),
// w week (7 d), M month = 30 days, y year = 365 days. Months and years are fixed lengths on
// purpose: a window like "now-1M" is then always the same length, so a profile's exit time
// is simply its date plus the window, and an exit is never moved by a calendar. "now" is
// resolved when the filter is evaluated (the now_ms given to Matches). Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace cohort::segment {

// The largest offset date maths may give: 10,000 years of 365 days.
inline constexpr int64_t kMaxDateOffsetMs = 10'000LL * 365 * 86'400'000;

// The length of one date-maths unit in ms, or nullopt if `unit` is not one.
std::optional<int64_t> DateUnitMs(char unit);

// A date operand: an instant, or an offset from the evaluation's now.
struct DateOperand {
  bool relative = false;
  int64_t ms = 0;  // the instant (ms since the epoch), or the offset from now (ms)
  bool operator==(const DateOperand&) const = default;
};

// The meaning of a string literal compared with a date, or a message saying what is wrong
// and what to write instead.
std::variant<DateOperand, std::string> ParseDateString(std::string_view text);

}  // namespace cohort::segment
