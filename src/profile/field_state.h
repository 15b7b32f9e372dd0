// FieldState: the merge state of one profile field, for every kind × merge op of SPEC §5.3.
//
// A profile must be a function of the SET of its events (SPEC §5.5). So every state here is
// built from one update (FromUpdate) and combined only with Merge, which is commutative and
// associative: building a field from events in any order, or from any split of the events
// into profiles that are merged later (an identity merge), gives an identical state. The
// per-op arguments are in docs/profile.md; the short version:
//   - latest/oldest keep (event time, value) and pick the greatest/least pair, so ties on time
//     are decided by the value (CompareScalar), never by arrival;
//   - max/min pick by CompareScalar; union/map ops work per member/key;
//   - sum/count add integers (number sums exactly, see exact_sum.h).
// latest, oldest, max, min, union and the map ops other than intsum are also idempotent.
// sum, count and map[string]intsum are not: they rely on duplicates being dropped upstream by
// event id (SPEC §2.2) before an event reaches a profile.
//
// Values are canonical per kind (see FieldState::ValueType): FromUpdate only widens losslessly
// (int → number, integral number → int); converting text is the mapping language's job
// (int(), number(), todate(), ...). Numbers are finite, and -0 is stored as 0.
//
// Value types; thread-compatible.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"
#include "mapping/value.h"
#include "profile/exact_sum.h"

namespace cohort::profile {

using mapping::Kind;
using mapping::MergeOp;
using mapping::Scalar;

struct FieldOptions {
  // Most members a []string field keeps; beyond it the member seen least recently by event
  // time is dropped (ties: the greater string is dropped). Must be at least 1. Default: 1000.
  uint32_t set_cap = 1000;
};

// A total order over scalars: by type (null < bool < int < number < string), then by value
// (false < true; ints and numbers numerically; strings bytewise, as unsigned bytes). It calls
// two scalars equal only when they are equal, which is what makes ties order independent.
std::strong_ordering CompareScalar(const Scalar& a, const Scalar& b);

// The states, one per shape. Members are public so that the codec (encoding.cc) and readers
// can see them; FieldState::FromRep checks the invariants written next to each.

// latest/oldest of string, int, number, bool, date.
struct TimedValue {
  int64_t time_ms = 0;
  Scalar value;  // of FieldState::ValueType(kind)
  bool operator==(const TimedValue&) const = default;
};
// max/min of string, int, number, date.
struct ExtremeValue {
  Scalar value;
  bool operator==(const ExtremeValue&) const = default;
};
// sum of int: wraps modulo 2^64 on overflow, which keeps addition associative.
struct IntSum {
  int64_t sum = 0;
  bool operator==(const IntSum&) const = default;
};
// count of int or number: the number of updates.
struct UpdateCount {
  uint64_t count = 0;
  bool operator==(const UpdateCount&) const = default;
};
// sum of number.
struct NumberSum {
  ExactSum sum;
  bool operator==(const NumberSum&) const = default;
};
// []string union: member → latest event time it was seen at. 1 <= size <= cap.
struct SetUnion {
  uint32_t cap = 1000;
  std::map<std::string, int64_t> members;
  bool operator==(const SetUnion&) const = default;
};
// []string latest: the set of the latest event. members sorted, unique, 1 <= size <= cap.
struct SetLatest {
  uint32_t cap = 1000;
  int64_t time_ms = 0;
  std::vector<std::string> members;
  bool operator==(const SetLatest&) const = default;
};
// map[string]intsum: key → sum (wrapping like IntSum). Not empty.
struct MapSum {
  std::map<std::string, int64_t> sums;
  bool operator==(const MapSum&) const = default;
};
// map[string]int|number|string, per-key latest. Not empty.
struct MapLatest {
  std::map<std::string, TimedValue> entries;
  bool operator==(const MapLatest&) const = default;
};
// map[string]int|number|string|time, per-key max or min. Not empty.
struct MapExtreme {
  std::map<std::string, Scalar> entries;
  bool operator==(const MapExtreme&) const = default;
};

using FieldRep = std::variant<TimedValue, ExtremeValue, IntSum, UpdateCount, NumberSum, SetUnion,
                              SetLatest, MapSum, MapLatest, MapExtreme>;

class FieldState {
 public:
  // The state of one field after one update. `update.op` may be kDefault (resolved to the
  // kind's default). Errors (InvalidArgument, naming the field): an empty value (callers skip
  // those, SPEC §5.2), a merge op the kind does not allow, a value of the wrong shape or type,
  // a non-finite number, options.set_cap == 0.
  static StatusOr<FieldState> FromUpdate(const mapping::FieldUpdate& update,
                                         const FieldOptions& options = {});

  // A state from its parts, checking every invariant (used by the decoder). `op` must be
  // resolved. InvalidArgument if anything does not hold.
  static StatusOr<FieldState> FromRep(Kind kind, MergeOp op, FieldRep rep);

  // The default-constructed rep of (kind, op), or nullopt if `op` (resolved, not kDefault) is
  // not allowed for `kind`. The decoder uses it to learn which shape to read.
  static std::optional<FieldRep> EmptyRep(Kind kind, MergeOp op);
  // The scalar type values of `kind` are stored as (per key for maps; kString for []string).
  static Scalar::Type ValueType(Kind kind);
  // The kind's default merge op, and op with kDefault resolved (nullopt if not allowed).
  static MergeOp DefaultOp(Kind kind);
  static std::optional<MergeOp> ResolveOp(Kind kind, MergeOp op);

  Kind kind() const { return kind_; }
  MergeOp op() const { return op_; }  // resolved, never kDefault
  const FieldRep& rep() const { return rep_; }

  // Combines `other` into this state: used for every update and for identity merges.
  // Commutative and associative (see the header comment). FailedPrecondition, leaving this
  // unchanged, if kind or op differ.
  [[nodiscard]] Status Merge(const FieldState& other);

  // Merges one update into this state in place, with exactly the result of
  // Merge(*FromUpdate(update, options)) but without building the temporary state. Returns
  // false, changing nothing, when it does not handle the update (another kind or op, a value
  // FromUpdate would refuse, a shape it leaves to FromUpdate + Merge); callers then take that
  // path, which also reports any error.
  bool AddInPlace(const mapping::FieldUpdate& update, const FieldOptions& options);

  // The current value: `scalar` for scalar kinds (sums and counts as Int, number sums as
  // Number), `set` sorted for []string, `map` sorted by key for maps (time values as Int ms).
  mapping::Value value() const;

  bool operator==(const FieldState&) const = default;

 private:
  FieldState(Kind kind, MergeOp op, FieldRep rep) : kind_(kind), op_(op), rep_(std::move(rep)) {}

  Kind kind_;
  MergeOp op_;
  FieldRep rep_;
};

}  // namespace cohort::profile
