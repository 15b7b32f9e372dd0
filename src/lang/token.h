// Tokens shared by Cohort's languages. The lexer knows no keywords: a keyword is an
// unquoted identifier compared case-insensitively (Token::IsKeyword), so each language keeps
// its own keyword list and a back-quoted identifier is never a keyword.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lang/position.h"
#include "lang/text.h"

namespace cohort::lang {

enum class TokenKind : uint8_t {
  kEnd,               // end of input (always the last token)
  kNewline,           // only when LexerOptions::emit_newlines
  kIdentifier,        // [A-Za-z_][A-Za-z0-9_]* (bytes >= 0x80 count as letters)
  kQuotedIdentifier,  // `any text`; a back-quote inside is written twice
  kString,            // "..." or '...', with backslash escapes
  kNumber,            // 12, 1.5, 2e3 (no sign: '-' is its own token)
  kEq,                // =
  kNe,                // != or <>
  kLt,                // <
  kLe,                // <=
  kGt,                // >
  kGe,                // >=
  kLParen,            // (
  kRParen,            // )
  kLBracket,          // [
  kRBracket,          // ]
  kComma,             // ,
  kDot,               // .
  kMinus,             // -
  kSemicolon,         // ;
};

// How a token kind is named in messages: "identifier", "string", "'('", "end of input", ...
std::string_view TokenKindName(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::kEnd;
  Position pos;           // of the first character
  size_t offset = 0;      // byte offset of the first character in the source
  std::string_view text;  // the source bytes of the token (points into the lexed source)
  // The decoded value: the identifier name (without back-quotes), the string contents with
  // escapes resolved; for other kinds equal to `text`.
  std::string value;

  // Whether this is an unquoted identifier equal to `keyword`, ignoring ASCII case.
  bool IsKeyword(std::string_view keyword) const;
  bool IsIdentifier() const {
    return kind == TokenKind::kIdentifier || kind == TokenKind::kQuotedIdentifier;
  }
  // For messages: "'select'", "string \"abc\"", "end of input".
  std::string Describe() const;
  size_t end_offset() const { return offset + text.size(); }
};

}  // namespace cohort::lang
