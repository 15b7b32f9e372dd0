// Time functions of the mapping language: parsing instants (SPEC §3.3 rules, shared by
// todate() and KIND date) and UTC calendar fields (hourofday(), dayofweek()). All instants are
// milliseconds since the Unix epoch, UTC. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "mapping/value.h"

namespace cohort::mapping {

// Numbers below this magnitude are seconds, others milliseconds: 1e11 seconds is the year
// 5138, 1e11 ms is 1973-03-03.
inline constexpr double kSecondsMagnitudeLimit = 1e11;

// An instant from a number (seconds or milliseconds by magnitude; fractions of a second kept
// to the millisecond), a numeric string (same rule), or an RFC 3339 string
// ("2024-06-01T14:00:12Z", "2024-06-01T16:00:12.250+02:00"; 't'/'z' and a space for 'T'
// accepted; no offset means UTC; a bare date "2024-06-01" is midnight UTC). Anything else,
// including bools and out-of-range values, gives nothing.
std::optional<int64_t> ParseTimeMs(const Scalar& s);
std::optional<int64_t> ParseTimeTextMs(std::string_view text);

// Milliseconds since the epoch of a UTC civil date-time; no range checks.
int64_t CivilToMs(int64_t year, int month, int day, int hour, int minute, int second, int ms);

// UTC hour of day 0..23.
int HourOfDay(int64_t ms);
// UTC day of week 0..6, 0 = Sunday.
int DayOfWeek(int64_t ms);

}  // namespace cohort::mapping
