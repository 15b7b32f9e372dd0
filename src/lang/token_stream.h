// TokenStream: a cursor over lexed tokens for recursive-descent parsers, with the checks every
// parser needs (expect a kind, expect a keyword) producing positioned errors. Not thread-safe;
// one per parse.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "lang/error.h"
#include "lang/token.h"

namespace cohort::lang {

class TokenStream {
 public:
  // `tokens` must end with a kEnd token (as Tokenize returns them).
  explicit TokenStream(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  const Token& Peek(size_t ahead = 0) const {
    size_t k = i_ + ahead;
    return k < tokens_.size() ? tokens_[k] : tokens_.back();
  }
  // Returns the current token and moves past it (never past kEnd).
  const Token& Next() {
    const Token& t = tokens_[i_];
    if (i_ + 1 < tokens_.size()) ++i_;
    return t;
  }
  // The token before the current one (the last one consumed).
  const Token& Previous() const { return tokens_[i_ == 0 ? 0 : i_ - 1]; }
  bool AtEnd() const { return Peek().kind == TokenKind::kEnd; }

  bool Is(TokenKind kind) const { return Peek().kind == kind; }
  bool IsKeyword(std::string_view keyword) const { return Peek().IsKeyword(keyword); }
  // Consumes the current token if it is of `kind` / the keyword; returns whether it did.
  bool Accept(TokenKind kind);
  bool AcceptKeyword(std::string_view keyword);

  // Consumes a token of `kind`, or fails with "expected <what>, found <token>; <hint>".
  Result<Token> Expect(TokenKind kind, std::string_view what, std::string_view hint = {});
  // Consumes the keyword, or fails like Expect.
  Result<Token> ExpectKeyword(std::string_view keyword, std::string_view hint = {});

  // An error at the current token: "expected <what>, found <token>[; hint]".
  LangError Unexpected(std::string_view what, std::string_view hint = {}) const;

 private:
  std::vector<Token> tokens_;
  size_t i_ = 0;
};

}  // namespace cohort::lang
