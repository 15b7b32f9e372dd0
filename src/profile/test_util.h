// Test helpers for the profile tests: update builders and a random event generator. Header
// only, for *_test.cc files.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "mapping/value.h"
#include "profile/field_state.h"

namespace cohort::profile::testing {

inline mapping::FieldUpdate Update(std::string field, Kind kind, MergeOp op, Scalar v,
                                   int64_t time_ms) {
  mapping::FieldUpdate u;
  u.field = std::move(field);
  u.kind = kind;
  u.op = op;
  u.value.scalar = std::move(v);
  u.event_time_ms = time_ms;
  return u;
}

inline mapping::FieldUpdate SetUpdate(std::string field, MergeOp op,
                                      std::vector<std::string> members, int64_t time_ms) {
  mapping::FieldUpdate u;
  u.field = std::move(field);
  u.kind = Kind::kStringSet;
  u.op = op;
  u.value.set = std::move(members);
  u.event_time_ms = time_ms;
  return u;
}

inline mapping::FieldUpdate MapUpdate(std::string field, Kind kind, MergeOp op,
                                      std::vector<std::pair<std::string, Scalar>> entries,
                                      int64_t time_ms) {
  mapping::FieldUpdate u;
  u.field = std::move(field);
  u.kind = kind;
  u.op = op;
  u.value.map = std::move(entries);
  u.event_time_ms = time_ms;
  return u;
}

// Every (kind, op) pair SPEC §5.3 allows, with ops resolved.
inline std::vector<std::pair<Kind, MergeOp>> AllKindOps() {
  std::vector<std::pair<Kind, MergeOp>> out;
  for (int k = 1; k <= 11; ++k) {
    for (int o = 1; o <= 11; ++o) {
      auto kind = static_cast<Kind>(k);
      auto op = static_cast<MergeOp>(o);
      if (FieldState::EmptyRep(kind, op)) out.emplace_back(kind, op);
    }
  }
  return out;
}

// A random field layout and random events over it, with small pools of times and values so
// that ties are frequent.
class RandomEvents {
 public:
  struct Field {
    std::string name;
    Kind kind;
    MergeOp op;
    FieldOptions options;
  };
  // One event: the updates it produces (all with the same event time).
  using Event = std::vector<mapping::FieldUpdate>;

  explicit RandomEvents(uint64_t seed) : rng_(seed) {}

  std::mt19937_64& rng() { return rng_; }

  std::vector<Field> Fields(int n) {
    static const auto kAll = AllKindOps();
    std::vector<Field> out;
    for (int i = 0; i < n; ++i) {
      auto [kind, op] = kAll[rng_() % kAll.size()];
      FieldOptions opt;
      opt.set_cap = 1 + static_cast<uint32_t>(rng_() % 4);  // small, to exercise dropping
      out.push_back({"f" + std::to_string(i), kind, op, opt});
    }
    return out;
  }

  Event MakeEvent(const std::vector<Field>& fields) {
    Event e;
    int64_t time = static_cast<int64_t>(rng_() % 5) - 1;  // includes a negative time
    for (const Field& f : fields) {
      if (rng_() % 3 == 0) continue;
      mapping::FieldUpdate u;
      u.field = f.name;
      u.kind = f.kind;
      u.op = rng_() % 4 == 0 && f.op == FieldState::DefaultOp(f.kind) ? MergeOp::kDefault : f.op;
      u.event_time_ms = time;
      if (f.kind == Kind::kStringSet) {
        for (int i = 0, n = 1 + static_cast<int>(rng_() % 4); i < n; ++i) {
          u.value.set.push_back(Str());
        }
      } else if (f.kind >= Kind::kMapIntSum) {
        for (int i = 0, n = 1 + static_cast<int>(rng_() % 3); i < n; ++i) {
          u.value.map.emplace_back(Key(), ValueOf(FieldState::ValueType(f.kind)));
        }
      } else {
        u.value.scalar = ValueOf(FieldState::ValueType(f.kind));
      }
      e.push_back(std::move(u));
    }
    return e;
  }

  Scalar ValueOf(Scalar::Type t) {
    static const double kNumbers[] = {0.1, 0.2, 0.3, -0.0, 1e16, -1e16, 2.5, 1e308, 5e-324};
    switch (t) {
      case Scalar::Type::kBool:
        return Scalar::Bool(rng_() % 2 == 0);
      case Scalar::Type::kInt: {
        static const int64_t kInts[] = {0, 1, -1, 7, INT64_MAX, INT64_MIN, 1'600'000'000'000};
        return Scalar::Int(kInts[rng_() % 7]);
      }
      case Scalar::Type::kNumber:
        // Sometimes an int, which a number field widens.
        if (rng_() % 5 == 0) return Scalar::Int(static_cast<int64_t>(rng_() % 3));
        return Scalar::Number(kNumbers[rng_() % 9]);
      case Scalar::Type::kString:
        return Scalar::String(Str());
      case Scalar::Type::kNull:
        break;
    }
    return Scalar::Null();
  }

 private:
  std::string Str() {
    static const char* kStrings[] = {"", "a", "b", "ab", "B", "é", "zz"};
    return kStrings[rng_() % 7];
  }
  std::string Key() {
    static const char* kKeys[] = {"k1", "k2", "k3", ""};
    return kKeys[rng_() % 4];
  }

  std::mt19937_64 rng_;
};

}  // namespace cohort::profile::testing
