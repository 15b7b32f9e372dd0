// Every prefix and many one-byte mutations of a real statement must either compile or fail
// with a position inside the text: the parser and binder never crash or loop on bad input.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "mapping/query.h"

namespace cohort::mapping {
namespace {

// The statement of the first record of customerio_default.test.
std::string DefaultQuery() {
  std::ifstream in(std::string(COHORT_SOURCE_DIR) +
                   "/tests/golden/mapping/customerio_default.test");
  std::string line, text;
  bool in_statement = false;
  while (std::getline(in, line)) {
    if (line == "statement ok") {
      in_statement = true;
      continue;
    }
    if (in_statement && (line == "----" || line.empty())) break;
    if (in_statement) text += line + "\n";
  }
  return text;
}

void CheckPositionInside(const std::string& text, const lang::LangError& e) {
  int lines = 1;
  for (char c : text) lines += c == '\n';
  EXPECT_GE(e.position().line, 1);
  EXPECT_LE(e.position().line, lines);
  EXPECT_GE(e.position().column, 1);
  EXPECT_FALSE(e.message().empty());
}

TEST(RobustnessTest, DefaultQueryCompiles) {
  std::string text = DefaultQuery();
  ASSERT_GT(text.size(), 500u);
  auto q = CompileWithPosition(text);
  ASSERT_TRUE(q.ok()) << q.error().ToString();
  EXPECT_EQ(q.value()->columns().size(), 16u);
}

TEST(RobustnessTest, EveryPrefix) {
  std::string text = DefaultQuery();
  for (size_t n = 0; n < text.size(); ++n) {
    std::string prefix = text.substr(0, n);
    auto q = CompileWithPosition(prefix);
    if (!q.ok()) CheckPositionInside(prefix, q.error());
  }
}

TEST(RobustnessTest, OneByteMutations) {
  std::string text = DefaultQuery();
  const std::string replacements = "\"'`(),.=<>!-;[]\n x0\\@";
  for (size_t i = 0; i < text.size(); ++i) {
    for (char r : replacements) {
      std::string m = text;
      m[i] = r;
      auto q = CompileWithPosition(m);
      if (!q.ok()) CheckPositionInside(m, q.error());
    }
    std::string deleted = text;
    deleted.erase(i, 1);
    auto q = CompileWithPosition(deleted);
    if (!q.ok()) CheckPositionInside(deleted, q.error());
  }
}

TEST(RobustnessTest, DeepNestingAndLongInput) {
  std::string deep = "SELECT ";
  for (int i = 0; i < 200; ++i) deep += "lower(";
  deep += "a";
  for (int i = 0; i < 200; ++i) deep += ")";
  deep += " AS b, a FROM s INTO user BY a ALIAS x";
  auto q = CompileWithPosition(deep);
  ASSERT_TRUE(q.ok()) << q.error().ToString();
  auto r = q.value()->EvaluateJson(R"({"a":"ABC"})", 1, 2);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()->updates[0].value.scalar, Scalar::String("abc"));
}

TEST(RobustnessTest, TooDeepIsAnErrorNotACrash) {
  auto expect_too_deep = [](const std::string& expr) {
    auto q = CompileWithPosition("SELECT " + expr + " AS b, a FROM s INTO user BY a ALIAS x");
    ASSERT_FALSE(q.ok());
    EXPECT_NE(q.error().message().find("nested too deeply"), std::string::npos)
        << q.error().ToString();
  };
  expect_too_deep(std::string(100000, '(') + "a" + std::string(100000, ')'));
  std::string calls;
  for (int i = 0; i < 100000; ++i) calls += "lower(";
  expect_too_deep(calls + "a" + std::string(100000, ')'));
  std::string nots;
  for (int i = 0; i < 100000; ++i) nots += "NOT ";
  expect_too_deep(nots + "a");
  std::string chain = "a = 1";
  for (int i = 0; i < 100000; ++i) chain += " AND a = 1";
  expect_too_deep(chain);
  std::string ors = "a";
  for (int i = 0; i < 100000; ++i) ors += " OR (a AND a)";
  expect_too_deep(ors);
}

}  // namespace
}  // namespace cohort::mapping
