// Values, field kinds and merge ops shared by the mapping language (which produces field
// updates) and the profile store (which merges them). SPEC §5.3.
//
// Kind and MergeOp are persisted (in installed queries and encoded profiles): fixed width,
// append-only — do not renumber.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cohort::mapping {

enum class Kind : uint8_t {
  kString = 1,
  kInt = 2,
  kNumber = 3,
  kBool = 4,
  kDate = 5,        // instant, milliseconds since the epoch
  kStringSet = 6,   // []string
  kMapIntSum = 7,   // map[string]intsum
  kMapInt = 8,      // map[string]int
  kMapNumber = 9,   // map[string]number
  kMapString = 10,  // map[string]string
  kMapTime = 11,    // map[string]time
};

enum class MergeOp : uint8_t {
  kDefault = 0,  // the kind's default (resolved by DefaultMergeOp)
  kLatest = 1,
  kOldest = 2,
  kMax = 3,
  kMin = 4,
  kSum = 5,
  kCount = 6,
  kUnion = 7,      // []string default
  kMapSum = 8,     // map[string]intsum default: per-key sum
  kMapLatest = 9,  // map default: per-key latest
  kMapMax = 10,
  kMapMin = 11,
};

// Spelling in the language and in the API ("string", "[]string", "map[string]intsum", ...).
std::string_view KindName(Kind k);
std::optional<Kind> ParseKind(std::string_view s);
std::string_view MergeOpName(MergeOp op);
std::optional<MergeOp> ParseMergeOp(std::string_view s);
// The default merge op of a kind (SPEC §5.3 table).
MergeOp DefaultMergeOp(Kind k);
// Whether `op` is allowed for kind `k` (kDefault is always allowed).
bool MergeOpAllowed(Kind k, MergeOp op);
bool IsMapKind(Kind k);

// A scalar: what one expression evaluates to, and what a map holds per key.
struct Scalar {
  enum class Type : uint8_t { kNull = 0, kBool = 1, kInt = 2, kNumber = 3, kString = 4 };
  Type type = Type::kNull;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string s;

  static Scalar Null() { return {}; }
  static Scalar Bool(bool v) {
    Scalar x;
    x.type = Type::kBool;
    x.b = v;
    return x;
  }
  static Scalar Int(int64_t v) {
    Scalar x;
    x.type = Type::kInt;
    x.i = v;
    return x;
  }
  static Scalar Number(double v) {
    Scalar x;
    x.type = Type::kNumber;
    x.d = v;
    return x;
  }
  static Scalar String(std::string v) {
    Scalar x;
    x.type = Type::kString;
    x.s = std::move(v);
    return x;
  }
  bool is_null() const { return type == Type::kNull; }
  bool operator==(const Scalar&) const = default;
};

// The value an update carries for one field.
//  - scalar kinds: `scalar`;
//  - []string: `set` (one or more members);
//  - map kinds: `map` (key → scalar; for intsum the increments, for time the instants in ms).
struct Value {
  Scalar scalar;
  std::vector<std::string> set;
  std::vector<std::pair<std::string, Scalar>> map;
  bool empty() const { return scalar.is_null() && set.empty() && map.empty(); }
  bool operator==(const Value&) const = default;
};

// One field update produced by evaluating a query on one event.
struct FieldUpdate {
  std::string field;
  Kind kind = Kind::kString;
  MergeOp op = MergeOp::kDefault;  // resolved: never kDefault once compiled
  Value value;
  int64_t event_time_ms = 0;  // used by latest/oldest and set recency
  bool operator==(const FieldUpdate&) const = default;
};

}  // namespace cohort::mapping
