// Binder of the mapping language: checks a parsed statement and resolves it (DuckDB's
// "bind" step). It resolves function names and arity, the static type of every expression,
// each column's output name, KIND (given or inferred) and MERGEOP (given, fixed by the
// function, or the kind's default), and checks FROM/INTO/ALIAS names and the BY fields.
// Errors carry the line and column of what is wrong (docs/mapping.md, "Errors").
// Pure function; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lang/error.h"
#include "mapping/ast.h"
#include "mapping/functions.h"
#include "mapping/value.h"

namespace cohort::mapping {

struct BoundExpr {
  Expr::Type node = Expr::Type::kLiteral;
  ExprType type = ExprType::kAny;
  lang::Position pos;
  Scalar literal;                   // kLiteral
  std::vector<std::string> path;    // kField
  const FunctionDef* fn = nullptr;  // kCall
  std::vector<BoundExpr> args;      // kCall
};

struct BoundColumn {
  std::string name;  // the user field it updates
  Kind kind = Kind::kString;
  MergeOp op = MergeOp::kLatest;  // resolved, never kDefault
  std::string shortdesc;
  std::string longdesc;
  std::string source;  // the column's text as written
  BoundExpr expr;
  std::optional<BoundExpr> guard;  // IF
  // The value is already milliseconds (for date and map[string]time kinds): no seconds/ms guess.
  bool value_is_ms = false;
};

struct BoundStatement {
  std::string from;
  std::string into;
  std::string alias;
  std::vector<std::string> by;
  std::vector<size_t> by_columns;  // index in `columns` of each BY field
  std::vector<BoundColumn> columns;
  std::optional<BoundExpr> where;
};

// `text` is the statement `ast` was parsed from (for each column's source text).
lang::Result<BoundStatement> Bind(const StatementAst& ast, std::string_view text);

// Whether `name` is a valid output field name: [A-Za-z_][A-Za-z0-9_]*, at most 128 bytes.
bool IsValidFieldName(std::string_view name);
// Whether `name` is a valid stream or alias name: [a-z0-9_]{1,64}.
bool IsValidStreamName(std::string_view name);

}  // namespace cohort::mapping
