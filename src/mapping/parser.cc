#include "mapping/parser.h"

#include <array>
#include <charconv>
#include <cmath>
#include <string>
#include <utility>

#include "lang/lexer.h"
#include "lang/token_stream.h"

namespace cohort::mapping {

using lang::LangError;
using lang::Result;
using lang::Token;
using lang::TokenKind;

namespace {

constexpr std::array<std::string_view, 18> kReserved = {
    "select",   "from", "into",    "by",  "where", "alias", "as", "if",   "shortdesc",
    "longdesc", "kind", "mergeop", "and", "or",    "not",   "in", "true", "false"};

// Column options, in the order the documentation lists them.
constexpr std::array<std::string_view, 6> kColumnOptions = {"as",       "if",   "shortdesc",
                                                            "longdesc", "kind", "mergeop"};

// Words that are operators or literals wherever they stand; never names unless back-quoted.
bool IsOperatorWord(const Token& t) {
  for (std::string_view w : {"and", "or", "not", "in", "true", "false"}) {
    if (t.IsKeyword(w)) return true;
  }
  return false;
}

bool IsReservedToken(const Token& t) {
  return t.kind == TokenKind::kIdentifier && IsReservedWord(t.text);
}

Expr Call(std::string name, const Token& op, std::vector<Expr> args) {
  Expr e;
  e.type = Expr::Type::kCall;
  e.pos = op.pos;
  e.name = std::move(name);
  e.spelling = op.kind == TokenKind::kIdentifier ? lang::AsciiUpper(op.text) : std::string(op.text);
  e.is_operator = true;
  for (const Expr& a : args) e.height = std::max(e.height, a.height + 1);
  e.begin = args.empty() ? op.offset : std::min(op.offset, args.front().begin);
  e.end = args.empty() ? op.end_offset() : std::max(op.end_offset(), args.back().end);
  e.args = std::move(args);
  return e;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : ts_(std::move(tokens)) {}

  Result<StatementAst> Statement() {
    StatementAst st;
    LANG_RETURN_IF_ERROR(Keyword("SELECT", "a mapping statement starts with SELECT <column>, ..."));
    while (true) {
      LANG_ASSIGN_OR_RETURN(ColumnAst col, Column());
      st.columns.push_back(std::move(col));
      if (ts_.Accept(TokenKind::kComma)) continue;
      if (ts_.IsKeyword("FROM")) break;
      return ts_.Unexpected("',' or FROM",
                            "a column is <expression> [AS name] [IF condition] [SHORTDESC \"...\"]"
                            " [LONGDESC \"...\"] [KIND kind] [MERGEOP op]");
    }
    ts_.Next();  // FROM
    LANG_ASSIGN_OR_RETURN(st.from, Name("a stream name after FROM", true));
    LANG_RETURN_IF_ERROR(Keyword("INTO", "write FROM <stream> INTO user BY <field>"));
    LANG_ASSIGN_OR_RETURN(st.into, Name("an entity after INTO", true));
    LANG_RETURN_IF_ERROR(Keyword("BY", "write INTO user BY <field> [OR <field> ...]"));
    do {
      LANG_ASSIGN_OR_RETURN(Word w,
                            Name("an identity field after BY", false, {"or", "where", "alias"}));
      st.by.push_back(std::move(w));
    } while (ts_.AcceptKeyword("OR") || ts_.Accept(TokenKind::kComma));
    bool have_alias = false;
    while (true) {
      if (ts_.IsKeyword("WHERE")) {
        if (st.where) return Twice("WHERE");
        ts_.Next();
        LANG_ASSIGN_OR_RETURN(Expr cond, Or());
        st.where = std::move(cond);
      } else if (ts_.IsKeyword("ALIAS")) {
        if (have_alias) return Twice("ALIAS");
        ts_.Next();
        LANG_ASSIGN_OR_RETURN(st.alias, Name("a name after ALIAS", true));
        have_alias = true;
      } else {
        break;
      }
    }
    ts_.Accept(TokenKind::kSemicolon);
    if (!ts_.AtEnd()) {
      if (!have_alias) {
        return ts_.Unexpected("WHERE or ALIAS", "end the statement with ALIAS <name>");
      }
      return ts_.Unexpected("end of statement");
    }
    if (!have_alias) {
      return ts_.Unexpected("ALIAS", "end the statement with ALIAS <name>");
    }
    return st;
  }

 private:
  lang::Check Keyword(std::string_view kw, std::string_view hint) {
    auto t = ts_.ExpectKeyword(kw, hint);
    if (!t.ok()) return std::move(t).error();
    return std::nullopt;
  }

  LangError Twice(std::string_view what) const {
    return LangError(ts_.Peek().pos,
                     std::string(what) + " given twice; keep one " + std::string(what));
  }

  // A name: an identifier, a back-quoted identifier, or (if `string_ok`) a string. A keyword
  // is a name only if the token after it is punctuation, the end, or one of `followers`
  // (the keywords that may follow the name): "AS kind," and "BY kind OR email" work,
  // "BY ALIAS x" does not.
  Result<Word> Name(std::string_view what, bool string_ok,
                    std::initializer_list<std::string_view> followers = {}) {
    const Token& t = ts_.Peek();
    if (t.kind == TokenKind::kQuotedIdentifier || (string_ok && t.kind == TokenKind::kString)) {
      ts_.Next();
      return Word{t.value, t.pos, true};
    }
    if (t.kind == TokenKind::kIdentifier) {
      bool keyword_ok = followers.size() > 0 && !IsOperatorWord(t);
      const Token& next = ts_.Peek(1);
      if (keyword_ok && next.kind == TokenKind::kIdentifier) {
        keyword_ok = false;
        for (std::string_view f : followers) keyword_ok = keyword_ok || next.IsKeyword(f);
      } else if (keyword_ok) {
        keyword_ok = next.kind != TokenKind::kString && next.kind != TokenKind::kNumber &&
                     next.kind != TokenKind::kQuotedIdentifier;
      }
      if (IsReservedToken(t) && !keyword_ok) {
        return LangError(
            t.pos, "expected " + std::string(what) + ", found keyword " + lang::AsciiUpper(t.text) +
                       "; back-quote a name that is a keyword: `" + std::string(t.text) + "`");
      }
      ts_.Next();
      return Word{t.value, t.pos, false};
    }
    return ts_.Unexpected(what);
  }

  Result<ColumnAst> Column() {
    ColumnAst col;
    col.begin = ts_.Peek().offset;
    LANG_ASSIGN_OR_RETURN(col.expr, Or());
    while (true) {
      const Token& t = ts_.Peek();
      if (t.kind != TokenKind::kIdentifier) break;
      std::string kw = lang::AsciiLower(t.text);
      bool is_option = false;
      for (std::string_view o : kColumnOptions) is_option = is_option || kw == o;
      if (!is_option) break;
      ts_.Next();
      const std::string shown = lang::AsciiUpper(kw);
      auto twice = [&]() {
        return LangError(t.pos, shown + " given twice in one column; keep one " + shown);
      };
      if (kw == "as") {
        if (col.as) return twice();
        LANG_ASSIGN_OR_RETURN(col.as,
                              Name("a field name after AS", false,
                                   {"if", "shortdesc", "longdesc", "kind", "mergeop", "from"}));
      } else if (kw == "if") {
        if (col.guard) return twice();
        LANG_ASSIGN_OR_RETURN(col.guard, Or());
      } else if (kw == "shortdesc" || kw == "longdesc") {
        std::optional<Word>& slot = kw == "shortdesc" ? col.shortdesc : col.longdesc;
        if (slot) return twice();
        LANG_ASSIGN_OR_RETURN(Token s, ts_.Expect(TokenKind::kString, "a string after " + shown,
                                                  "write " + shown + " \"...\""));
        slot = Word{s.value, s.pos, true};
      } else if (kw == "kind") {
        if (col.kind) return twice();
        LANG_ASSIGN_OR_RETURN(col.kind, KindWord());
      } else {
        if (col.mergeop) return twice();
        const Token& m = ts_.Peek();
        if (m.kind != TokenKind::kIdentifier && m.kind != TokenKind::kString) {
          return ts_.Unexpected("a merge op after MERGEOP", "e.g. MERGEOP latest");
        }
        ts_.Next();
        col.mergeop = Word{m.value, m.pos, m.kind == TokenKind::kString};
      }
    }
    col.end = ts_.Previous().end_offset();
    return col;
  }

  // string | int | ... | []string | map[string]intsum | "any of these as a string".
  Result<Word> KindWord() {
    const Token& first = ts_.Peek();
    Word w{"", first.pos, false};
    if (first.kind == TokenKind::kString) {
      ts_.Next();
      w.text = first.value;
      w.quoted = true;
      return w;
    }
    const char* hint = "e.g. KIND string, KIND []string, KIND map[string]intsum";
    if (ts_.Accept(TokenKind::kLBracket)) {
      LANG_RETURN_IF_ERROR(Expect(TokenKind::kRBracket, "']' in []string", hint));
      LANG_ASSIGN_OR_RETURN(Token el, ts_.Expect(TokenKind::kIdentifier, "a kind", hint));
      w.text = "[]" + std::string(el.text);
      return w;
    }
    LANG_ASSIGN_OR_RETURN(Token base,
                          ts_.Expect(TokenKind::kIdentifier, "a kind after KIND", hint));
    w.text = std::string(base.text);
    if (base.IsKeyword("map") && ts_.Accept(TokenKind::kLBracket)) {
      LANG_ASSIGN_OR_RETURN(Token key, ts_.Expect(TokenKind::kIdentifier, "a key kind", hint));
      LANG_RETURN_IF_ERROR(Expect(TokenKind::kRBracket, "']'", hint));
      LANG_ASSIGN_OR_RETURN(Token val, ts_.Expect(TokenKind::kIdentifier, "a value kind", hint));
      w.text += "[" + std::string(key.text) + "]" + std::string(val.text);
    }
    return w;
  }

  lang::Check Expect(TokenKind kind, std::string_view what, std::string_view hint) {
    auto t = ts_.Expect(kind, what, hint);
    if (!t.ok()) return std::move(t).error();
    return std::nullopt;
  }

  // or := and {OR and}. Every nested expression passes here, so the depth check is here.
  Result<Expr> Or() {
    if (depth_ >= kMaxDepth) return TooDeep(ts_.Peek().pos);
    ++depth_;
    Result<Expr> e = OrAtDepth();
    --depth_;
    return e;
  }

  Result<Expr> OrAtDepth() {
    LANG_ASSIGN_OR_RETURN(Expr left, And());
    while (ts_.IsKeyword("OR")) {
      Token op = ts_.Next();
      LANG_ASSIGN_OR_RETURN(Expr right, And());
      std::vector<Expr> args;
      args.push_back(std::move(left));
      args.push_back(std::move(right));
      LANG_ASSIGN_OR_RETURN(left, Checked(Call("or", op, std::move(args))));
    }
    return left;
  }

  // and := not {AND not}
  Result<Expr> And() {
    LANG_ASSIGN_OR_RETURN(Expr left, Not());
    while (ts_.IsKeyword("AND")) {
      Token op = ts_.Next();
      LANG_ASSIGN_OR_RETURN(Expr right, Not());
      std::vector<Expr> args;
      args.push_back(std::move(left));
      args.push_back(std::move(right));
      LANG_ASSIGN_OR_RETURN(left, Checked(Call("and", op, std::move(args))));
    }
    return left;
  }

  // not := NOT not | comparison
  Result<Expr> Not() {
    if (ts_.IsKeyword("NOT")) {
      Token op = ts_.Next();
      if (depth_ >= kMaxDepth) return TooDeep(op.pos);
      ++depth_;
      Result<Expr> operand = Not();
      --depth_;
      if (!operand.ok()) return std::move(operand).error();
      std::vector<Expr> args;
      args.push_back(std::move(operand).value());
      return Checked(Call("not", op, std::move(args)));
    }
    return Comparison();
  }

  static const char* CompareName(TokenKind k) {
    switch (k) {
      case TokenKind::kEq:
        return "eq";
      case TokenKind::kNe:
        return "ne";
      case TokenKind::kLt:
        return "lt";
      case TokenKind::kLe:
        return "le";
      case TokenKind::kGt:
        return "gt";
      case TokenKind::kGe:
        return "ge";
      default:
        return nullptr;
    }
  }

  // comparison := primary [cmp primary | [NOT] IN ( expr {, expr} )]
  Result<Expr> Comparison() {
    LANG_ASSIGN_OR_RETURN(Expr left, Primary());
    if (const char* name = CompareName(ts_.Peek().kind)) {
      Token op = ts_.Next();
      LANG_ASSIGN_OR_RETURN(Expr right, Primary());
      std::vector<Expr> args;
      args.push_back(std::move(left));
      args.push_back(std::move(right));
      Expr cmp = Call(name, op, std::move(args));
      if (CompareName(ts_.Peek().kind)) {
        return LangError(ts_.Peek().pos,
                         "comparisons do not chain; join them with AND, e.g. a < b AND b < c");
      }
      return cmp;
    }
    bool negated = false;
    if (ts_.IsKeyword("NOT") && ts_.Peek(1).IsKeyword("IN")) {
      negated = true;
      ts_.Next();
    }
    if (ts_.IsKeyword("IN")) {
      Token op = ts_.Next();
      LANG_RETURN_IF_ERROR(Expect(TokenKind::kLParen, "'(' after IN", "write x IN (\"a\", \"b\")"));
      std::vector<Expr> args;
      args.push_back(std::move(left));
      do {
        LANG_ASSIGN_OR_RETURN(Expr item, Or());
        args.push_back(std::move(item));
      } while (ts_.Accept(TokenKind::kComma));
      LANG_RETURN_IF_ERROR(
          Expect(TokenKind::kRParen, "',' or ')' in the IN list", "write x IN (\"a\", \"b\")"));
      Expr in = Call("in", op, std::move(args));
      in.end = ts_.Previous().end_offset();
      if (negated) {
        std::vector<Expr> one;
        one.push_back(std::move(in));
        return Call("not", op, std::move(one));
      }
      return in;
    }
    return left;
  }

  Result<Expr> Primary() {
    const Token& t = ts_.Peek();
    Expr e;
    e.pos = t.pos;
    e.begin = t.offset;
    switch (t.kind) {
      case TokenKind::kString:
        ts_.Next();
        e.literal = Scalar::String(t.value);
        e.end = t.end_offset();
        return e;
      case TokenKind::kNumber:
        ts_.Next();
        e.literal = NumberLiteral(t.text, false);
        e.end = t.end_offset();
        return e;
      case TokenKind::kMinus: {
        ts_.Next();
        LANG_ASSIGN_OR_RETURN(Token n, ts_.Expect(TokenKind::kNumber, "a number after '-'",
                                                  "'-' only makes negative numbers, e.g. -1"));
        e.literal = NumberLiteral(n.text, true);
        e.end = n.end_offset();
        return e;
      }
      case TokenKind::kLParen: {
        ts_.Next();
        LANG_ASSIGN_OR_RETURN(Expr inner, Or());
        LANG_RETURN_IF_ERROR(Expect(TokenKind::kRParen, "')'", "close the '(' before it"));
        inner.begin = t.offset;
        inner.end = ts_.Previous().end_offset();
        return inner;
      }
      case TokenKind::kIdentifier:
        if (t.IsKeyword("true") || t.IsKeyword("false")) {
          ts_.Next();
          e.literal = Scalar::Bool(t.IsKeyword("true"));
          e.end = t.end_offset();
          return e;
        }
        if (ts_.Peek(1).kind == TokenKind::kLParen && (!IsReservedToken(t) || t.IsKeyword("in"))) {
          return FunctionCall();
        }
        if ((t.IsKeyword("and") || t.IsKeyword("or")) && ts_.Peek(1).kind == TokenKind::kLParen) {
          return LangError(t.pos, lang::AsciiUpper(t.text) +
                                      " is an operator, not a function; write a " +
                                      lang::AsciiUpper(t.text) + " b");
        }
        if (IsReservedToken(t) && !KeywordAsField()) {
          return LangError(t.pos, "expected an expression, found keyword " +
                                      lang::AsciiUpper(t.text) +
                                      "; a field with that name must be back-quoted: `" +
                                      std::string(t.text) + "`");
        }
        return Field();
      case TokenKind::kQuotedIdentifier:
        return Field();
      default:
        return ts_.Unexpected("an expression");
    }
  }

  // Whether the clause or option keyword at the current token (FROM, KIND, ...) is used as a
  // field name: it stands where an expression starts and the next token can only follow a
  // field ("IF kind = 1", "SELECT from AS sender"). AND, OR, NOT, IN, TRUE and FALSE are
  // never fields unless back-quoted.
  bool KeywordAsField() const {
    if (IsOperatorWord(ts_.Peek())) return false;
    const Token& next = ts_.Peek(1);
    switch (next.kind) {
      case TokenKind::kDot:
      case TokenKind::kEq:
      case TokenKind::kNe:
      case TokenKind::kLt:
      case TokenKind::kLe:
      case TokenKind::kGt:
      case TokenKind::kGe:
      case TokenKind::kComma:
      case TokenKind::kRParen:
      case TokenKind::kSemicolon:
      case TokenKind::kEnd:
        return true;
      case TokenKind::kIdentifier:
        for (std::string_view kw : {"and", "or", "in", "not", "as", "if", "shortdesc", "longdesc",
                                    "kind", "mergeop", "from", "alias"}) {
          if (next.IsKeyword(kw)) return true;
        }
        return false;
      default:
        return false;
    }
  }

  static Scalar NumberLiteral(std::string_view text, bool negative) {
    std::string s(negative ? "-" : "");
    s.append(text);
    int64_t i = 0;
    auto ri = std::from_chars(s.data(), s.data() + s.size(), i);
    if (ri.ec == std::errc() && ri.ptr == s.data() + s.size()) return Scalar::Int(i);
    double d = 0;
    std::from_chars(s.data(), s.data() + s.size(), d);
    return Scalar::Number(d);
  }

  // field := name {. name} — after a dot any identifier, keyword or whole number is a key.
  Result<Expr> Field() {
    Token first = ts_.Next();
    Expr e;
    e.type = Expr::Type::kField;
    e.pos = first.pos;
    e.begin = first.offset;
    e.path.push_back(first.value);
    while (ts_.Is(TokenKind::kDot)) {
      ts_.Next();
      const Token& k = ts_.Peek();
      if (k.IsIdentifier()) {
        e.path.push_back(k.value);
      } else if (k.kind == TokenKind::kNumber &&
                 k.text.find_first_not_of("0123456789") == std::string_view::npos) {
        e.path.push_back(k.value);
      } else {
        return ts_.Unexpected("a key after '.'", "back-quote keys with other characters: a.`b-c`");
      }
      ts_.Next();
    }
    e.end = ts_.Previous().end_offset();
    return e;
  }

  // call := name ( [expr {, expr}] )
  Result<Expr> FunctionCall() {
    Token name = ts_.Next();
    ts_.Next();  // (
    Expr e;
    e.type = Expr::Type::kCall;
    e.pos = name.pos;
    e.begin = name.offset;
    e.name = lang::AsciiLower(name.text);
    e.spelling = std::string(name.text);
    if (!ts_.Accept(TokenKind::kRParen)) {
      do {
        LANG_ASSIGN_OR_RETURN(Expr arg, Or());
        e.args.push_back(std::move(arg));
      } while (ts_.Accept(TokenKind::kComma));
      for (const Expr& a : e.args) e.height = std::max(e.height, a.height + 1);
      LANG_RETURN_IF_ERROR(Expect(
          TokenKind::kRParen, "',' or ')' after an argument of " + std::string(name.text) + "()",
          "close the argument list with ')'"));
    }
    e.end = ts_.Previous().end_offset();
    return e;
  }

  // Bounds the recursion of the parser (depth_) and the height of expression trees, which
  // bounds the recursion of the binder, compiler and evaluator on hostile input.
  static constexpr int kMaxDepth = 256;

  static LangError TooDeep(lang::Position pos) {
    return LangError(pos, "expression nested too deeply; use at most " + std::to_string(kMaxDepth) +
                              " levels of operators and calls");
  }

  static Result<Expr> Checked(Expr e) {
    if (e.height > kMaxDepth) return TooDeep(e.pos);
    return e;
  }

  lang::TokenStream ts_;
  int depth_ = 0;
};

}  // namespace

bool IsReservedWord(std::string_view word) {
  for (std::string_view r : kReserved) {
    if (lang::EqualsIgnoreCase(word, r)) return true;
  }
  return false;
}

Result<StatementAst> Parse(std::string_view text) {
  LANG_ASSIGN_OR_RETURN(std::vector<Token> tokens, lang::Tokenize(text));
  return Parser(std::move(tokens)).Statement();
}

}  // namespace cohort::mapping
