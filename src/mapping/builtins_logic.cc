// Comparison, logic and whole-column functions. Comparisons follow docs/mapping.md,
// "Comparisons": numbers compare as numbers (a numeric string against a number too), other
// values as text; an empty side makes the result empty.
#include <optional>

#include "mapping/builtins.h"
#include "mapping/convert.h"

namespace cohort::mapping::builtins {
namespace {

bool IsNumberType(const Scalar& s) {
  return s.type == Scalar::Type::kInt || s.type == Scalar::Type::kNumber;
}

// The scalar as an Int or Number, if it is a number or a numeric string.
std::optional<Scalar> AsNumeric(const Scalar& s) {
  if (IsNumberType(s)) return s;
  if (s.type == Scalar::Type::kString) return ParseNumericText(s.s);
  return std::nullopt;
}

template <typename T>
int Order(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// -1, 0 or 1; nullopt when a side is empty or not a scalar.
std::optional<int> Compare(const Scalar& x, const Scalar& y) {
  if (x.is_null() || y.is_null()) return std::nullopt;
  if (IsNumberType(x) || IsNumberType(y)) {
    std::optional<Scalar> nx = AsNumeric(x), ny = AsNumeric(y);
    if (nx && ny) {
      if (nx->type == Scalar::Type::kInt && ny->type == Scalar::Type::kInt) {
        return Order(nx->i, ny->i);
      }
      return Order(*ToNumber(*nx), *ToNumber(*ny));
    }
  }
  if (x.type == Scalar::Type::kBool && y.type == Scalar::Type::kBool) return Order(x.b, y.b);
  return Order(ScalarText(x), ScalarText(y));
}

std::optional<int> Compare(const Datum& a, const Datum& b) {
  if (a.empty() || b.empty() || !a.is_scalar() || !b.is_scalar()) return std::nullopt;
  return Compare(a.scalar, b.scalar);
}

template <typename Pred>
Datum CompareWith(std::span<Datum> a, Pred pred) {
  std::optional<int> c = Compare(a[0], a[1]);
  if (!c) return Datum::Empty();
  return Datum::Of(Scalar::Bool(pred(*c)));
}

}  // namespace

Datum Eq(std::span<Datum> a, const EvalContext&) {
  return CompareWith(a, [](int c) { return c == 0; });
}
Datum Ne(std::span<Datum> a, const EvalContext&) {
  return CompareWith(a, [](int c) { return c != 0; });
}
Datum Lt(std::span<Datum> a, const EvalContext&) {
  return CompareWith(a, [](int c) { return c < 0; });
}
Datum Le(std::span<Datum> a, const EvalContext&) {
  return CompareWith(a, [](int c) { return c <= 0; });
}
Datum Gt(std::span<Datum> a, const EvalContext&) {
  return CompareWith(a, [](int c) { return c > 0; });
}
Datum Ge(std::span<Datum> a, const EvalContext&) {
  return CompareWith(a, [](int c) { return c >= 0; });
}

Datum In(std::span<Datum> a, const EvalContext&) {
  if (a[0].empty() || !a[0].is_scalar()) return Datum::Empty();
  for (size_t k = 1; k < a.size(); ++k) {
    if (Compare(a[0], a[k]) == 0) return Datum::Of(Scalar::Bool(true));
  }
  return Datum::Of(Scalar::Bool(false));
}

Datum Contains(std::span<Datum> a, const EvalContext&) {
  const Datum& hay = a[0];
  const Datum& needle = a[1];
  if (hay.empty() || needle.empty() || !needle.is_scalar()) return Datum::Empty();
  bool found = false;
  switch (hay.shape) {
    case Datum::Shape::kScalar:
      found = ScalarText(hay.scalar).find(ScalarText(needle.scalar)) != std::string::npos;
      break;
    case Datum::Shape::kList:
      for (const Scalar& s : hay.list) found = found || Compare(s, needle.scalar) == 0;
      break;
    case Datum::Shape::kMap: {
      std::string key = ScalarText(needle.scalar);
      for (const auto& e : hay.map) found = found || e.first == key;
      break;
    }
  }
  return Datum::Of(Scalar::Bool(found));
}

Datum Exists(std::span<Datum> a, const EvalContext&) {
  return Datum::Of(Scalar::Bool(!a[0].empty()));
}

// Three-valued (Kleene) logic: empty is "unknown".
Datum And(std::span<Datum> a, const EvalContext&) {
  std::optional<bool> x = Truth(a[0]), y = Truth(a[1]);
  if (x == false || y == false) return Datum::Of(Scalar::Bool(false));
  if (x == true && y == true) return Datum::Of(Scalar::Bool(true));
  return Datum::Empty();
}

Datum Or(std::span<Datum> a, const EvalContext&) {
  std::optional<bool> x = Truth(a[0]), y = Truth(a[1]);
  if (x == true || y == true) return Datum::Of(Scalar::Bool(true));
  if (x == false && y == false) return Datum::Of(Scalar::Bool(false));
  return Datum::Empty();
}

Datum Not(std::span<Datum> a, const EvalContext&) {
  std::optional<bool> x = Truth(a[0]);
  if (!x) return Datum::Empty();
  return Datum::Of(Scalar::Bool(!*x));
}

Datum Count(std::span<Datum>, const EvalContext&) { return Datum::Of(Scalar::Int(1)); }

Datum Identity(std::span<Datum> a, const EvalContext&) { return std::move(a[0]); }

Datum Set(std::span<Datum> a, const EvalContext&) {
  Datum& x = a[0];
  if (x.empty()) return Datum::Empty();
  if (x.shape == Datum::Shape::kList) return std::move(x);
  if (x.is_scalar()) return Datum::List({std::move(x.scalar)});
  return Datum::Empty();
}

// The counting itself is ToValue's, for map[string]intsum (the only kind valuect() allows):
// a scalar counts {x: 1}, a list each member. An object is not a value to count.
Datum ValueCount(std::span<Datum> a, const EvalContext&) {
  if (a[0].shape == Datum::Shape::kMap) return Datum::Empty();
  return std::move(a[0]);
}

Datum Map(std::span<Datum> a, const EvalContext&) {
  if (a[0].empty() || a[1].empty() || !a[0].is_scalar() || !a[1].is_scalar()) {
    return Datum::Empty();
  }
  std::string key = ScalarText(a[0].scalar);
  std::vector<std::pair<std::string, Scalar>> entries;
  entries.emplace_back(std::move(key), std::move(a[1].scalar));
  return Datum::Map(std::move(entries));
}

}  // namespace cohort::mapping::builtins
