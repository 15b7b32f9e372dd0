// RFC 3339 instants and the event-time heuristics shared by ingest (SPEC §3.3), the mapping
// language (todate) and rendering (SPEC §2.5). All instants are ms since the Unix epoch, UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cohort {

// "2020-03-26T19:16:39Z", or with ".120" milliseconds only when they are non-zero.
std::string FormatRfc3339(int64_t ms);

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)" (also a space for 'T', lowercase 't'/'z',
// and a bare date "YYYY-MM-DD" as midnight UTC). std::nullopt if it is not such a string.
std::optional<int64_t> ParseRfc3339(std::string_view text);

// Interprets a number of seconds or milliseconds since the epoch: values with magnitude below
// 1e11 are seconds (1e11 s is the year 5138; 1e11 ms is 1973), others milliseconds.
// Fractions of a second are kept to the millisecond. std::nullopt if out of range or NaN.
std::optional<int64_t> EpochNumberToMs(double value);

// A timestamp given as text: a decimal number (seconds or ms, as above) or RFC 3339.
std::optional<int64_t> ParseTimestampText(std::string_view text);

// Civil-from-days helpers (Howard Hinnant's algorithms), days since 1970-01-01.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

}  // namespace cohort
