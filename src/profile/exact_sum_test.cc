#include "profile/exact_sum.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <random>
#include <vector>

#include "common/coding.h"

namespace cohort::profile {
namespace {

double Sum(const std::vector<double>& xs) {
  ExactSum s;
  for (double x : xs) EXPECT_TRUE(s.Add(x));
  return s.ToDouble();
}

TEST(ExactSumTest, CorrectlyRounded) {
  EXPECT_EQ(Sum({}), 0.0);
  EXPECT_EQ(Sum({0.1, 0.2, 0.3}), 0.6);  // a double sum gives 0.6000000000000001
  EXPECT_EQ(Sum({0.3, 0.2, 0.1}), 0.6);
  EXPECT_EQ(Sum({1e100, 1.0, -1e100}), 1.0);
  EXPECT_EQ(Sum({1e308, 1e308, -1e308}), 1e308);
  EXPECT_EQ(Sum({5e-324, 5e-324}), 1e-323);
  EXPECT_EQ(Sum({-2.5, 1.25}), -1.25);
  EXPECT_EQ(Sum({9007199254740992.0, 1.0}), 9007199254740992.0);          // tie to even
  EXPECT_EQ(Sum({9007199254740992.0, 3.0}), 9007199254740996.0);          // tie to even
  EXPECT_EQ(Sum({9007199254740992.0, 1.0, 1e-300}), 9007199254740994.0);  // sticky bit
  EXPECT_EQ(Sum({DBL_MAX, DBL_MAX}), DBL_MAX);                            // clamped
  EXPECT_EQ(Sum({-DBL_MAX, -DBL_MAX}), -DBL_MAX);
  EXPECT_FALSE(std::signbit(Sum({-1.0, 1.0})));
  EXPECT_FALSE(std::signbit(Sum({-0.0})));
}

TEST(ExactSumTest, RejectsNonFinite) {
  ExactSum s;
  EXPECT_FALSE(s.Add(NAN));
  EXPECT_FALSE(s.Add(INFINITY));
  EXPECT_TRUE(s.IsZero());
}

// Against an exact fixed-point reference: values k * 2^-20 with |k| < 2^40 sum exactly in
// __int128, and GCC converts __int128 to double with correct rounding.
TEST(ExactSumTest, MatchesFixedPointReference) {
  std::mt19937_64 rng(11);
  for (int iter = 0; iter < 2000; ++iter) {
    SCOPED_TRACE(iter);
    ExactSum s;
    __int128 ref = 0;
    int n = 1 + static_cast<int>(rng() % 50);
    for (int i = 0; i < n; ++i) {
      int64_t k = static_cast<int64_t>(rng() % (uint64_t{1} << 40)) - (int64_t{1} << 39);
      if (rng() % 4 == 0) k <<= 20;  // mix magnitudes
      ref += k;
      ASSERT_TRUE(s.Add(std::ldexp(static_cast<double>(k), -20)));
    }
    EXPECT_EQ(s.ToDouble(), std::ldexp(static_cast<double>(ref), -20));
  }
}

TEST(ExactSumTest, OrderAndGroupingDoNotMatter) {
  std::mt19937_64 rng(5);
  std::vector<double> pool = {0.1,    0.2,     0.3,   -0.7,   1e16,       -1e16,  3.5,
                              5e-324, -1e-310, 1e308, -1e308, 123456.789, 1.0 / 3};
  for (int iter = 0; iter < 500; ++iter) {
    std::vector<double> xs;
    for (int i = 0, n = 1 + static_cast<int>(rng() % 20); i < n; ++i) {
      xs.push_back(pool[rng() % pool.size()]);
    }
    ExactSum all;
    for (double x : xs) ASSERT_TRUE(all.Add(x));
    std::shuffle(xs.begin(), xs.end(), rng);
    size_t cut = rng() % (xs.size() + 1);
    ExactSum a, b;
    for (size_t i = 0; i < xs.size(); ++i) ASSERT_TRUE((i < cut ? a : b).Add(xs[i]));
    b.Merge(a);
    EXPECT_TRUE(b == all);
    EXPECT_EQ(b.ToDouble(), all.ToDouble());
  }
}

TEST(ExactSumTest, EncodingRoundTripsAndIsCanonical) {
  std::mt19937_64 rng(3);
  std::vector<double> pool = {0.0,     1.0,     -1.0,     0.1,    5e-324,
                              -5e-324, DBL_MAX, -DBL_MAX, 1e-300, -3.75};
  for (int iter = 0; iter < 500; ++iter) {
    ExactSum s;
    for (int i = 0, n = static_cast<int>(rng() % 6); i < n; ++i) {
      ASSERT_TRUE(s.Add(pool[rng() % pool.size()]));
    }
    std::string enc;
    s.EncodeTo(&enc);
    std::string_view in = enc;
    ExactSum back;
    ASSERT_TRUE(ExactSum::DecodeFrom(&in, &back));
    EXPECT_TRUE(in.empty());
    EXPECT_TRUE(back == s);
    std::string again;
    back.EncodeTo(&again);
    EXPECT_EQ(again, enc);
    for (size_t cut = 0; cut < enc.size(); ++cut) {
      std::string_view part(enc.data(), cut);
      ExactSum junk;
      EXPECT_FALSE(ExactSum::DecodeFrom(&part, &junk)) << cut;
    }
  }
  std::string small;
  ExactSum three;
  ASSERT_TRUE(three.Add(3.0));
  three.EncodeTo(&small);
  EXPECT_EQ(ToHex(small), "01b2080103");  // docs/profile.md: tag, shift 1074, 1 limb, 3
}

TEST(ExactSumTest, DecodeRejectsNonCanonicalAndOutOfRange) {
  auto decode = [](std::string bytes) {
    std::string_view in = bytes;
    ExactSum s;
    return ExactSum::DecodeFrom(&in, &s);
  };
  EXPECT_FALSE(decode(std::string("\x03", 1)));                  // bad tag
  EXPECT_FALSE(decode(std::string("\x01\x00\x00", 3)));          // no limbs
  EXPECT_FALSE(decode(std::string("\x01\x00\x01\x02", 4)));      // even low limb
  EXPECT_FALSE(decode(std::string("\x01\x00\x02\x01\x00", 5)));  // zero top limb
  EXPECT_FALSE(decode(std::string("\x01\x80\x11\x01\x01", 5)));  // shift 2176
  EXPECT_FALSE(decode(std::string("\x01\xFF\x10\x01\x01", 5)));  // 2^2175, positive
  EXPECT_TRUE(decode(std::string("\x02\xFF\x10\x01\x01", 5)));   // -2^2175 is the minimum
  EXPECT_FALSE(decode(std::string("\x02\xFF\x10\x01\x03", 5)));
  EXPECT_TRUE(decode(std::string("\x01\xFE\x10\x01\x01", 5)));
}

}  // namespace
}  // namespace cohort::profile
