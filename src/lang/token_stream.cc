#include "lang/token_stream.h"

#include <string>

namespace cohort::lang {

bool TokenStream::Accept(TokenKind kind) {
  if (!Is(kind)) return false;
  Next();
  return true;
}

bool TokenStream::AcceptKeyword(std::string_view keyword) {
  if (!IsKeyword(keyword)) return false;
  Next();
  return true;
}

Result<Token> TokenStream::Expect(TokenKind kind, std::string_view what, std::string_view hint) {
  if (!Is(kind)) return Unexpected(what, hint);
  return Next();
}

Result<Token> TokenStream::ExpectKeyword(std::string_view keyword, std::string_view hint) {
  if (!IsKeyword(keyword)) return Unexpected(keyword, hint);
  return Next();
}

LangError TokenStream::Unexpected(std::string_view what, std::string_view hint) const {
  std::string message = "expected " + std::string(what) + ", found " + Peek().Describe();
  if (!hint.empty()) message += "; " + std::string(hint);
  return LangError(Peek().pos, std::move(message));
}

}  // namespace cohort::lang
