#include "mapping/convert.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "mapping/time.h"

namespace cohort::mapping {
namespace {

TEST(ConvertTest, ScalarText) {
  EXPECT_EQ(ScalarText(Scalar::Null()), "");
  EXPECT_EQ(ScalarText(Scalar::Bool(true)), "true");
  EXPECT_EQ(ScalarText(Scalar::Int(-7)), "-7");
  EXPECT_EQ(ScalarText(Scalar::Number(3.0)), "3");
  EXPECT_EQ(ScalarText(Scalar::Number(0.1)), "0.1");
  EXPECT_EQ(ScalarText(Scalar::String("x")), "x");
}

TEST(ConvertTest, ParseNumericText) {
  EXPECT_EQ(ParseNumericText("12"), Scalar::Int(12));
  EXPECT_EQ(ParseNumericText(" +12 "), Scalar::Int(12));
  EXPECT_EQ(ParseNumericText("-1.5"), Scalar::Number(-1.5));
  EXPECT_EQ(ParseNumericText("2e3"), Scalar::Number(2000));
  EXPECT_FALSE(ParseNumericText(""));
  EXPECT_FALSE(ParseNumericText("12a"));
  EXPECT_FALSE(ParseNumericText("nan"));
  EXPECT_FALSE(ParseNumericText("inf"));
  EXPECT_FALSE(ParseNumericText("0x10"));
}

TEST(ConvertTest, ToIntAndNumber) {
  EXPECT_EQ(ToInt(Scalar::Number(-2.9)), -2);
  EXPECT_EQ(ToInt(Scalar::String("7.9")), 7);
  EXPECT_EQ(ToInt(Scalar::Bool(true)), 1);
  EXPECT_FALSE(ToInt(Scalar::Number(1e19)));
  EXPECT_FALSE(ToInt(Scalar::Number(std::numeric_limits<double>::infinity())));
  EXPECT_FALSE(ToInt(Scalar::String("x")));
  EXPECT_FALSE(ToInt(Scalar::Null()));
  EXPECT_EQ(ToNumber(Scalar::Int(3)), 3.0);
  EXPECT_EQ(ToNumber(Scalar::String(" 2.5")), 2.5);
}

TEST(ConvertTest, ToBool) {
  EXPECT_EQ(ToBool(Scalar::String("TRUE")), true);
  EXPECT_EQ(ToBool(Scalar::String(" false ")), false);
  EXPECT_EQ(ToBool(Scalar::String("1")), true);
  EXPECT_EQ(ToBool(Scalar::Number(0.0)), false);
  EXPECT_FALSE(ToBool(Scalar::String("yes")));
}

TEST(ConvertTest, DateKindUsesMsAsIsOnlyWhenToldSo) {
  // 5000 as a date: seconds by magnitude, unless the value is known to be milliseconds.
  EXPECT_EQ(ToKindScalar(Scalar::Int(5000), Kind::kDate, false), Scalar::Int(5'000'000));
  EXPECT_EQ(ToKindScalar(Scalar::Int(5000), Kind::kDate, true), Scalar::Int(5000));
}

TEST(ConvertTest, CountOpTurnsAnyValueIntoOne) {
  Value v = ToValue(Datum::Of(Scalar::String("x")), Kind::kInt, MergeOp::kCount, false);
  EXPECT_EQ(v.scalar, Scalar::Int(1));
  EXPECT_TRUE(ToValue(Datum::Empty(), Kind::kInt, MergeOp::kCount, false).empty());
}

TEST(TimeTest, ParseTimeMs) {
  EXPECT_EQ(ParseTimeMs(Scalar::Int(1717250412)), 1717250412000);
  EXPECT_EQ(ParseTimeMs(Scalar::Int(1717250412000)), 1717250412000);
  EXPECT_EQ(ParseTimeMs(Scalar::Number(1717250412.5)), 1717250412500);
  EXPECT_EQ(ParseTimeMs(Scalar::String("1717250412")), 1717250412000);
  EXPECT_EQ(ParseTimeMs(Scalar::String("2024-06-01T14:00:12Z")), 1717250412000);
  EXPECT_EQ(ParseTimeMs(Scalar::String("2024-06-01T16:00:12.250+02:00")), 1717250412250);
  EXPECT_EQ(ParseTimeMs(Scalar::String("2024-06-01T10:00:12-0400")), 1717250412000);
  EXPECT_EQ(ParseTimeMs(Scalar::String("2024-06-01T14:00:12.123456789Z")), 1717250412123);
  EXPECT_EQ(ParseTimeMs(Scalar::String("1970-01-01")), 0);
  EXPECT_EQ(ParseTimeMs(Scalar::String("2000-02-29")), 951782400000);
  EXPECT_FALSE(ParseTimeMs(Scalar::String("1900-02-29")));  // not a leap year
  EXPECT_FALSE(ParseTimeMs(Scalar::String("2024-06-01T24:00:00Z")));
  EXPECT_FALSE(ParseTimeMs(Scalar::String("2024-06-01T14:00:12+25:00")));
  EXPECT_FALSE(ParseTimeMs(Scalar::String("2024-06-01T14:00:12Zjunk")));
  EXPECT_FALSE(ParseTimeMs(Scalar::String("2024-6-1")));
  EXPECT_FALSE(ParseTimeMs(Scalar::String("abc")));
  EXPECT_FALSE(ParseTimeMs(Scalar::String("")));
  EXPECT_FALSE(ParseTimeMs(Scalar::Bool(true)));
  EXPECT_FALSE(ParseTimeMs(Scalar::Null()));
  EXPECT_FALSE(ParseTimeMs(Scalar::Number(1e300)));
  EXPECT_FALSE(ParseTimeMs(Scalar::Number(std::nan(""))));
}

TEST(TimeTest, CalendarFields) {
  EXPECT_EQ(HourOfDay(1717250412000), 14);
  EXPECT_EQ(DayOfWeek(1717250412000), 6);  // Saturday
  EXPECT_EQ(DayOfWeek(0), 4);              // Thursday
  EXPECT_EQ(HourOfDay(-1), 23);
  EXPECT_EQ(DayOfWeek(-1), 3);  // Wednesday 1969-12-31
  EXPECT_EQ(CivilToMs(2024, 6, 1, 14, 0, 12, 0), 1717250412000);
}

}  // namespace
}  // namespace cohort::mapping
