#include "mapping/event.h"

#include <charconv>
#include <limits>

namespace cohort::mapping {
namespace {

// A scalar JSON value as a Scalar; arrays and objects give null.
Scalar ScalarFromJson(const simdjson::dom::element& v) {
  switch (v.type()) {
    case simdjson::dom::element_type::STRING:
      return Scalar::String(std::string(v.get_string().value_unsafe()));
    case simdjson::dom::element_type::INT64:
      return Scalar::Int(v.get_int64().value_unsafe());
    case simdjson::dom::element_type::UINT64: {
      uint64_t u = v.get_uint64().value_unsafe();
      if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Scalar::Int(static_cast<int64_t>(u));
      }
      return Scalar::Number(static_cast<double>(u));
    }
    case simdjson::dom::element_type::DOUBLE:
      return Scalar::Number(v.get_double().value_unsafe());
    case simdjson::dom::element_type::BOOL:
      return Scalar::Bool(v.get_bool().value_unsafe());
    default:
      return Scalar::Null();
  }
}

}  // namespace

Datum DatumFromJson(const simdjson::dom::element& value) {
  switch (value.type()) {
    case simdjson::dom::element_type::ARRAY: {
      std::vector<Scalar> items;
      simdjson::dom::array array = value.get_array().value_unsafe();
      for (simdjson::dom::element item : array) {
        Scalar s = ScalarFromJson(item);
        if (!s.is_null()) items.push_back(std::move(s));
      }
      return Datum::List(std::move(items));
    }
    case simdjson::dom::element_type::OBJECT: {
      std::vector<std::pair<std::string, Scalar>> entries;
      simdjson::dom::object object = value.get_object().value_unsafe();
      for (simdjson::dom::key_value_pair kv : object) {
        Scalar s = ScalarFromJson(kv.value);
        if (!s.is_null()) entries.emplace_back(std::string(kv.key), std::move(s));
      }
      return Datum::Map(std::move(entries));
    }
    default:
      return Datum::Of(ScalarFromJson(value));
  }
}

Datum LookupField(const simdjson::dom::element& root, std::span<const std::string> path) {
  simdjson::dom::element cur = root;
  for (const std::string& key : path) {
    if (cur.type() == simdjson::dom::element_type::OBJECT) {
      simdjson::dom::object object = cur.get_object().value_unsafe();
      if (object.at_key(key).get(cur) != simdjson::SUCCESS) {
        return Datum::Empty();
      }
    } else if (cur.type() == simdjson::dom::element_type::ARRAY) {
      size_t index = 0;
      auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
      if (ec != std::errc() || end != key.data() + key.size()) return Datum::Empty();
      simdjson::dom::array array = cur.get_array().value_unsafe();
      if (array.at(index).get(cur) != simdjson::SUCCESS) {
        return Datum::Empty();
      }
    } else {
      return Datum::Empty();
    }
  }
  return DatumFromJson(cur);
}

}  // namespace cohort::mapping
