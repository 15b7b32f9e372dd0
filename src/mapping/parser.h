// Parser of the mapping language (SPEC §5.1–5.2): statement text → StatementAst. Checks only
// the grammar (docs/mapping.md, "Grammar"); names, kinds and types are the binder's. Errors
// carry the line and column of the offending token. Pure function; thread-safe.
#pragma once

#include <string_view>

#include "lang/error.h"
#include "mapping/ast.h"

namespace cohort::mapping {

lang::Result<StatementAst> Parse(std::string_view text);

// Whether `word` is a keyword of the mapping language (SELECT, FROM, AS, AND, ...), ignoring
// case. A field with such a name must be back-quoted.
bool IsReservedWord(std::string_view word);

}  // namespace cohort::mapping
