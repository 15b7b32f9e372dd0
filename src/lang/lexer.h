// The lexer shared by Cohort's languages: turns statement text into tokens with positions.
//
// Recognised: identifiers, back-quoted identifiers (`a b`, with `` for a back-quote), strings
// in double or single quotes with escapes (\" \' \\ \/ \n \r \t \b \f \uXXXX, surrogate pairs
// joined), unsigned numbers (12, 1.5, 2e-3), the operators = != <> < <= > >= ( ) [ ] , . - ;
// and comments from "--" to the end of the line. Whitespace separates tokens; newlines are
// tracked for positions and, if asked for, returned as tokens.
//
// Errors (unterminated string, bad escape, malformed number, unexpected character) carry the
// position of the offending character. Pure function; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "lang/error.h"
#include "lang/token.h"

namespace cohort::lang {

struct LexerOptions {
  // Return a kNewline token at the end of each non-empty line (several blank lines give one).
  // Default: false (newlines are whitespace).
  bool emit_newlines = false;
};

// The tokens of `source`, ending with one kEnd token. Token::text points into `source`, which
// must outlive the tokens.
Result<std::vector<Token>> Tokenize(std::string_view source, const LexerOptions& options = {});

}  // namespace cohort::lang
