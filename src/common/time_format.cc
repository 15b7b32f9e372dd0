#include "common/time_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace cohort {

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

namespace {

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

std::string FormatRfc3339(int64_t ms) {
  constexpr int64_t kMsPerDay = 86'400'000;
  int64_t days = ms / kMsPerDay, rem = ms % kMsPerDay;
  if (rem < 0) {  // floor division, so times before the epoch work
    rem += kMsPerDay;
    --days;
  }
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, &year, &month, &day);
  const int64_t millis = rem % 1000, secs = rem / 1000;
  // Years outside 0000-9999 (which RFC 3339 cannot express) get as many digits as they need,
  // and a '-' before year 0.
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%s%04lld-%02u-%02uT%02d:%02d:%02d",
                        year < 0 ? "-" : "", static_cast<long long>(year < 0 ? -year : year),
                        month, day, static_cast<int>(secs / 3600),
                        static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (millis != 0) {
    std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(millis));
    out += buf;
  }
  out += 'Z';
  return out;
}

std::optional<int64_t> ParseRfc3339(std::string_view t) {
  int y, mo, d;
  if (!Digits(t, 0, 4, &y) || t.size() < 10 || t[4] != '-' || !Digits(t, 5, 2, &mo) ||
      t[7] != '-' || !Digits(t, 8, 2, &d)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  int64_t days = DaysFromCivil(y, mo, d);
  if (t.size() == 10) return days * 86400000;
  if (t[10] != 'T' && t[10] != 't' && t[10] != ' ') return std::nullopt;
  int h, mi, s;
  if (!Digits(t, 11, 2, &h) || t.size() < 19 || t[13] != ':' || !Digits(t, 14, 2, &mi) ||
      t[16] != ':' || !Digits(t, 17, 2, &s)) {
    return std::nullopt;
  }
  if (h > 23 || mi > 59 || s > 60) return std::nullopt;
  size_t pos = 19;
  int64_t milli = 0;
  if (pos < t.size() && t[pos] == '.') {
    ++pos;
    int scale = 100, n = 0;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      milli += (t[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++n;
    }
    if (n == 0) return std::nullopt;
  }
  int64_t offset_min = 0;
  if (pos >= t.size()) return std::nullopt;
  if (t[pos] == 'Z' || t[pos] == 'z') {
    ++pos;
  } else if (t[pos] == '+' || t[pos] == '-') {
    int oh, om;
    if (!Digits(t, pos + 1, 2, &oh) || pos + 3 >= t.size() || t[pos + 3] != ':' ||
        !Digits(t, pos + 4, 2, &om)) {
      return std::nullopt;
    }
    offset_min = (oh * 60 + om) * (t[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != t.size()) return std::nullopt;
  return ((days * 24 + h) * 60 + mi - offset_min) * 60000 + s * 1000 + milli;
}

std::optional<int64_t> EpochNumberToMs(double v) {
  if (!std::isfinite(v)) return std::nullopt;
  double ms = std::fabs(v) < 1e11 ? v * 1000.0 : v;
  if (std::fabs(ms) > 8.64e15) return std::nullopt;  // ±275,000 years: not a timestamp
  return static_cast<int64_t>(std::llround(ms));
}

std::optional<int64_t> ParseTimestampText(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  double v;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc() && p == text.data() + text.size()) return EpochNumberToMs(v);
  return ParseRfc3339(text);
}

}  // namespace cohort
