#include "lang/error.h"

#include <gtest/gtest.h>

#include "lang/lexer.h"
#include "lang/token_stream.h"

namespace cohort::lang {
namespace {

TEST(LangErrorTest, RendersAndConverts) {
  LangError e({3, 14}, "unknown function 'lowr'; check the spelling");
  EXPECT_EQ(e.ToString(), "3:14: unknown function 'lowr'; check the spelling");
  Status s = e.ToStatus();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "line 3, column 14: unknown function 'lowr'; check the spelling");
}

Result<int> Half(int x) {
  if (x % 2) return LangError({1, 1}, "odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  LANG_ASSIGN_OR_RETURN(int h, Half(x));
  LANG_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Check Even(int x) {
  if (x % 2) return LangError({2, 5}, "odd");
  return std::nullopt;
}

Result<int> Checked(int x) {
  LANG_RETURN_IF_ERROR(Even(x));
  return x;
}

TEST(LangErrorTest, ResultAndMacros) {
  EXPECT_EQ(Quarter(8).value(), 2);
  EXPECT_FALSE(Quarter(6).ok());
  EXPECT_EQ(Quarter(6).status().message(), "line 1, column 1: odd");
  EXPECT_TRUE(Quarter(8).status().ok());
  EXPECT_EQ(Checked(4).value(), 4);
  EXPECT_EQ(Checked(3).error().position(), (Position{2, 5}));
}

TEST(TokenStreamTest, ExpectAndAccept) {
  auto tokens = Tokenize("FROM x (");
  ASSERT_TRUE(tokens.ok());
  TokenStream ts(std::move(tokens).value());
  EXPECT_FALSE(ts.AcceptKeyword("select"));
  EXPECT_TRUE(ts.ExpectKeyword("FROM").ok());
  EXPECT_EQ(ts.Previous().text, "FROM");
  auto name = ts.Expect(TokenKind::kIdentifier, "a stream name");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->value, "x");
  auto bad = ts.Expect(TokenKind::kComma, "','", "separate columns with commas");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().ToString(), "1:8: expected ',', found '('; separate columns with commas");
  EXPECT_TRUE(ts.Accept(TokenKind::kLParen));
  EXPECT_TRUE(ts.AtEnd());
  EXPECT_EQ(ts.Unexpected("INTO").ToString(), "1:9: expected INTO, found end of input");
  ts.Next();  // never moves past the end
  EXPECT_TRUE(ts.AtEnd());
}

}  // namespace
}  // namespace cohort::lang
