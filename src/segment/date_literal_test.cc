#include "segment/date_literal.h"

#include <gtest/gtest.h>

namespace cohort::segment {
namespace {

constexpr int64_t kDay = 86'400'000;

DateOperand Ok(std::string_view s) {
  auto r = ParseDateString(s);
  EXPECT_TRUE(std::holds_alternative<DateOperand>(r)) << s << ": " << std::get<1>(r);
  return std::holds_alternative<DateOperand>(r) ? std::get<DateOperand>(r) : DateOperand{};
}

std::string Err(std::string_view s) {
  auto r = ParseDateString(s);
  EXPECT_TRUE(std::holds_alternative<std::string>(r)) << s;
  return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : "";
}

TEST(DateLiteralTest, Instants) {
  EXPECT_EQ(Ok("2024-06-01T14:00:12Z"), (DateOperand{false, 1717250412000}));
  EXPECT_EQ(Ok("2024-06-01T16:00:12+02:00"), (DateOperand{false, 1717250412000}));
  EXPECT_EQ(Ok("2024-06-01"), (DateOperand{false, 1717200000000}));
  EXPECT_EQ(Ok(" 2024-06-01 "), (DateOperand{false, 1717200000000}));
}

TEST(DateLiteralTest, EveryUnit) {
  EXPECT_EQ(Ok("now"), (DateOperand{true, 0}));
  EXPECT_EQ(Ok("now-1s"), (DateOperand{true, -1000}));
  EXPECT_EQ(Ok("now-90m"), (DateOperand{true, -90 * 60'000}));
  EXPECT_EQ(Ok("now+1h"), (DateOperand{true, 3'600'000}));
  EXPECT_EQ(Ok("now-7d"), (DateOperand{true, -7 * kDay}));
  EXPECT_EQ(Ok("now-2w"), (DateOperand{true, -14 * kDay}));
  EXPECT_EQ(Ok("now-1M"), (DateOperand{true, -30 * kDay}));
  EXPECT_EQ(Ok("now+1y"), (DateOperand{true, 365 * kDay}));
  EXPECT_EQ(Ok("NOW - 7 d"), (DateOperand{true, -7 * kDay}));
  EXPECT_EQ(Ok("now-10000y"), (DateOperand{true, -kMaxDateOffsetMs}));
}

TEST(DateLiteralTest, Errors) {
  EXPECT_NE(Err("yesterday").find("is not a date"), std::string::npos);
  EXPECT_NE(Err("now-7").find("add a unit"), std::string::npos);
  EXPECT_NE(Err("now-7D").find("unknown unit"), std::string::npos);
  EXPECT_NE(Err("now-7dd").find("unknown unit"), std::string::npos);
  EXPECT_NE(Err("now-d").find("whole number"), std::string::npos);
  EXPECT_NE(Err("now7d").find("write now"), std::string::npos);
  EXPECT_NE(Err("now-10001y").find("too large"), std::string::npos);
  EXPECT_NE(Err("now-99999999999999999999999s").find("too large"), std::string::npos);
  EXPECT_NE(Err("").find("is not a date"), std::string::npos);
}

}  // namespace
}  // namespace cohort::segment
