// Binder of the audience language: checks a parsed filter against a Schema and resolves it
// (DuckDB's "bind" step). Every field must exist; every operator must fit the field's kind
// and every literal the value it is compared with (docs/audiences.md, "Operators by kind");
// string literals compared with dates become instants or offsets from now; INCLUDE inlines
// the named audience's filter (bound the same way), rejecting unknown slugs and cycles.
// Errors carry the line and column of what is wrong. Pure function of its inputs (the
// schema's segment_text is called on this thread); thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lang/error.h"
#include "mapping/value.h"
#include "segment/ast.h"
#include "segment/schema.h"

namespace cohort::segment {

// Bounds on what INCLUDE can build, against stack exhaustion and blow-up: the depth of the
// bound tree, and its size counting an audience included several times once per inclusion.
inline constexpr int kMaxBoundHeight = 256;
inline constexpr uint64_t kMaxBoundWeight = 100'000;

// What an atom reads from a profile field.
enum class Target : uint8_t {
  kValue,     // the value of a string, int, number, bool or date field
  kKeyValue,  // the value at one key of a map field (`cio_events.email_opened`)
  kMembers,   // the members of a []string field
  kKeys,      // the keys of a map field (the map named without a key)
};

// How values and operands compare.
enum class ValueKind : uint8_t {
  kString,  // text, bytewise; also []string members and map keys
  kNumber,  // int and number, numerically
  kBool,
  kDate,  // instants in ms; operands may be relative to now
};

// One operand, typed for its atom's ValueKind: String (text, member, key, LIKE pattern),
// Int or Number, Bool, or Int ms for dates (an instant, or with `relative` an offset from the
// evaluation's now).
struct Operand {
  mapping::Scalar value;
  bool relative = false;
  lang::Position pos;
};

struct BoundNode {
  enum class Op : uint8_t {
    kAnd,      // all children
    kOr,       // any child
    kNot,      // not children[0]
    kInclude,  // children[0], the included audience's filter; `slug` names it
    // Atoms. A missing field (or key) makes every atom false, kNe included.
    kCompare,   // kValue/kKeyValue: value `cmp` operands[0]. kMembers: kEq has the member,
                // kNe has members but not that one (only kEq/kNe are bound on sets).
    kIn,        // IN and INTERSECTS. kValue/kKeyValue: equals any operand.
                // kMembers/kKeys: some member/key equals some operand.
    kContains,  // kValue (string): contains operands[0] as a substring.
                // kMembers/kKeys: has the member/key operands[0].
    kLike,      // kValue/kKeyValue (string): matches the pattern operands[0].
                // kMembers: some member matches.
    kBetween,   // operands[0] <= value <= operands[1]
    kExists,    // the field (or key) has a value
  };
  Op op = Op::kAnd;
  lang::Position pos;
  std::vector<std::shared_ptr<const BoundNode>> children;
  std::string slug;  // kInclude

  // Atoms only.
  std::string field;
  std::optional<std::string> key;  // kKeyValue
  mapping::Kind field_kind = mapping::Kind::kString;
  Target target = Target::kValue;
  ValueKind value_kind = ValueKind::kString;
  CompareOp cmp = CompareOp::kEq;  // kCompare
  std::vector<Operand> operands;

  int height = 1;       // of the tree below and including this node
  uint64_t weight = 1;  // nodes below and including this one, shared subtrees counted per use
};

struct BoundFilter {
  std::shared_ptr<const BoundNode> root;  // subtrees of an audience included twice are shared
  std::string alias;                      // ALIAS, "" if none
  std::set<std::string> fields;           // top-level fields read, through INCLUDE too
  std::set<std::string> includes;         // audiences included, directly or not
  bool time_relative = false;             // some date operand is relative to now
};

// `self_slug` is the slug the filter is saved under, if not given by its ALIAS ("" for an
// ad-hoc filter): an INCLUDE of it, directly or through other audiences, is a cycle.
lang::Result<BoundFilter> Bind(const FilterAst& ast, const Schema& schema,
                               std::string_view self_slug = {});

// Whether `slug` is a valid audience slug: [a-z0-9_-], 1 to 64 bytes.
bool IsValidSlug(std::string_view slug);

}  // namespace cohort::segment
