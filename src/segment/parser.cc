#include "segment/parser.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>

#include "lang/lexer.h"
#include "lang/token_stream.h"

namespace cohort::segment {

using lang::LangError;
using lang::Result;
using lang::Token;
using lang::TokenKind;

namespace {

// The keywords that are operators after a field.
constexpr std::array<std::string_view, 5> kOperatorWords = {"in", "intersects", "contains", "like",
                                                            "between"};

constexpr std::string_view kConditionHint =
    "a condition is e.g. email = \"a@b.c\", cio_events.email_opened > 2, EXISTS field, "
    "AND(...), OR(...), NOT ..., INCLUDE <audience>";
constexpr std::string_view kValueHint =
    "write text in quotes (\"...\"), a number, true or false, or a date like \"2024-06-01\" or "
    "\"now-7d\"";

bool IsCompareToken(const Token& t) {
  switch (t.kind) {
    case TokenKind::kEq:
    case TokenKind::kNe:
    case TokenKind::kLt:
    case TokenKind::kLe:
    case TokenKind::kGt:
    case TokenKind::kGe:
      return true;
    default:
      return false;
  }
}

bool IsOperatorWord(const Token& t) {
  for (std::string_view w : kOperatorWords) {
    if (t.IsKeyword(w)) return true;
  }
  return false;
}

CompareOp ToCompareOp(TokenKind k) {
  switch (k) {
    case TokenKind::kNe:
      return CompareOp::kNe;
    case TokenKind::kLt:
      return CompareOp::kLt;
    case TokenKind::kLe:
      return CompareOp::kLe;
    case TokenKind::kGt:
      return CompareOp::kGt;
    case TokenKind::kGe:
      return CompareOp::kGe;
    default:
      return CompareOp::kEq;
  }
}

// Whether `b` starts right where `a` ends (no space between).
bool Adjacent(const Token& a, const Token& b) { return b.offset == a.end_offset(); }

// A number literal's value: Int if whole and within int64, else a finite Number.
std::optional<mapping::Scalar> NumberValue(std::string_view digits, bool negative) {
  bool whole = digits.find_first_not_of("0123456789") == std::string_view::npos;
  if (whole) {
    uint64_t u = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), u);
    if (ec == std::errc() && p == digits.data() + digits.size()) {
      if (!negative && u <= static_cast<uint64_t>(INT64_MAX)) {
        return mapping::Scalar::Int(static_cast<int64_t>(u));
      }
      if (negative && u <= static_cast<uint64_t>(INT64_MAX) + 1) {
        return mapping::Scalar::Int(static_cast<int64_t>(0 - u));
      }
    }
  }
  std::string s(digits);
  double d = std::strtod(s.c_str(), nullptr);
  if (!std::isfinite(d)) return std::nullopt;
  if (negative) d = -d;
  if (d == 0) d = 0;  // no -0
  return mapping::Scalar::Number(d);
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : ts_(std::move(tokens)) {}

  Result<FilterAst> Filter() {
    FilterAst ast;
    auto kw = ts_.ExpectKeyword("FILTER",
                                "an audience is FILTER <condition> [FROM user] [ALIAS "
                                "<slug>]");
    if (!kw.ok()) return std::move(kw).error();
    LANG_ASSIGN_OR_RETURN(ast.phrase, Condition(1));
    while (true) {
      if (ts_.IsKeyword("FROM")) {
        if (ast.from) return Twice("FROM");
        ts_.Next();
        const Token& t = ts_.Peek();
        if (!t.IsIdentifier() && t.kind != TokenKind::kString) {
          return ts_.Unexpected("an entity after FROM", "write FROM user");
        }
        ts_.Next();
        ast.from = Word{t.value, t.pos};
      } else if (ts_.IsKeyword("ALIAS")) {
        if (ast.alias) return Twice("ALIAS");
        ts_.Next();
        LANG_ASSIGN_OR_RETURN(ast.alias, Slug("an audience slug after ALIAS"));
      } else {
        break;
      }
    }
    ts_.Accept(TokenKind::kSemicolon);
    if (!ts_.AtEnd()) {
      return ts_.Unexpected("FROM, ALIAS or end of filter",
                            "combine several conditions with AND(...) or OR(...)");
    }
    return ast;
  }

 private:
  LangError Twice(std::string_view what) const {
    return LangError(ts_.Peek().pos,
                     std::string(what) + " given twice; keep one " + std::string(what));
  }

  // Whether the current word is a field because an operator follows it, so that fields may
  // be named like keywords: `exists = true`, `not LIKE "a*"`. After an operator word (IN,
  // LIKE, ...) a value or '(' must come for it to be the operator: in `EXISTS like` and
  // `NOT like > 1` it is the field, and EXISTS and NOT are the keywords.
  bool OperatorFollows() const {
    const Token& t = ts_.Peek();
    const Token& next = ts_.Peek(1);
    if (IsCompareToken(next) || (next.kind == TokenKind::kDot && Adjacent(t, next))) return true;
    if (!IsOperatorWord(next)) return false;
    const Token& after = ts_.Peek(2);
    return after.kind == TokenKind::kString || after.kind == TokenKind::kNumber ||
           after.kind == TokenKind::kMinus || after.kind == TokenKind::kLParen ||
           after.IsKeyword("TRUE") || after.IsKeyword("FALSE");
  }

  Result<Phrase> Condition(int depth) {
    const Token& t = ts_.Peek();
    if (depth > kMaxParseDepth) {
      return LangError(t.pos, "conditions nested too deeply (more than " +
                                  std::to_string(kMaxParseDepth) +
                                  " levels); simplify the filter or split it with INCLUDE");
    }
    if (t.kind == TokenKind::kLParen) {
      ts_.Next();
      LANG_ASSIGN_OR_RETURN(Phrase p, Condition(depth + 1));
      auto close = ts_.Expect(TokenKind::kRParen, "')'",
                              "parentheses hold one condition; combine several with AND(...) or "
                              "OR(...)");
      if (!close.ok()) return std::move(close).error();
      return p;
    }
    if (t.kind == TokenKind::kIdentifier && !OperatorFollows()) {
      if (t.IsKeyword("AND") || t.IsKeyword("OR")) return List(depth);
      if (t.IsKeyword("NOT")) {
        Phrase p;
        p.type = Phrase::Type::kNot;
        p.pos = ts_.Next().pos;
        LANG_ASSIGN_OR_RETURN(Phrase child, Condition(depth + 1));
        p.children.push_back(std::move(child));
        return p;
      }
      if (t.IsKeyword("EXISTS")) {
        Phrase p;
        p.type = Phrase::Type::kExists;
        p.pos = ts_.Next().pos;
        LANG_ASSIGN_OR_RETURN(p.field, Field("a field after EXISTS"));
        return p;
      }
      if (t.IsKeyword("INCLUDE")) {
        Phrase p;
        p.type = Phrase::Type::kInclude;
        p.pos = ts_.Next().pos;
        LANG_ASSIGN_OR_RETURN(p.slug, Slug("an audience slug after INCLUDE"));
        return p;
      }
    }
    if (t.IsIdentifier()) return FieldCondition();
    return ts_.Unexpected("a condition", kConditionHint);
  }

  // AND(...) or OR(...).
  Result<Phrase> List(int depth) {
    Phrase p;
    const Token& kw = ts_.Next();
    p.type = kw.IsKeyword("AND") ? Phrase::Type::kAnd : Phrase::Type::kOr;
    p.pos = kw.pos;
    const std::string name = lang::AsciiUpper(kw.text);
    auto open = ts_.Expect(TokenKind::kLParen, "'(' after " + name,
                           "write " + name + "(<condition>, <condition>, ...)");
    if (!open.ok()) return std::move(open).error();
    while (!ts_.Is(TokenKind::kRParen)) {
      if (ts_.AtEnd()) {
        return ts_.Unexpected("a condition or ')'", "close " + name + "( with ')'");
      }
      LANG_ASSIGN_OR_RETURN(Phrase child, Condition(depth + 1));
      p.children.push_back(std::move(child));
      ts_.Accept(TokenKind::kComma);
    }
    if (p.children.empty()) {
      return LangError(ts_.Peek().pos, name + "() needs at least one condition");
    }
    ts_.Next();  // ')'
    return p;
  }

  Result<FieldRef> Field(std::string_view what) {
    const Token& t = ts_.Peek();
    if (!t.IsIdentifier()) {
      return ts_.Unexpected(what,
                            "write the field's name without quotes (back-quote a name "
                            "with spaces: `my field`)");
    }
    FieldRef f;
    f.name = t.value;
    f.pos = t.pos;
    ts_.Next();
    if (!(ts_.Is(TokenKind::kDot) && Adjacent(ts_.Previous(), ts_.Peek()))) return f;
    ts_.Next();  // '.'
    const Token& k = ts_.Peek();
    bool key_token =
        k.IsIdentifier() || k.kind == TokenKind::kString || k.kind == TokenKind::kNumber;
    if (!key_token || !Adjacent(ts_.Previous(), k)) {
      return ts_.Unexpected("a map key right after '.'",
                            "write field.key, e.g. cio_events.email_opened; back-quote keys with "
                            "spaces: field.`my key`");
    }
    std::string key = k.kind == TokenKind::kNumber ? std::string(k.text) : k.value;
    f.key_pos = k.pos;
    bool open = k.kind == TokenKind::kIdentifier || k.kind == TokenKind::kNumber;
    ts_.Next();
    // Dots, dashes, names and numbers written together continue the key: example.com, a-1.
    while (open && Adjacent(ts_.Previous(), ts_.Peek())) {
      const Token& c = ts_.Peek();
      if (c.kind != TokenKind::kDot && c.kind != TokenKind::kMinus &&
          c.kind != TokenKind::kIdentifier && c.kind != TokenKind::kNumber) {
        break;
      }
      key += c.text;
      ts_.Next();
    }
    f.key = std::move(key);
    return f;
  }

  // A slug: a name, a string, or words, numbers and dashes written together (vip-users).
  Result<Word> Slug(std::string_view what) {
    const Token& t = ts_.Peek();
    if (t.kind == TokenKind::kQuotedIdentifier || t.kind == TokenKind::kString) {
      ts_.Next();
      return Word{t.value, t.pos};
    }
    if (t.kind != TokenKind::kIdentifier && t.kind != TokenKind::kNumber) {
      return ts_.Unexpected(what, "a slug is lowercase letters, digits, '_' and '-'");
    }
    Word w{std::string(t.text), t.pos};
    ts_.Next();
    while (Adjacent(ts_.Previous(), ts_.Peek())) {
      const Token& c = ts_.Peek();
      if (c.kind != TokenKind::kMinus && c.kind != TokenKind::kIdentifier &&
          c.kind != TokenKind::kNumber) {
        break;
      }
      w.text += c.text;
      ts_.Next();
    }
    return w;
  }

  Result<Phrase> FieldCondition() {
    Phrase p;
    LANG_ASSIGN_OR_RETURN(p.field, Field("a field"));
    const Token& op = ts_.Peek();
    p.pos = op.pos;
    if (IsCompareToken(op)) {
      ts_.Next();
      p.type = Phrase::Type::kCompare;
      p.op = ToCompareOp(op.kind);
      LANG_ASSIGN_OR_RETURN(Literal v, Value());
      p.values.push_back(std::move(v));
      return p;
    }
    if (op.IsKeyword("IN") || op.IsKeyword("INTERSECTS")) {
      p.type = op.IsKeyword("IN") ? Phrase::Type::kIn : Phrase::Type::kIntersects;
      const std::string name = lang::AsciiUpper(op.text);
      ts_.Next();
      auto open = ts_.Expect(TokenKind::kLParen, "'(' after " + name,
                             "write " + name + " (\"a\", \"b\", ...)");
      if (!open.ok()) return std::move(open).error();
      while (!ts_.Is(TokenKind::kRParen)) {
        if (ts_.AtEnd()) return ts_.Unexpected("a value or ')'", "close the list with ')'");
        LANG_ASSIGN_OR_RETURN(Literal v, Value());
        p.values.push_back(std::move(v));
        ts_.Accept(TokenKind::kComma);
      }
      if (p.values.empty()) {
        return LangError(ts_.Peek().pos, name + " () needs at least one value");
      }
      ts_.Next();  // ')'
      return p;
    }
    if (op.IsKeyword("CONTAINS") || op.IsKeyword("LIKE")) {
      p.type = op.IsKeyword("LIKE") ? Phrase::Type::kLike : Phrase::Type::kContains;
      ts_.Next();
      LANG_ASSIGN_OR_RETURN(Literal v, Value());
      p.values.push_back(std::move(v));
      return p;
    }
    if (op.IsKeyword("BETWEEN")) {
      p.type = Phrase::Type::kBetween;
      ts_.Next();
      LANG_ASSIGN_OR_RETURN(Literal lo, Value());
      auto and_kw = ts_.ExpectKeyword("AND", "write BETWEEN <low> AND <high>");
      if (!and_kw.ok()) return std::move(and_kw).error();
      LANG_ASSIGN_OR_RETURN(Literal hi, Value());
      p.values.push_back(std::move(lo));
      p.values.push_back(std::move(hi));
      return p;
    }
    if (op.IsKeyword("NOT")) {
      return LangError(op.pos, "NOT goes before a condition: write NOT " + p.field.Display() +
                                   " IN (...), not " + p.field.Display() + " NOT IN (...)");
    }
    return ts_.Unexpected("an operator after " + p.field.Display(),
                          "use = != > >= < <= IN INTERSECTS CONTAINS LIKE BETWEEN");
  }

  Result<Literal> Value() {
    const Token& t = ts_.Peek();
    Literal l;
    l.pos = t.pos;
    if (t.kind == TokenKind::kString) {
      l.type = Literal::Type::kString;
      l.text = t.value;
      l.value = mapping::Scalar::String(t.value);
      ts_.Next();
      return l;
    }
    if (t.IsKeyword("TRUE") || t.IsKeyword("FALSE")) {
      l.type = Literal::Type::kBool;
      l.text = lang::AsciiLower(t.text);
      l.value = mapping::Scalar::Bool(l.text == "true");
      ts_.Next();
      return l;
    }
    bool negative = false;
    if (t.kind == TokenKind::kMinus && ts_.Peek(1).kind == TokenKind::kNumber) {
      negative = true;
      ts_.Next();
    }
    const Token& n = ts_.Peek();
    if (n.kind != TokenKind::kNumber) return ts_.Unexpected("a value", kValueHint);
    std::optional<mapping::Scalar> v = NumberValue(n.text, negative);
    if (!v) {
      return LangError(
          l.pos, "number " + std::string(n.text) + " is too large; numbers must be finite doubles");
    }
    l.type = Literal::Type::kNumber;
    if (negative) l.text.push_back('-');
    l.text.append(n.text);
    l.value = *std::move(v);
    ts_.Next();
    return l;
  }

  lang::TokenStream ts_;
};

}  // namespace

std::string_view CompareOpSpelling(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "?";
}

Result<FilterAst> Parse(std::string_view text) {
  LANG_ASSIGN_OR_RETURN(std::vector<Token> tokens, lang::Tokenize(text));
  return Parser(std::move(tokens)).Filter();
}

}  // namespace cohort::segment
