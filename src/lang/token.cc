#include "lang/token.h"

namespace cohort::lang {
namespace {

// prefix + s + suffix, built with append: operator+ chains here trip a GCC 12 -Wrestrict false
// positive.
std::string Quoted(std::string_view prefix, std::string_view s, std::string_view suffix) {
  std::string out(prefix);
  out.append(s).append(suffix);
  return out;
}

}  // namespace

std::string_view TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEnd:
      return "end of input";
    case TokenKind::kNewline:
      return "end of line";
    case TokenKind::kIdentifier:
      return "identifier";
    case TokenKind::kQuotedIdentifier:
      return "back-quoted identifier";
    case TokenKind::kString:
      return "string";
    case TokenKind::kNumber:
      return "number";
    case TokenKind::kEq:
      return "'='";
    case TokenKind::kNe:
      return "'!='";
    case TokenKind::kLt:
      return "'<'";
    case TokenKind::kLe:
      return "'<='";
    case TokenKind::kGt:
      return "'>'";
    case TokenKind::kGe:
      return "'>='";
    case TokenKind::kLParen:
      return "'('";
    case TokenKind::kRParen:
      return "')'";
    case TokenKind::kLBracket:
      return "'['";
    case TokenKind::kRBracket:
      return "']'";
    case TokenKind::kComma:
      return "','";
    case TokenKind::kDot:
      return "'.'";
    case TokenKind::kMinus:
      return "'-'";
    case TokenKind::kSemicolon:
      return "';'";
  }
  return "token";
}

bool Token::IsKeyword(std::string_view keyword) const {
  return kind == TokenKind::kIdentifier && EqualsIgnoreCase(text, keyword);
}

std::string Token::Describe() const {
  switch (kind) {
    case TokenKind::kEnd:
    case TokenKind::kNewline:
      return std::string(TokenKindName(kind));
    case TokenKind::kString:
      return Quoted("string \"", value, "\"");
    case TokenKind::kNumber:
      return Quoted("number ", value, "");
    case TokenKind::kQuotedIdentifier:
      return Quoted("`", value, "`");
    default:
      return Quoted("'", text, "'");
  }
}

}  // namespace cohort::lang
