#include "profile/field_state.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <type_traits>
#include <utility>

namespace cohort::profile {
namespace {

// Local spellings for error messages. mapping/value.cc owns the canonical KindName and
// MergeOpName; these duplicate them only until that library is linked here.
std::string_view KindLabel(Kind k) {
  switch (k) {
    case Kind::kString:
      return "string";
    case Kind::kInt:
      return "int";
    case Kind::kNumber:
      return "number";
    case Kind::kBool:
      return "bool";
    case Kind::kDate:
      return "date";
    case Kind::kStringSet:
      return "[]string";
    case Kind::kMapIntSum:
      return "map[string]intsum";
    case Kind::kMapInt:
      return "map[string]int";
    case Kind::kMapNumber:
      return "map[string]number";
    case Kind::kMapString:
      return "map[string]string";
    case Kind::kMapTime:
      return "map[string]time";
  }
  return "unknown kind";
}

std::string_view OpLabel(MergeOp op) {
  switch (op) {
    case MergeOp::kDefault:
      return "default";
    case MergeOp::kLatest:
      return "latest";
    case MergeOp::kOldest:
      return "oldest";
    case MergeOp::kMax:
      return "max";
    case MergeOp::kMin:
      return "min";
    case MergeOp::kSum:
      return "sum";
    case MergeOp::kCount:
      return "count";
    case MergeOp::kUnion:
      return "union";
    case MergeOp::kMapSum:
      return "mapsum";
    case MergeOp::kMapLatest:
      return "maplatest";
    case MergeOp::kMapMax:
      return "mapmax";
    case MergeOp::kMapMin:
      return "mapmin";
  }
  return "unknown op";
}

Status Invalid(std::string_view field, std::string_view what) {
  std::string m;
  if (!field.empty()) m.append("field ").append(field).append(": ");
  m.append(what);
  return InvalidArgumentError(std::move(m));
}

std::string_view TypeLabel(Scalar::Type t) {
  switch (t) {
    case Scalar::Type::kNull:
      return "null";
    case Scalar::Type::kBool:
      return "bool";
    case Scalar::Type::kInt:
      return "int";
    case Scalar::Type::kNumber:
      return "number";
    case Scalar::Type::kString:
      return "string";
  }
  return "unknown";
}

// `s` as a canonical scalar of type `want`, widening only losslessly; nullopt if impossible.
std::optional<Scalar> Canonical(Scalar::Type want, const Scalar& s) {
  switch (want) {
    case Scalar::Type::kString:
      if (s.type == Scalar::Type::kString) return Scalar::String(s.s);
      break;
    case Scalar::Type::kBool:
      if (s.type == Scalar::Type::kBool) return Scalar::Bool(s.b);
      break;
    case Scalar::Type::kInt:
      if (s.type == Scalar::Type::kInt) return Scalar::Int(s.i);
      // Integral numbers in range: -2^63 <= d < 2^63.
      if (s.type == Scalar::Type::kNumber && std::isfinite(s.d) && std::trunc(s.d) == s.d &&
          s.d >= -9223372036854775808.0 && s.d < 9223372036854775808.0) {
        return Scalar::Int(static_cast<int64_t>(s.d));
      }
      break;
    case Scalar::Type::kNumber:
      if (s.type == Scalar::Type::kNumber && std::isfinite(s.d)) {
        return Scalar::Number(s.d == 0 ? 0.0 : s.d);  // -0 becomes 0
      }
      if (s.type == Scalar::Type::kInt) return Scalar::Number(static_cast<double>(s.i));
      break;
    case Scalar::Type::kNull:
      break;
  }
  return std::nullopt;
}

bool IsCanonical(Scalar::Type want, const Scalar& s) {
  if (s.type != want) return false;
  if (want == Scalar::Type::kNumber && s.d == 0 && std::signbit(s.d)) return false;
  std::optional<Scalar> c = Canonical(want, s);
  return c.has_value() && *c == s;
}

// Whether Canonical(want, s) == s (every member, as FieldState compares them), without
// building the copy.
bool CanonicalAsIs(Scalar::Type want, const Scalar& s) {
  if (s.type != want) return false;
  switch (want) {
    case Scalar::Type::kString:
      return !s.b && s.i == 0 && s.d == 0;
    case Scalar::Type::kInt:
      return !s.b && s.d == 0 && s.s.empty();
    case Scalar::Type::kBool:
      return s.i == 0 && s.d == 0 && s.s.empty();
    case Scalar::Type::kNumber:
      return std::isfinite(s.d) && !(s.d == 0 && std::signbit(s.d)) && !s.b && s.i == 0 &&
             s.s.empty();
    case Scalar::Type::kNull:
      return false;
  }
  return false;
}

StatusOr<Scalar> CanonicalOrError(std::string_view field, Kind kind, const Scalar& s) {
  Scalar::Type want = FieldState::ValueType(kind);
  std::optional<Scalar> c = Canonical(want, s);
  if (!c) {
    return Invalid(field, "a " + std::string(TypeLabel(s.type)) + " value does not fit kind " +
                              std::string(KindLabel(kind)) +
                              (s.type == Scalar::Type::kNumber ? " (or is not finite)" : ""));
  }
  return *c;
}

// Orders (time, value) pairs: time first, then CompareScalar.
std::strong_ordering CompareTimed(const TimedValue& a, const TimedValue& b) {
  if (auto c = a.time_ms <=> b.time_ms; c != 0) return c;
  return CompareScalar(a.value, b.value);
}

// latest keeps the greatest (time, value), oldest the least.
void MergeTimed(TimedValue* into, const TimedValue& other, bool latest) {
  auto c = CompareTimed(other, *into);
  if (latest ? c > 0 : c < 0) *into = other;
}

void MergeExtreme(Scalar* into, const Scalar& other, bool max) {
  auto c = CompareScalar(other, *into);
  if (max ? c > 0 : c < 0) *into = other;
}

int64_t WrappingAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

// Keeps the `cap` best members of a union: latest time first, then the smaller string.
//
// Why this is order independent: call K(m) = (T(m), m) a member's key, where T(m) is the latest
// time m was seen at among ALL the events merged so far, and "best" means greatest time, then
// smallest string (a strict total order, since members differ). Claim: a state built from any
// set of events by any sequence of merges holds exactly the top `cap` members by K, each with
// its T(m). Inductively, merge states of event sets E1 and E2. A member m of the true top cap of
// E1 ∪ E2 has its T(m) in, say, E1; every member ranked above m in E1 is ranked above m in
// E1 ∪ E2 as well (times only grow), so fewer than cap of them exist, so m is in E1's state with
// time T(m), and the merged entry has the right key. Any other member in either state has a
// recorded time <= its true T, so its key is below all cap correctly-keyed members of the
// true top, and truncation drops it. A dropped member that returns later with an older time
// is dropped again for the same reason.
void TruncateUnion(SetUnion* set) {
  if (set->members.size() <= set->cap) return;
  using Entry = std::pair<int64_t, const std::string*>;
  std::vector<Entry> all;
  all.reserve(set->members.size());
  for (const auto& [member, time] : set->members) all.emplace_back(time, &member);
  auto better = [](const Entry& a, const Entry& b) {
    if (a.first != b.first) return a.first > b.first;
    return *a.second < *b.second;
  };
  std::nth_element(all.begin(), all.begin() + set->cap, all.end(), better);
  std::vector<std::string> drop;
  for (auto it = all.begin() + set->cap; it != all.end(); ++it) drop.push_back(*it->second);
  for (const std::string& m : drop) set->members.erase(m);
}

// A latest-event set keeps its `cap` smallest strings (all members share the event time).
void TruncateSorted(std::vector<std::string>* members, uint32_t cap) {
  if (members->size() > cap) members->resize(cap);
}

}  // namespace

std::strong_ordering CompareScalar(const Scalar& a, const Scalar& b) {
  if (auto c = a.type <=> b.type; c != 0) return c;
  switch (a.type) {
    case Scalar::Type::kNull:
      return std::strong_ordering::equal;
    case Scalar::Type::kBool:
      return a.b <=> b.b;
    case Scalar::Type::kInt:
      return a.i <=> b.i;
    case Scalar::Type::kNumber:
      // IEEE total order; for the canonical (finite, no -0) numbers stored here it is the
      // numeric order.
      return std::strong_order(a.d, b.d);
    case Scalar::Type::kString:
      return a.s.compare(b.s) <=> 0;
  }
  return std::strong_ordering::equal;
}

MergeOp FieldState::DefaultOp(Kind kind) { return mapping::DefaultMergeOp(kind); }

std::optional<MergeOp> FieldState::ResolveOp(Kind kind, MergeOp op) {
  if (op == MergeOp::kDefault) op = DefaultOp(kind);
  if (op == MergeOp::kDefault || !EmptyRep(kind, op)) return std::nullopt;
  return op;
}

std::optional<FieldRep> FieldState::EmptyRep(Kind kind, MergeOp op) {
  switch (kind) {
    case Kind::kString:
    case Kind::kInt:
    case Kind::kNumber:
    case Kind::kBool:
    case Kind::kDate:
      if (op == MergeOp::kLatest || op == MergeOp::kOldest) return TimedValue{};
      if (kind == Kind::kBool) return std::nullopt;
      if (op == MergeOp::kMax || op == MergeOp::kMin) return ExtremeValue{};
      if (kind != Kind::kInt && kind != Kind::kNumber) return std::nullopt;
      if (op == MergeOp::kCount) return UpdateCount{};
      if (op == MergeOp::kSum) {
        if (kind == Kind::kInt) return IntSum{};
        return NumberSum{};
      }
      return std::nullopt;
    case Kind::kStringSet:
      if (op == MergeOp::kUnion) return SetUnion{};
      if (op == MergeOp::kLatest) return SetLatest{};
      return std::nullopt;
    case Kind::kMapIntSum:
      if (op == MergeOp::kMapSum) return MapSum{};
      return std::nullopt;
    case Kind::kMapInt:
    case Kind::kMapNumber:
    case Kind::kMapString:
      if (op == MergeOp::kMapLatest) return MapLatest{};
      [[fallthrough]];
    case Kind::kMapTime:
      if (op == MergeOp::kMapMax || op == MergeOp::kMapMin) return MapExtreme{};
      return std::nullopt;
  }
  return std::nullopt;
}

Scalar::Type FieldState::ValueType(Kind kind) {
  switch (kind) {
    case Kind::kString:
    case Kind::kStringSet:
    case Kind::kMapString:
      return Scalar::Type::kString;
    case Kind::kInt:
    case Kind::kDate:
    case Kind::kMapIntSum:
    case Kind::kMapInt:
    case Kind::kMapTime:
      return Scalar::Type::kInt;
    case Kind::kNumber:
    case Kind::kMapNumber:
      return Scalar::Type::kNumber;
    case Kind::kBool:
      return Scalar::Type::kBool;
  }
  return Scalar::Type::kNull;
}

StatusOr<FieldState> FieldState::FromUpdate(const mapping::FieldUpdate& u,
                                            const FieldOptions& options) {
  const std::string& f = u.field;
  std::optional<MergeOp> op = ResolveOp(u.kind, u.op);
  if (!op) {
    return Invalid(f, "merge op " + std::string(OpLabel(u.op)) + " is not allowed for kind " +
                          std::string(KindLabel(u.kind)));
  }
  if (u.value.empty()) return Invalid(f, "empty value (an empty value updates nothing)");
  if (options.set_cap == 0) return Invalid(f, "set cap must be at least 1");
  FieldRep rep = *EmptyRep(u.kind, *op);
  const int64_t t = u.event_time_ms;
  const bool is_map = std::holds_alternative<MapSum>(rep) ||
                      std::holds_alternative<MapLatest>(rep) ||
                      std::holds_alternative<MapExtreme>(rep);
  const bool is_set =
      std::holds_alternative<SetUnion>(rep) || std::holds_alternative<SetLatest>(rep);
  if (is_map && (u.value.map.empty() || !u.value.set.empty() || !u.value.scalar.is_null())) {
    return Invalid(f, "kind " + std::string(KindLabel(u.kind)) + " needs a map value");
  }
  if (is_set && (u.value.set.empty() || !u.value.map.empty() || !u.value.scalar.is_null())) {
    return Invalid(f, "kind []string needs a set value");
  }
  if (!is_map && !is_set &&
      (u.value.scalar.is_null() || !u.value.set.empty() || !u.value.map.empty())) {
    return Invalid(f, "kind " + std::string(KindLabel(u.kind)) + " needs a single value");
  }

  Status st;
  std::visit(
      [&](auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, TimedValue>) {
          auto v = CanonicalOrError(f, u.kind, u.value.scalar);
          if (!v.ok()) return void(st = v.status());
          r = TimedValue{t, *std::move(v)};
        } else if constexpr (std::is_same_v<T, ExtremeValue>) {
          auto v = CanonicalOrError(f, u.kind, u.value.scalar);
          if (!v.ok()) return void(st = v.status());
          r.value = *std::move(v);
        } else if constexpr (std::is_same_v<T, IntSum>) {
          auto v = CanonicalOrError(f, u.kind, u.value.scalar);
          if (!v.ok()) return void(st = v.status());
          r.sum = v->i;
        } else if constexpr (std::is_same_v<T, UpdateCount>) {
          r.count = 1;  // the value itself does not matter
        } else if constexpr (std::is_same_v<T, NumberSum>) {
          auto v = CanonicalOrError(f, u.kind, u.value.scalar);
          if (!v.ok()) return void(st = v.status());
          r.sum.Add(v->d);
        } else if constexpr (std::is_same_v<T, SetUnion>) {
          r.cap = options.set_cap;
          for (const std::string& m : u.value.set) r.members.emplace(m, t);
          TruncateUnion(&r);
        } else if constexpr (std::is_same_v<T, SetLatest>) {
          r.cap = options.set_cap;
          r.time_ms = t;
          r.members = u.value.set;
          std::sort(r.members.begin(), r.members.end());
          r.members.erase(std::unique(r.members.begin(), r.members.end()), r.members.end());
          TruncateSorted(&r.members, r.cap);
        } else {
          // Maps: each entry is a singleton state, merged in, so repeated keys within one
          // update combine exactly as if they came from separate updates.
          for (const auto& [key, raw] : u.value.map) {
            auto v = CanonicalOrError(f, u.kind, raw);
            if (!v.ok()) return void(st = v.status().WithContext("key \"" + key + "\""));
            if constexpr (std::is_same_v<T, MapSum>) {
              r.sums[key] = WrappingAdd(r.sums[key], v->i);
            } else if constexpr (std::is_same_v<T, MapLatest>) {
              TimedValue tv{t, *std::move(v)};
              auto [it, inserted] = r.entries.emplace(key, tv);
              if (!inserted) MergeTimed(&it->second, tv, /*latest=*/true);
            } else {
              auto [it, inserted] = r.entries.emplace(key, *v);
              if (!inserted) MergeExtreme(&it->second, *v, *op == MergeOp::kMapMax);
            }
          }
        }
      },
      rep);
  if (!st.ok()) return st;
  return FieldState(u.kind, *op, std::move(rep));
}

StatusOr<FieldState> FieldState::FromRep(Kind kind, MergeOp op, FieldRep rep) {
  std::optional<FieldRep> shape = EmptyRep(kind, op);
  if (!shape) {
    return Invalid("", "merge op " + std::string(OpLabel(op)) + " is not allowed for kind " +
                           std::string(KindLabel(kind)));
  }
  if (shape->index() != rep.index()) return Invalid("", "state does not match kind and op");
  const Scalar::Type want = ValueType(kind);
  bool ok = std::visit(
      [&](const auto& r) -> bool {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, TimedValue> || std::is_same_v<T, ExtremeValue>) {
          return IsCanonical(want, r.value);
        } else if constexpr (std::is_same_v<T, UpdateCount>) {
          return r.count >= 1;
        } else if constexpr (std::is_same_v<T, IntSum> || std::is_same_v<T, NumberSum>) {
          return true;
        } else if constexpr (std::is_same_v<T, SetUnion>) {
          return r.cap >= 1 && !r.members.empty() && r.members.size() <= r.cap;
        } else if constexpr (std::is_same_v<T, SetLatest>) {
          return r.cap >= 1 && !r.members.empty() && r.members.size() <= r.cap &&
                 std::adjacent_find(r.members.begin(), r.members.end(), std::greater_equal<>()) ==
                     r.members.end();
        } else if constexpr (std::is_same_v<T, MapSum>) {
          return !r.sums.empty();
        } else if constexpr (std::is_same_v<T, MapLatest>) {
          if (r.entries.empty()) return false;
          for (const auto& [k, tv] : r.entries) {
            if (!IsCanonical(want, tv.value)) return false;
          }
          return true;
        } else {
          if (r.entries.empty()) return false;
          for (const auto& [k, v] : r.entries) {
            if (!IsCanonical(want, v)) return false;
          }
          return true;
        }
      },
      rep);
  if (!ok) return Invalid("", "state breaks an invariant of its kind");
  return FieldState(kind, op, std::move(rep));
}

Status FieldState::Merge(const FieldState& other) {
  if (kind_ != other.kind_ || op_ != other.op_) {
    return FailedPreconditionError("cannot merge a " + std::string(KindLabel(other.kind_)) + " " +
                                   std::string(OpLabel(other.op_)) + " state into a " +
                                   std::string(KindLabel(kind_)) + " " + std::string(OpLabel(op_)) +
                                   " state; rebuild profiles after changing a kind");
  }
  const bool high = op_ == MergeOp::kLatest || op_ == MergeOp::kMax || op_ == MergeOp::kMapMax;
  std::visit(
      [&](auto& r) {
        using T = std::decay_t<decltype(r)>;
        const T& o = std::get<T>(other.rep_);
        if constexpr (std::is_same_v<T, TimedValue>) {
          MergeTimed(&r, o, high);
        } else if constexpr (std::is_same_v<T, ExtremeValue>) {
          MergeExtreme(&r.value, o.value, high);
        } else if constexpr (std::is_same_v<T, IntSum>) {
          r.sum = WrappingAdd(r.sum, o.sum);
        } else if constexpr (std::is_same_v<T, UpdateCount>) {
          r.count += o.count;
        } else if constexpr (std::is_same_v<T, NumberSum>) {
          r.sum.Merge(o.sum);
        } else if constexpr (std::is_same_v<T, SetUnion>) {
          r.cap = std::min(r.cap, o.cap);  // see TruncateUnion; min keeps it associative
          for (const auto& [m, t] : o.members) {
            auto [it, inserted] = r.members.emplace(m, t);
            if (!inserted) it->second = std::max(it->second, t);
          }
          TruncateUnion(&r);
        } else if constexpr (std::is_same_v<T, SetLatest>) {
          // With different caps, both sides are cut to the smaller one before comparing;
          // cutting keeps a prefix, and prefixes preserve the lexicographic order, so the
          // result is still the greatest (time, set) over all events, cut to the least cap.
          r.cap = std::min(r.cap, o.cap);
          TruncateSorted(&r.members, r.cap);
          std::vector<std::string> theirs(
              o.members.begin(), o.members.begin() + std::min<size_t>(o.members.size(), r.cap));
          if (std::tie(o.time_ms, theirs) > std::tie(r.time_ms, r.members)) {
            r.time_ms = o.time_ms;
            r.members = std::move(theirs);
          }
        } else if constexpr (std::is_same_v<T, MapSum>) {
          for (const auto& [k, v] : o.sums) r.sums[k] = WrappingAdd(r.sums[k], v);
        } else if constexpr (std::is_same_v<T, MapLatest>) {
          for (const auto& [k, tv] : o.entries) {
            auto [it, inserted] = r.entries.emplace(k, tv);
            if (!inserted) MergeTimed(&it->second, tv, /*latest=*/true);
          }
        } else {
          for (const auto& [k, v] : o.entries) {
            auto [it, inserted] = r.entries.emplace(k, v);
            if (!inserted) MergeExtreme(&it->second, v, high);
          }
        }
      },
      rep_);
  return Status::Ok();
}

bool FieldState::AddInPlace(const mapping::FieldUpdate& u, const FieldOptions& options) {
  if (u.kind != kind_) return false;
  if (u.op != op_ && !(u.op == MergeOp::kDefault && DefaultOp(kind_) == op_)) return false;
  if (options.set_cap == 0) return false;
  const mapping::Value& v = u.value;
  const int64_t t = u.event_time_ms;
  const bool high = op_ == MergeOp::kLatest || op_ == MergeOp::kMax || op_ == MergeOp::kMapMax;
  const Scalar::Type want = ValueType(kind_);
  const bool single = !v.scalar.is_null() && v.set.empty() && v.map.empty();
  const bool set = v.scalar.is_null() && !v.set.empty() && v.map.empty();
  const bool map = v.scalar.is_null() && v.set.empty() && !v.map.empty();
  // Each case below is FromUpdate's state for `u` merged in by Merge's rule for that rep,
  // written without the temporary.
  return std::visit(
      [&](auto& r) -> bool {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, TimedValue>) {
          if (!single) return false;
          std::optional<Scalar> c;
          if (!CanonicalAsIs(want, v.scalar)) {  // else compared and copied as it is
            c = Canonical(want, v.scalar);
            if (!c) return false;
          }
          const Scalar& value = c ? *c : v.scalar;
          auto cmp = t != r.time_ms ? t <=> r.time_ms : CompareScalar(value, r.value);
          if (high ? cmp > 0 : cmp < 0) {
            r.time_ms = t;
            r.value = value;
          }
          return true;
        } else if constexpr (std::is_same_v<T, ExtremeValue>) {
          if (!single) return false;
          std::optional<Scalar> c;
          if (!CanonicalAsIs(want, v.scalar)) {
            c = Canonical(want, v.scalar);
            if (!c) return false;
          }
          const Scalar& value = c ? *c : v.scalar;
          if (auto cmp = CompareScalar(value, r.value); high ? cmp > 0 : cmp < 0) {
            r.value = value;
          }
          return true;
        } else if constexpr (std::is_same_v<T, IntSum>) {
          if (!single) return false;
          std::optional<Scalar> c = Canonical(want, v.scalar);
          if (!c) return false;
          r.sum = WrappingAdd(r.sum, c->i);
          return true;
        } else if constexpr (std::is_same_v<T, UpdateCount>) {
          if (!single) return false;
          ++r.count;
          return true;
        } else if constexpr (std::is_same_v<T, SetUnion>) {
          // FromUpdate keeps every member (all at time t) when there are at most set_cap.
          if (!set || v.set.size() > options.set_cap) return false;
          r.cap = std::min(r.cap, options.set_cap);
          for (const std::string& m : v.set) {
            auto it = r.members.lower_bound(m);  // no node is built for a known member
            if (it != r.members.end() && it->first == m) {
              it->second = std::max(it->second, t);
            } else {
              r.members.emplace_hint(it, m, t);
            }
          }
          TruncateUnion(&r);
          return true;
        } else if constexpr (std::is_same_v<T, MapSum> || std::is_same_v<T, MapLatest> ||
                             std::is_same_v<T, MapExtreme>) {
          if (!map) return false;
          for (const auto& [key, raw] : v.map) {
            if (!Canonical(want, raw)) return false;  // checked first: all or nothing
          }
          for (const auto& [key, raw] : v.map) {
            Scalar c = *Canonical(want, raw);
            if constexpr (std::is_same_v<T, MapSum>) {
              int64_t& sum = r.sums[key];
              sum = WrappingAdd(sum, c.i);
            } else if constexpr (std::is_same_v<T, MapLatest>) {
              TimedValue tv{t, std::move(c)};
              auto it = r.entries.find(key);
              if (it == r.entries.end()) {
                r.entries.emplace(key, std::move(tv));
              } else {
                MergeTimed(&it->second, tv, /*latest=*/true);
              }
            } else {
              auto it = r.entries.find(key);
              if (it == r.entries.end()) {
                r.entries.emplace(key, std::move(c));
              } else {
                MergeExtreme(&it->second, c, high);
              }
            }
          }
          return true;
        } else {
          return false;  // NumberSum, SetLatest: FromUpdate + Merge
        }
      },
      rep_);
}

mapping::Value FieldState::value() const {
  mapping::Value out;
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, TimedValue> || std::is_same_v<T, ExtremeValue>) {
          out.scalar = r.value;
        } else if constexpr (std::is_same_v<T, IntSum>) {
          out.scalar = Scalar::Int(r.sum);
        } else if constexpr (std::is_same_v<T, UpdateCount>) {
          out.scalar = Scalar::Int(static_cast<int64_t>(r.count));
        } else if constexpr (std::is_same_v<T, NumberSum>) {
          out.scalar = Scalar::Number(r.sum.ToDouble());
        } else if constexpr (std::is_same_v<T, SetUnion>) {
          for (const auto& [m, t] : r.members) out.set.push_back(m);
        } else if constexpr (std::is_same_v<T, SetLatest>) {
          out.set = r.members;
        } else if constexpr (std::is_same_v<T, MapSum>) {
          for (const auto& [k, v] : r.sums) out.map.emplace_back(k, Scalar::Int(v));
        } else if constexpr (std::is_same_v<T, MapLatest>) {
          for (const auto& [k, tv] : r.entries) out.map.emplace_back(k, tv.value);
        } else {
          for (const auto& [k, v] : r.entries) out.map.emplace_back(k, v);
        }
      },
      rep_);
  return out;
}

}  // namespace cohort::profile
