#include "lang/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cohort::lang {
namespace {

std::vector<TokenKind> Kinds(const std::vector<Token>& tokens) {
  std::vector<TokenKind> kinds;
  for (const Token& t : tokens) kinds.push_back(t.kind);
  return kinds;
}

std::vector<Token> Lex(std::string_view src, LexerOptions options = {}) {
  auto r = Tokenize(src, options);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().ToString());
  return r.ok() ? std::move(r).value() : std::vector<Token>{};
}

std::string LexError(std::string_view src) {
  auto r = Tokenize(src);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.error().ToString();
}

TEST(LexerTest, EmptyInputIsJustEnd) {
  auto t = Lex("");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].kind, TokenKind::kEnd);
  EXPECT_EQ(t[0].pos, (Position{1, 1}));
}

TEST(LexerTest, IdentifiersKeywordsAndOperators) {
  auto t = Lex("SELECT a_1, `b c` FROM s WHERE x != 1 AND y<>2 AND z<=3 AND w>=4 AND v==5;");
  using K = TokenKind;
  EXPECT_EQ(Kinds(t),
            (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kComma,      K::kQuotedIdentifier,
                            K::kIdentifier, K::kIdentifier, K::kIdentifier, K::kIdentifier,
                            K::kNe,         K::kNumber,     K::kIdentifier, K::kIdentifier,
                            K::kNe,         K::kNumber,     K::kIdentifier, K::kIdentifier,
                            K::kLe,         K::kNumber,     K::kIdentifier, K::kIdentifier,
                            K::kGe,         K::kNumber,     K::kIdentifier, K::kIdentifier,
                            K::kEq,         K::kNumber,     K::kSemicolon,  K::kEnd}));
  EXPECT_TRUE(t[0].IsKeyword("select"));
  EXPECT_TRUE(t[0].IsKeyword("SeLeCt"));
  EXPECT_FALSE(t[0].IsKeyword("selec"));
  EXPECT_EQ(t[3].value, "b c");
  EXPECT_EQ(t[3].text, "`b c`");
}

TEST(LexerTest, BackQuotedIdentifierIsNeverAKeyword) {
  auto t = Lex("`select` `a``b`");
  EXPECT_FALSE(t[0].IsKeyword("select"));
  EXPECT_TRUE(t[0].IsIdentifier());
  EXPECT_EQ(t[0].value, "select");
  EXPECT_EQ(t[1].value, "a`b");
}

TEST(LexerTest, OtherOperators) {
  auto t = Lex("( ) [ ] . - < >");
  using K = TokenKind;
  EXPECT_EQ(Kinds(t), (std::vector<K>{K::kLParen, K::kRParen, K::kLBracket, K::kRBracket, K::kDot,
                                      K::kMinus, K::kLt, K::kGt, K::kEnd}));
}

TEST(LexerTest, Numbers) {
  auto t = Lex("0 12 1.5 2e3 7E-2 3.25e+1 a.0.b");
  EXPECT_EQ(t[0].value, "0");
  EXPECT_EQ(t[1].value, "12");
  EXPECT_EQ(t[2].value, "1.5");
  EXPECT_EQ(t[3].value, "2e3");
  EXPECT_EQ(t[4].value, "7E-2");
  EXPECT_EQ(t[5].value, "3.25e+1");
  // "0." is not a number: the dot stays a separator.
  EXPECT_EQ(t[7].kind, TokenKind::kDot);
  EXPECT_EQ(t[8].value, "0");
  EXPECT_EQ(t[9].kind, TokenKind::kDot);
  EXPECT_EQ(t[10].value, "b");
}

TEST(LexerTest, StringsAndEscapes) {
  auto t = Lex(R"("a\"b" 'it''s' "\\ \/ \n \t \u00e9 \ud83d\ude00" 'q"q')");
  EXPECT_EQ(t[0].kind, TokenKind::kString);
  EXPECT_EQ(t[0].value, "a\"b");
  EXPECT_EQ(t[1].value, "it");  // no doubling for quotes: two strings
  EXPECT_EQ(t[2].value, "s");
  EXPECT_EQ(t[3].value, "\\ / \n \t \xc3\xa9 \xf0\x9f\x98\x80");
  EXPECT_EQ(t[4].value, "q\"q");
}

TEST(LexerTest, StringMaySpanLines) {
  auto t = Lex("\"one\ntwo\" x");
  EXPECT_EQ(t[0].value, "one\ntwo");
  EXPECT_EQ(t[1].pos, (Position{2, 6}));
}

TEST(LexerTest, PositionsCountLinesAndCodePoints) {
  auto t = Lex("a\n  bb\n\"é\" c\n\tx");
  EXPECT_EQ(t[0].pos, (Position{1, 1}));
  EXPECT_EQ(t[1].pos, (Position{2, 3}));
  EXPECT_EQ(t[2].pos, (Position{3, 1}));
  EXPECT_EQ(t[3].pos, (Position{3, 5}));  // é is one column
  EXPECT_EQ(t[4].pos, (Position{4, 2}));  // a tab is one column
  EXPECT_EQ(t[1].offset, 4u);
}

TEST(LexerTest, Comments) {
  auto t = Lex("a -- comment; with 'quotes\nb--x\n-c");
  using K = TokenKind;
  EXPECT_EQ(Kinds(t),
            (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kMinus, K::kIdentifier, K::kEnd}));
  EXPECT_EQ(t[1].pos, (Position{2, 1}));
}

TEST(LexerTest, NewlinesWhenAsked) {
  LexerOptions o;
  o.emit_newlines = true;
  auto t = Lex("a b\n\n  -- only a comment\nc\n", o);
  using K = TokenKind;
  EXPECT_EQ(Kinds(t), (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kNewline, K::kIdentifier,
                                      K::kNewline, K::kEnd}));
  auto u = Lex("a", o);
  EXPECT_EQ(Kinds(u), (std::vector<K>{K::kIdentifier, K::kNewline, K::kEnd}));
}

TEST(LexerTest, Errors) {
  EXPECT_EQ(LexError("a \"abc"), "1:3: unterminated string; close it with \"");
  EXPECT_EQ(LexError("a\n  'abc"), "2:3: unterminated string; close it with '");
  EXPECT_EQ(LexError("\"a\\qb\""), "1:3: unknown escape '\\q' in string; use \\\\ for a backslash");
  EXPECT_EQ(LexError("x\n\"\\u12G4\""),
            "2:2: bad \\u escape in string; write four hex digits, e.g. \\u00e9, and surrogates "
            "in pairs");
  EXPECT_EQ(LexError("\"\\ud83d\""),
            "1:2: bad \\u escape in string; write four hex digits, e.g. \\u00e9, and surrogates "
            "in pairs");
  EXPECT_EQ(LexError("a @ b"),
            "1:3: unexpected character '@'; remove it, or quote text with \"...\" and names with "
            "`...`");
  EXPECT_EQ(LexError("a ! b"),
            "1:3: unexpected character '!'; remove it, or quote text with \"...\" and names with "
            "`...`");
  EXPECT_EQ(LexError("x 12abc"),
            "1:3: malformed number '12abc'; write a number like 12 or 1.5, or back-quote a name");
  EXPECT_EQ(LexError("`abc"), "1:1: unterminated back-quoted name; close it with `");
  EXPECT_EQ(LexError("``"), "1:1: empty back-quoted name; write a name inside ``");
}

}  // namespace
}  // namespace cohort::lang
