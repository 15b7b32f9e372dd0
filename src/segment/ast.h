// The syntax tree of an audience filter (SPEC §7), as the parser builds it: names, operators
// and literals as written, with positions, nothing checked against the schema yet. The binder
// (binder.h) checks and resolves it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lang/position.h"
#include "mapping/value.h"

namespace cohort::segment {

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

// "=", "!=", "<", "<=", ">", ">=".
std::string_view CompareOpSpelling(CompareOp op);

// A literal as written. The binder decides what it means for the field it is compared with
// (a string may be text, an RFC 3339 date or date maths like "now-7d").
struct Literal {
  enum class Type : uint8_t { kString, kNumber, kBool };
  Type type = Type::kString;
  lang::Position pos;
  std::string text;       // the decoded string; a number as written (with its '-'); "true"
  mapping::Scalar value;  // String, Int (whole numbers that fit int64) or Number, Bool
};

// A field, optionally with a map key: `email`, `cio_events.email_opened`,
// `cio_hourlyopens.9`, `cio_links.example.com` (everything after the first '.' is the key).
struct FieldRef {
  std::string name;
  lang::Position pos;
  std::optional<std::string> key;
  lang::Position key_pos;
  // "cio_events.email_opened", for messages.
  std::string Display() const { return key ? name + "." + *key : name; }
};

// A word with its position: a slug (ALIAS, INCLUDE) or the entity after FROM.
struct Word {
  std::string text;
  lang::Position pos;
};

struct Phrase {
  enum class Type : uint8_t {
    kAnd,         // children
    kOr,          // children
    kNot,         // one child
    kCompare,     // field op values[0]
    kIn,          // field IN (values...)
    kIntersects,  // field INTERSECTS (values...)
    kContains,    // field CONTAINS values[0]
    kLike,        // field LIKE values[0]
    kBetween,     // field BETWEEN values[0] AND values[1]
    kExists,      // EXISTS field
    kInclude,     // INCLUDE slug
  };
  Type type = Type::kAnd;
  // The keyword (AND, NOT, EXISTS, INCLUDE, IN, LIKE, ...) or comparison operator.
  lang::Position pos;
  FieldRef field;
  CompareOp op = CompareOp::kEq;  // kCompare
  std::vector<Literal> values;
  std::vector<Phrase> children;
  Word slug;  // kInclude
};

struct FilterAst {
  Phrase phrase;
  std::optional<Word> from;   // FROM <entity>
  std::optional<Word> alias;  // ALIAS <slug>
};

}  // namespace cohort::segment
