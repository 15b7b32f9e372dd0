// Compiler of the mapping language: a bound statement → a Plan of closures, one per
// expression node, ready to run on events. The Plan is immutable after compilation and its
// closures keep no state, so one Plan may evaluate events on many threads at once.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mapping/binder.h"
#include "mapping/datum.h"
#include "mapping/functions.h"

namespace cohort::mapping {

using ExprFn = std::function<Datum(const EvalContext&)>;

struct PlanColumn {
  std::string name;
  Kind kind = Kind::kString;
  MergeOp op = MergeOp::kLatest;
  bool value_is_ms = false;
  bool identity = false;  // a BY field
  ExprFn value;
  ExprFn guard;  // empty: no IF
};

struct Plan {
  std::vector<PlanColumn> columns;
  std::vector<size_t> identity_columns;  // BY order
  ExprFn where;                          // empty: no WHERE
};

Plan CompilePlan(const BoundStatement& st);

}  // namespace cohort::mapping
