#include "profile/render.h"

#include <cinttypes>
#include <cstdio>

namespace cohort::profile {
namespace {

// Howard Hinnant's civil_from_days: days since 1970-01-01 to a proleptic Gregorian date.
// TODO: use common/time_format.h's FormatRfc3339 once it lands; this duplicates it.
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2 ? 1 : 0);
}

bool IsTimeKind(Kind k) { return k == Kind::kDate || k == Kind::kMapTime; }

bool IsMapField(Kind k) {
  return k == Kind::kMapIntSum || k == Kind::kMapInt || k == Kind::kMapNumber ||
         k == Kind::kMapString || k == Kind::kMapTime;
}

void WriteScalar(const Scalar& s, bool as_time, JsonWriter* w) {
  switch (s.type) {
    case Scalar::Type::kNull:
      w->Null();
      break;
    case Scalar::Type::kBool:
      w->Bool(s.b);
      break;
    case Scalar::Type::kInt:
      if (as_time) {
        w->String(FormatRfc3339Ms(s.i));
      } else {
        w->Int(s.i);
      }
      break;
    case Scalar::Type::kNumber:
      w->Double(s.d);
      break;
    case Scalar::Type::kString:
      w->String(s.s);
      break;
  }
}

}  // namespace

std::string FormatRfc3339Ms(int64_t ms) {
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
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%s%04" PRId64 "-%02u-%02uT%02d:%02d:%02d",
                        year < 0 ? "-" : "", year < 0 ? -year : year, month, day,
                        static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                        static_cast<int>(secs % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (millis != 0) {
    std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(millis));
    out += buf;
  }
  out.push_back('Z');
  return out;
}

void WriteFieldValue(const FieldState& state, JsonWriter* w) {
  const bool as_time = IsTimeKind(state.kind());
  mapping::Value v = state.value();
  if (state.kind() == Kind::kStringSet) {
    w->BeginArray();  // value() lists members sorted
    for (const std::string& m : v.set) w->String(m);
    w->EndArray();
  } else if (IsMapField(state.kind())) {
    w->BeginObject();  // value() lists keys sorted
    for (const auto& [k, s] : v.map) {
      w->Key(k);
      WriteScalar(s, as_time, w);
    }
    w->EndObject();
  } else {
    WriteScalar(v.scalar, as_time, w);
  }
}

void WriteProfileFields(const Profile& profile, JsonWriter* w) {
  for (const auto& [name, state] : profile.fields()) {
    w->Key(name);
    WriteFieldValue(state, w);
  }
}

std::string RenderProfileJson(const Profile& profile) {
  JsonWriter w;
  w.BeginObject();
  WriteProfileFields(profile, &w);
  w.EndObject();
  return std::move(w).Release();
}

}  // namespace cohort::profile
