// The syntax tree of a mapping statement (SPEC §5.1), as the parser builds it: names and
// words as written, with positions, nothing resolved yet. The binder checks and resolves it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "lang/position.h"
#include "mapping/value.h"

namespace cohort::mapping {

// An expression. Operators are calls too: `a = b` is the call "eq"(a, b), `NOT x` is
// "not"(x), `a AND b` is "and"(a, b), `x IN (a, b)` is "in"(x, a, b).
struct Expr {
  enum class Type : uint8_t { kLiteral, kField, kCall };
  Type type = Type::kLiteral;
  lang::Position pos;             // literal or field start; function name; operator
  Scalar literal;                 // kLiteral
  std::vector<std::string> path;  // kField: keys from the event's root
  std::string name;               // kCall: function or operator, ASCII-lowercased
  std::string spelling;           // kCall: as written ("Lower", "=", "AND"), for messages
  bool is_operator = false;       // kCall: written as an operator
  std::vector<Expr> args;         // kCall
  size_t begin = 0, end = 0;      // byte range in the statement text
  int height = 1;                 // of the tree below and including this node
};

// A word of the statement (a name, a kind, a description), with where it was written.
struct Word {
  std::string text;
  lang::Position pos;
  bool quoted = false;  // back-quoted identifier or string
};

struct ColumnAst {
  Expr expr;
  std::optional<Word> as;
  std::optional<Expr> guard;  // IF
  std::optional<Word> shortdesc;
  std::optional<Word> longdesc;
  std::optional<Word> kind;     // as written: "[]string", "map[string]intsum", ...
  std::optional<Word> mergeop;  // as written
  size_t begin = 0, end = 0;    // byte range of the whole column in the statement text
};

struct StatementAst {
  std::vector<ColumnAst> columns;
  Word from;
  Word into;
  std::vector<Word> by;
  std::optional<Expr> where;
  Word alias;
};

}  // namespace cohort::mapping
