#include "segment/date_literal.h"

#include <cctype>

#include "common/time_format.h"
#include "lang/text.h"

namespace cohort::segment {
namespace {

constexpr std::string_view kDateHint =
    "write an RFC 3339 date (\"2024-06-01T14:00:00Z\" or \"2024-06-01\"), Unix milliseconds, "
    "or date maths like \"now-7d\" (units s m h d w M y)";

void SkipSpaces(std::string_view* s) {
  while (!s->empty() && (s->front() == ' ' || s->front() == '\t')) s->remove_prefix(1);
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  out.append(s).append("\"");
  return out;
}

}  // namespace

std::optional<int64_t> DateUnitMs(char unit) {
  constexpr int64_t kDay = 86'400'000;
  switch (unit) {
    case 's':
      return 1'000;
    case 'm':
      return 60'000;
    case 'h':
      return 3'600'000;
    case 'd':
      return kDay;
    case 'w':
      return 7 * kDay;
    case 'M':
      return 30 * kDay;
    case 'y':
      return 365 * kDay;
    default:
      return std::nullopt;
  }
}

std::variant<DateOperand, std::string> ParseDateString(std::string_view text) {
  std::string_view s = lang::TrimSpace(text);
  if (s.size() < 3 || !lang::EqualsIgnoreCase(s.substr(0, 3), "now")) {
    if (std::optional<int64_t> ms = ParseRfc3339(s)) return DateOperand{false, *ms};
    return Quote(text) + " is not a date; " + std::string(kDateHint);
  }
  s.remove_prefix(3);
  SkipSpaces(&s);
  if (s.empty()) return DateOperand{true, 0};
  const std::string bad = "bad date maths " + Quote(text) + "; ";
  char sign = s.front();
  if (sign != '+' && sign != '-') {
    return bad + "write now, now-<N><unit> or now+<N><unit>, e.g. \"now-7d\"";
  }
  s.remove_prefix(1);
  SkipSpaces(&s);
  int64_t n = 0;
  size_t digits = 0;
  while (!s.empty() && std::isdigit(static_cast<unsigned char>(s.front()))) {
    if (n > kMaxDateOffsetMs) return bad + "the offset is too large (at most 10000y)";
    n = n * 10 + (s.front() - '0');
    s.remove_prefix(1);
    ++digits;
  }
  if (digits == 0)
    return bad + "write a whole number after " + std::string(1, sign) + ", e.g. now-7d";
  SkipSpaces(&s);
  if (s.empty()) return bad + "add a unit after the number: s m h d w M y";
  std::optional<int64_t> unit = DateUnitMs(s.front());
  if (!unit || s.size() != 1) {
    return bad + "unknown unit " + Quote(s) +
           "; units are s m h d w M y (m is minutes, M is months of 30 days)";
  }
  if (n > kMaxDateOffsetMs / *unit) return bad + "the offset is too large (at most 10000y)";
  int64_t offset = n * *unit;
  return DateOperand{true, sign == '-' ? -offset : offset};
}

}  // namespace cohort::segment
