#include "http/url.h"

#include <gtest/gtest.h>

namespace cohort::http {
namespace {

TEST(PercentDecodeTest, DecodesEscapesAndPlus) {
  EXPECT_EQ(*PercentDecode("a%20b%2Fc%2bd", false), "a b/c+d");
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(*PercentDecode("a+b", true), "a b");
  EXPECT_EQ(*PercentDecode("%e2%82%AC", false), "\xe2\x82\xac");
  EXPECT_EQ(*PercentDecode("", true), "");
}

TEST(PercentDecodeTest, RejectsMalformedEscapes) {
  for (const char* bad : {"%", "%2", "%zz", "ab%g1", "x%2"}) {
    StatusOr<std::string> r = PercentDecode(bad, false);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("percent-encoding"), std::string::npos);
  }
}

TEST(ParseQueryTest, SplitsAndDecodesInOrder) {
  auto q = ParseQuery("b=2&a=x+y%26z&&flag&=v&a=again");
  ASSERT_TRUE(q.ok());
  std::vector<std::pair<std::string, std::string>> want = {
      {"b", "2"}, {"a", "x y&z"}, {"flag", ""}, {"", "v"}, {"a", "again"}};
  EXPECT_EQ(*q, want);
  EXPECT_FALSE(ParseQuery("a=%x").ok());
}

TEST(DecodeTargetTest, SplitsPathQueryAndDropsFragment) {
  auto t = DecodeTarget("/collect/json/my%20stream?key=a%2Bb+c#frag");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->path, "/collect/json/my stream");
  ASSERT_EQ(t->query.size(), 1u);
  EXPECT_EQ(t->query[0].second, "a+b c");
  auto no_query = DecodeTarget("/a+b");
  ASSERT_TRUE(no_query.ok());
  EXPECT_EQ(no_query->path, "/a+b");
  EXPECT_TRUE(no_query->query.empty());
}

}  // namespace
}  // namespace cohort::http
