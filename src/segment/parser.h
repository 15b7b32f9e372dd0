// Parser of the audience language (SPEC §7): filter text → FilterAst. Checks only the grammar
// (docs/audiences.md, "Grammar"); fields, kinds and slugs are the binder's. Tokens come from
// the shared lexer (lang/lexer.h). Errors carry the line and column of the offending token.
// Pure function; thread-safe.
#pragma once

#include <string_view>

#include "lang/error.h"
#include "segment/ast.h"

namespace cohort::segment {

// Most levels of AND/OR/NOT/parentheses one filter may nest (a bound on recursion for
// hostile input; real filters use a handful).
inline constexpr int kMaxParseDepth = 64;

lang::Result<FilterAst> Parse(std::string_view text);

}  // namespace cohort::segment
