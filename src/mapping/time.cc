#include "mapping/time.h"

#include <cctype>
#include <cmath>

#include "lang/text.h"
#include "mapping/convert.h"

namespace cohort::mapping {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;
// Instants beyond ±1e16 ms (about year 318,000) are treated as garbage.
constexpr double kMaxAbsMs = 1e16;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

std::optional<int64_t> FromMagnitude(double v) {
  if (!std::isfinite(v)) return std::nullopt;
  double ms = std::fabs(v) < kSecondsMagnitudeLimit ? v * 1000.0 : v;
  if (std::fabs(ms) >= kMaxAbsMs) return std::nullopt;
  return static_cast<int64_t>(std::llround(ms));
}

std::optional<int64_t> FromMagnitude(int64_t v) {
  if (v > -static_cast<int64_t>(kSecondsMagnitudeLimit) &&
      v < static_cast<int64_t>(kSecondsMagnitudeLimit)) {
    return v * 1000;
  }
  if (static_cast<double>(v) >= kMaxAbsMs || static_cast<double>(v) <= -kMaxAbsMs) {
    return std::nullopt;
  }
  return v;
}

// Reads exactly `n` digits at s[*i].
bool Digits(std::string_view s, size_t* i, int n, int* out) {
  if (*i + n > s.size()) return false;
  int v = 0;
  for (int k = 0; k < n; ++k) {
    char c = s[*i + k];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  *i += n;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* i, char c) {
  if (*i >= s.size() || s[*i] != c) return false;
  ++*i;
  return true;
}

std::optional<int64_t> ParseRfc3339(std::string_view s) {
  size_t i = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, ms = 0;
  if (!Digits(s, &i, 4, &year) || !Expect(s, &i, '-') || !Digits(s, &i, 2, &month) ||
      !Expect(s, &i, '-') || !Digits(s, &i, 2, &day)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return std::nullopt;
  int64_t offset_min = 0;
  if (i < s.size()) {
    char t = s[i];
    if (t != 'T' && t != 't' && t != ' ') return std::nullopt;
    ++i;
    if (!Digits(s, &i, 2, &hour) || !Expect(s, &i, ':') || !Digits(s, &i, 2, &minute)) {
      return std::nullopt;
    }
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!Digits(s, &i, 2, &second)) return std::nullopt;
      if (i < s.size() && s[i] == '.') {
        ++i;
        size_t start = i;
        int scale = 100;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
          ms += (s[i] - '0') * scale;
          scale /= 10;
          ++i;
        }
        if (i == start) return std::nullopt;
      }
    }
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
    if (i < s.size()) {
      char z = s[i];
      if (z == 'Z' || z == 'z') {
        ++i;
      } else if (z == '+' || z == '-') {
        ++i;
        int oh, om;
        if (!Digits(s, &i, 2, &oh)) return std::nullopt;
        if (i < s.size() && s[i] == ':') ++i;
        if (!Digits(s, &i, 2, &om) || oh > 23 || om > 59) return std::nullopt;
        offset_min = (oh * 60 + om) * (z == '-' ? -1 : 1);
      } else {
        return std::nullopt;
      }
    }
    if (i != s.size()) return std::nullopt;
  }
  return CivilToMs(year, month, day, hour, minute, second, ms) - offset_min * 60'000;
}

}  // namespace

int64_t CivilToMs(int64_t year, int month, int day, int hour, int minute, int second, int ms) {
  return DaysFromCivil(year, month, day) * kMsPerDay +
         ((hour * 60 + minute) * 60 + second) * int64_t{1000} + ms;
}

std::optional<int64_t> ParseTimeTextMs(std::string_view text) {
  std::string_view s = lang::TrimSpace(text);
  if (s.empty()) return std::nullopt;
  if (std::optional<Scalar> n = ParseNumericText(s)) return ParseTimeMs(*n);
  return ParseRfc3339(s);
}

std::optional<int64_t> ParseTimeMs(const Scalar& s) {
  switch (s.type) {
    case Scalar::Type::kInt:
      return FromMagnitude(s.i);
    case Scalar::Type::kNumber:
      return FromMagnitude(s.d);
    case Scalar::Type::kString:
      return ParseTimeTextMs(s.s);
    default:
      return std::nullopt;
  }
}

int HourOfDay(int64_t ms) {
  int64_t in_day = ms - FloorDiv(ms, kMsPerDay) * kMsPerDay;
  return static_cast<int>(in_day / 3'600'000);
}

int DayOfWeek(int64_t ms) {
  // 1970-01-01 was a Thursday (4).
  int64_t days = FloorDiv(ms, kMsPerDay);
  return static_cast<int>(((days % 7) + 7 + 4) % 7);
}

}  // namespace cohort::mapping
