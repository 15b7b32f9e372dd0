#include "mapping/parser.h"

#include <gtest/gtest.h>

#include <string>

namespace cohort::mapping {
namespace {

StatementAst MustParse(std::string_view text) {
  auto r = Parse(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().ToString());
  return r.ok() ? std::move(r).value() : StatementAst{};
}

TEST(ParserTest, StatementParts) {
  std::string text =
      "SELECT lower(a) AS b IF x = 1 SHORTDESC \"s\" LONGDESC \"l\" KIND string MERGEOP oldest,\n"
      "  c\n"
      "FROM events INTO user BY b OR c WHERE NOT d ALIAS q";
  StatementAst st = MustParse(text);
  ASSERT_EQ(st.columns.size(), 2u);
  const ColumnAst& c0 = st.columns[0];
  EXPECT_EQ(c0.expr.type, Expr::Type::kCall);
  EXPECT_EQ(c0.expr.name, "lower");
  ASSERT_EQ(c0.expr.args.size(), 1u);
  EXPECT_EQ(c0.expr.args[0].path, std::vector<std::string>{"a"});
  EXPECT_EQ(c0.as->text, "b");
  EXPECT_EQ(c0.as->pos, (lang::Position{1, 20}));
  ASSERT_TRUE(c0.guard.has_value());
  EXPECT_EQ(c0.guard->name, "eq");
  EXPECT_TRUE(c0.guard->is_operator);
  EXPECT_EQ(c0.guard->spelling, "=");
  EXPECT_EQ(c0.shortdesc->text, "s");
  EXPECT_EQ(c0.longdesc->text, "l");
  EXPECT_EQ(c0.kind->text, "string");
  EXPECT_EQ(c0.mergeop->text, "oldest");
  EXPECT_EQ(text.substr(c0.begin, c0.end - c0.begin),
            "lower(a) AS b IF x = 1 SHORTDESC \"s\" LONGDESC \"l\" KIND string MERGEOP oldest");
  const ColumnAst& c1 = st.columns[1];
  EXPECT_EQ(c1.expr.type, Expr::Type::kField);
  EXPECT_EQ(c1.expr.pos, (lang::Position{2, 3}));
  EXPECT_EQ(text.substr(c1.begin, c1.end - c1.begin), "c");
  EXPECT_EQ(st.from.text, "events");
  EXPECT_EQ(st.into.text, "user");
  ASSERT_EQ(st.by.size(), 2u);
  EXPECT_EQ(st.by[1].text, "c");
  EXPECT_EQ(st.by[1].pos, (lang::Position{3, 31}));
  ASSERT_TRUE(st.where.has_value());
  EXPECT_EQ(st.where->name, "not");
  EXPECT_EQ(st.alias.text, "q");
}

TEST(ParserTest, Precedence) {
  // a OR b AND NOT c = 1  →  or(a, and(b, not(eq(c, 1))))
  StatementAst st = MustParse("SELECT a OR b AND NOT c = 1 AS x FROM s INTO user BY x ALIAS q");
  const Expr& e = st.columns[0].expr;
  ASSERT_EQ(e.name, "or");
  EXPECT_EQ(e.args[0].path[0], "a");
  const Expr& and_ = e.args[1];
  ASSERT_EQ(and_.name, "and");
  EXPECT_EQ(and_.args[0].path[0], "b");
  ASSERT_EQ(and_.args[1].name, "not");
  EXPECT_EQ(and_.args[1].args[0].name, "eq");
}

TEST(ParserTest, InAndNotIn) {
  StatementAst st =
      MustParse("SELECT m NOT IN (\"a\", 2) AS x, m IN (1) AS y FROM s INTO user BY x ALIAS q");
  const Expr& x = st.columns[0].expr;
  ASSERT_EQ(x.name, "not");
  ASSERT_EQ(x.args[0].name, "in");
  ASSERT_EQ(x.args[0].args.size(), 3u);
  EXPECT_EQ(x.args[0].args[2].literal, Scalar::Int(2));
  EXPECT_EQ(st.columns[1].expr.args.size(), 2u);
}

TEST(ParserTest, Literals) {
  StatementAst st = MustParse(
      "SELECT f(1, -2, 1.5, -2.5e1, \"s\", 'q', true, FALSE, 99999999999999999999) AS x "
      "FROM s INTO user BY x ALIAS q");
  const auto& a = st.columns[0].expr.args;
  ASSERT_EQ(a.size(), 9u);
  EXPECT_EQ(a[0].literal, Scalar::Int(1));
  EXPECT_EQ(a[1].literal, Scalar::Int(-2));
  EXPECT_EQ(a[2].literal, Scalar::Number(1.5));
  EXPECT_EQ(a[3].literal, Scalar::Number(-25));
  EXPECT_EQ(a[4].literal, Scalar::String("s"));
  EXPECT_EQ(a[5].literal, Scalar::String("q"));
  EXPECT_EQ(a[6].literal, Scalar::Bool(true));
  EXPECT_EQ(a[7].literal, Scalar::Bool(false));
  EXPECT_EQ(a[8].literal, Scalar::Number(1e20));  // too big for an int
}

TEST(ParserTest, FieldPaths) {
  StatementAst st = MustParse(
      "SELECT data.`a b`.c AS x, r.0.id AS y, `select`.from AS z FROM s INTO user BY x ALIAS q");
  EXPECT_EQ(st.columns[0].expr.path, (std::vector<std::string>{"data", "a b", "c"}));
  EXPECT_EQ(st.columns[1].expr.path, (std::vector<std::string>{"r", "0", "id"}));
  EXPECT_EQ(st.columns[2].expr.path, (std::vector<std::string>{"select", "from"}));
}

TEST(ParserTest, KindSpellings) {
  StatementAst st = MustParse(
      "SELECT a KIND []string, b KIND map[string]intsum, c KIND \"map[string]time\", d KIND int "
      "FROM s INTO user BY a ALIAS q");
  EXPECT_EQ(st.columns[0].kind->text, "[]string");
  EXPECT_EQ(st.columns[1].kind->text, "map[string]intsum");
  EXPECT_EQ(st.columns[2].kind->text, "map[string]time");
  EXPECT_TRUE(st.columns[2].kind->quoted);
  EXPECT_EQ(st.columns[3].kind->text, "int");
}

TEST(ParserTest, ErrorsCarryPositions) {
  auto r = Parse("SELECT a\nFROM s\nINTO user\nBY a\nALIAS");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().position(), (lang::Position{5, 6}));
  EXPECT_EQ(r.error().message(), "expected a name after ALIAS, found end of input");
}

TEST(ParserTest, ReservedWords) {
  EXPECT_TRUE(IsReservedWord("select"));
  EXPECT_TRUE(IsReservedWord("MergeOp"));
  EXPECT_FALSE(IsReservedWord("user"));
  EXPECT_FALSE(IsReservedWord("email"));
}

}  // namespace
}  // namespace cohort::mapping
