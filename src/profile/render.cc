#include "profile/render.h"

#include "common/time_format.h"

#include <cinttypes>
#include <cstdio>

namespace cohort::profile {
namespace {

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
        w->String(FormatRfc3339(s.i));
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
