#include "common/time_format.h"

#include <gtest/gtest.h>

namespace cohort {
namespace {

TEST(TimeFormatTest, FormatsRfc3339) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(1585250199000), "2020-03-26T19:16:39Z");
  EXPECT_EQ(FormatRfc3339(1585250199120), "2020-03-26T19:16:39.120Z");
  EXPECT_EQ(FormatRfc3339(-1000), "1969-12-31T23:59:59Z");
}

TEST(TimeFormatTest, ParsesRfc3339) {
  EXPECT_EQ(ParseRfc3339("2020-03-26T19:16:39Z"), 1585250199000);
  EXPECT_EQ(ParseRfc3339("2020-03-26T19:16:39.12Z"), 1585250199120);
  EXPECT_EQ(ParseRfc3339("2020-03-26T21:16:39+02:00"), 1585250199000);
  EXPECT_EQ(ParseRfc3339("2020-03-26"), 1585180800000);
  EXPECT_EQ(ParseRfc3339("2020-13-26T19:16:39Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2020-03-26T19:16:39"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("abc"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2020-03-26T19:16:39Zjunk"), std::nullopt);
}

TEST(TimeFormatTest, EpochHeuristics) {
  EXPECT_EQ(ParseTimestampText("1717250412"), 1717250412000);
  EXPECT_EQ(ParseTimestampText("1717250412123"), 1717250412123);
  EXPECT_EQ(ParseTimestampText("1717250412.5"), 1717250412500);
  EXPECT_EQ(ParseTimestampText("abc"), std::nullopt);
  EXPECT_EQ(ParseTimestampText(""), std::nullopt);
  EXPECT_EQ(ParseTimestampText("1e300"), std::nullopt);
  EXPECT_EQ(EpochNumberToMs(1522339032), 1522339032000);
}

}  // namespace
}  // namespace cohort
