#include "segment/like.h"

#include <gtest/gtest.h>

namespace cohort::segment {
namespace {

bool Like(std::string_view pattern, std::string_view text) {
  return LikePattern(pattern).Matches(text);
}

TEST(LikeTest, NoStarIsCaseInsensitiveEquality) {
  EXPECT_TRUE(Like("abc", "abc"));
  EXPECT_TRUE(Like("abc", "ABC"));
  EXPECT_TRUE(Like("ABC", "abc"));
  EXPECT_FALSE(Like("abc", "abcd"));
  EXPECT_FALSE(Like("abc", "ab"));
  EXPECT_TRUE(Like("", ""));
  EXPECT_FALSE(Like("", "a"));
}

TEST(LikeTest, Stars) {
  EXPECT_TRUE(Like("*", ""));
  EXPECT_TRUE(Like("*", "anything"));
  EXPECT_TRUE(Like("**", "x"));
  EXPECT_TRUE(Like("gmail*", "GMail.com"));
  EXPECT_FALSE(Like("gmail*", "x@gmail.com"));
  EXPECT_TRUE(Like("*@gmail.com", "x@GMAIL.com"));
  EXPECT_TRUE(Like("*sale*", "Summer SALE now"));
  EXPECT_TRUE(Like("a*b*c", "abc"));
  EXPECT_TRUE(Like("a*b*c", "a-b-b-c"));
  EXPECT_FALSE(Like("a*b*c", "a-c-b"));
  EXPECT_FALSE(Like("a*b*c", "ab"));
  // Prefix and suffix may not overlap.
  EXPECT_FALSE(Like("ab*ba", "aba"));
  EXPECT_TRUE(Like("ab*ba", "abba"));
  EXPECT_TRUE(Like("*aa*aa*", "aaaa"));
  EXPECT_FALSE(Like("*aa*aa*", "aaa"));
}

TEST(LikeTest, Escapes) {
  EXPECT_TRUE(Like("50\\*", "50*"));
  EXPECT_FALSE(Like("50\\*", "500"));
  EXPECT_TRUE(Like("a\\\\b", "a\\b"));
  EXPECT_TRUE(Like("trailing\\", "trailing\\"));
}

TEST(LikeTest, NonAsciiMatchesExactly) {
  EXPECT_TRUE(Like("caf\xc3\xa9*", "caf\xc3\xa9 noir"));
  EXPECT_FALSE(Like("CAF\xc3\x89", "caf\xc3\xa9"));  // É and é differ beyond ASCII
}

}  // namespace
}  // namespace cohort::segment
