#include "mapping/convert.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "lang/text.h"
#include "mapping/time.h"

namespace cohort::mapping {
namespace {

// 2^63 as a double: the first value that does not fit an int64.
constexpr double kTwo63 = 9223372036854775808.0;

std::optional<int64_t> DoubleToInt(double d) {
  if (!std::isfinite(d)) return std::nullopt;
  double t = std::trunc(d);
  if (t >= kTwo63 || t < -kTwo63) return std::nullopt;
  return static_cast<int64_t>(t);
}

// The map-value kind of a map kind: what each entry's value converts to.
Kind MapValueKind(Kind k) {
  switch (k) {
    case Kind::kMapIntSum:
    case Kind::kMapInt:
      return Kind::kInt;
    case Kind::kMapNumber:
      return Kind::kNumber;
    case Kind::kMapTime:
      return Kind::kDate;
    default:
      return Kind::kString;
  }
}

void AddCount(std::vector<std::pair<std::string, Scalar>>* map, std::string key, int64_t n) {
  if (key.empty()) return;
  for (auto& [k, v] : *map) {
    if (k == key) {
      v.i += n;
      return;
    }
  }
  map->emplace_back(std::move(key), Scalar::Int(n));
}

}  // namespace

std::string FormatNumber(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  if (ec != std::errc()) return "";
  return std::string(buf, end);
}

std::string ScalarText(const Scalar& s) {
  switch (s.type) {
    case Scalar::Type::kNull:
      return "";
    case Scalar::Type::kBool:
      return s.b ? "true" : "false";
    case Scalar::Type::kInt:
      return std::to_string(s.i);
    case Scalar::Type::kNumber:
      return FormatNumber(s.d);
    case Scalar::Type::kString:
      return s.s;
  }
  return "";
}

std::optional<Scalar> ParseNumericText(std::string_view text) {
  std::string_view s = lang::TrimSpace(text);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  const char* end = s.data() + s.size();
  int64_t i = 0;
  auto ri = std::from_chars(s.data(), end, i);
  if (ri.ec == std::errc() && ri.ptr == end) return Scalar::Int(i);
  double d = 0;
  auto rd = std::from_chars(s.data(), end, d);
  if (rd.ec == std::errc() && rd.ptr == end && std::isfinite(d)) return Scalar::Number(d);
  return std::nullopt;
}

std::optional<int64_t> ToInt(const Scalar& s) {
  switch (s.type) {
    case Scalar::Type::kBool:
      return s.b ? 1 : 0;
    case Scalar::Type::kInt:
      return s.i;
    case Scalar::Type::kNumber:
      return DoubleToInt(s.d);
    case Scalar::Type::kString:
      if (std::optional<Scalar> n = ParseNumericText(s.s)) return ToInt(*n);
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

std::optional<double> ToNumber(const Scalar& s) {
  switch (s.type) {
    case Scalar::Type::kBool:
      return s.b ? 1.0 : 0.0;
    case Scalar::Type::kInt:
      return static_cast<double>(s.i);
    case Scalar::Type::kNumber:
      return s.d;
    case Scalar::Type::kString:
      if (std::optional<Scalar> n = ParseNumericText(s.s)) return ToNumber(*n);
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

std::optional<bool> ToBool(const Scalar& s) {
  switch (s.type) {
    case Scalar::Type::kBool:
      return s.b;
    case Scalar::Type::kInt:
      return s.i != 0;
    case Scalar::Type::kNumber:
      return s.d != 0;
    case Scalar::Type::kString: {
      std::string_view t = lang::TrimSpace(s.s);
      if (lang::EqualsIgnoreCase(t, "true") || t == "1") return true;
      if (lang::EqualsIgnoreCase(t, "false") || t == "0") return false;
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

Scalar ToKindScalar(const Scalar& s, Kind kind, bool is_ms) {
  if (s.is_null()) return Scalar::Null();
  switch (kind) {
    case Kind::kString: {
      std::string t = ScalarText(s);
      return t.empty() ? Scalar::Null() : Scalar::String(std::move(t));
    }
    case Kind::kInt:
      if (auto v = ToInt(s)) return Scalar::Int(*v);
      return Scalar::Null();
    case Kind::kNumber:
      if (auto v = ToNumber(s)) return Scalar::Number(*v);
      return Scalar::Null();
    case Kind::kBool:
      if (auto v = ToBool(s)) return Scalar::Bool(*v);
      return Scalar::Null();
    case Kind::kDate:
      if (is_ms && s.type == Scalar::Type::kInt) return s;
      if (s.type == Scalar::Type::kBool) return Scalar::Null();
      if (auto v = ParseTimeMs(s)) return Scalar::Int(*v);
      return Scalar::Null();
    default:
      return Scalar::Null();
  }
}

Value ToValue(const Datum& d, Kind kind, MergeOp op, bool is_ms) {
  Value out;
  if (d.empty()) return out;
  if (op == MergeOp::kCount) {
    out.scalar = kind == Kind::kNumber ? Scalar::Number(1) : Scalar::Int(1);
    return out;
  }
  switch (kind) {
    case Kind::kString:
    case Kind::kInt:
    case Kind::kNumber:
    case Kind::kBool:
    case Kind::kDate:
      if (d.is_scalar()) out.scalar = ToKindScalar(d.scalar, kind, is_ms);
      return out;
    case Kind::kStringSet: {
      auto add = [&](const Scalar& s) {
        std::string t = ScalarText(s);
        if (!t.empty() && std::find(out.set.begin(), out.set.end(), t) == out.set.end()) {
          out.set.push_back(std::move(t));
        }
      };
      if (d.is_scalar()) add(d.scalar);
      for (const Scalar& s : d.list) add(s);
      return out;
    }
    case Kind::kMapIntSum:
      if (d.is_scalar()) AddCount(&out.map, ScalarText(d.scalar), 1);
      for (const Scalar& s : d.list) AddCount(&out.map, ScalarText(s), 1);
      for (const auto& [k, v] : d.map) {
        if (auto n = ToInt(v)) AddCount(&out.map, k, *n);
      }
      return out;
    case Kind::kMapInt:
    case Kind::kMapNumber:
    case Kind::kMapString:
    case Kind::kMapTime: {
      Kind vk = MapValueKind(kind);
      for (const auto& [k, v] : d.map) {
        if (k.empty()) continue;
        bool seen = std::any_of(out.map.begin(), out.map.end(),
                                [&](const auto& e) { return e.first == k; });
        if (seen) continue;
        Scalar c = ToKindScalar(v, vk, is_ms);
        if (!c.is_null()) out.map.emplace_back(k, std::move(c));
      }
      return out;
    }
  }
  return out;
}

}  // namespace cohort::mapping
