// Datum: what an expression of the mapping language evaluates to at run time. Most
// expressions give a scalar; an event field may also hold a JSON array (a list) or object (a
// map), and set(), valuect() and map() build lists and maps. The empty datum (a null scalar,
// or an empty string, list or map) is what a missing field gives and what updates nothing.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "mapping/value.h"

namespace cohort::mapping {

struct Datum {
  enum class Shape : uint8_t { kScalar, kList, kMap };
  Shape shape = Shape::kScalar;
  Scalar scalar;                                    // kScalar
  std::vector<Scalar> list;                         // kList
  std::vector<std::pair<std::string, Scalar>> map;  // kMap

  static Datum Of(Scalar s) {
    Datum d;
    d.scalar = std::move(s);
    return d;
  }
  static Datum Empty() { return {}; }
  static Datum List(std::vector<Scalar> items) {
    Datum d;
    d.shape = Shape::kList;
    d.list = std::move(items);
    return d;
  }
  static Datum Map(std::vector<std::pair<std::string, Scalar>> entries) {
    Datum d;
    d.shape = Shape::kMap;
    d.map = std::move(entries);
    return d;
  }

  bool is_scalar() const { return shape == Shape::kScalar; }
  // Null, "", an empty list or an empty map.
  bool empty() const {
    switch (shape) {
      case Shape::kScalar:
        return scalar.is_null() || (scalar.type == Scalar::Type::kString && scalar.s.empty());
      case Shape::kList:
        return list.empty();
      case Shape::kMap:
        return map.empty();
    }
    return true;
  }
};

}  // namespace cohort::mapping
