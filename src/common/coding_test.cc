#include "common/coding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace cohort {
namespace {

TEST(CodingTest, BigEndianRoundTripAndOrder) {
  std::mt19937_64 rng(7);
  std::vector<uint64_t> values = {0, 1, 255, 256, UINT64_MAX, uint64_t{1} << 63};
  for (int i = 0; i < 1000; ++i) values.push_back(rng());
  std::vector<std::string> keys;
  for (uint64_t v : values) {
    std::string k;
    PutBigEndian64(&k, v);
    std::string_view in = k;
    uint64_t back;
    ASSERT_TRUE(GetBigEndian64(&in, &back));
    EXPECT_EQ(back, v);
    EXPECT_TRUE(in.empty());
    keys.push_back(k);
  }
  // Byte order equals numeric order.
  std::vector<size_t> idx(values.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  for (size_t i = 1; i < idx.size(); ++i) EXPECT_LE(values[idx[i - 1]], values[idx[i]]);
}

TEST(CodingTest, OrderedInt64SortsNegativesFirst) {
  std::vector<int64_t> values = {INT64_MIN, -5, -1, 0, 1, 5, INT64_MAX};
  std::string prev;
  for (int64_t v : values) {
    std::string k;
    PutOrderedInt64(&k, v);
    if (!prev.empty()) {
      EXPECT_LT(prev, k);
    }
    std::string_view in = k;
    int64_t back;
    ASSERT_TRUE(GetOrderedInt64(&in, &back));
    EXPECT_EQ(back, v);
    prev = k;
  }
}

TEST(CodingTest, VarintsRoundTrip) {
  std::string buf;
  std::vector<int64_t> values = {0, 1, -1, 63, -64, 1 << 20, INT64_MIN, INT64_MAX};
  for (int64_t v : values) PutVarsint64(&buf, v);
  PutVarint64(&buf, UINT64_MAX);
  PutLengthPrefixed(&buf, "hello");
  std::string_view in = buf;
  for (int64_t v : values) {
    int64_t back;
    ASSERT_TRUE(GetVarsint64(&in, &back));
    EXPECT_EQ(back, v);
  }
  uint64_t u;
  ASSERT_TRUE(GetVarint64(&in, &u));
  EXPECT_EQ(u, UINT64_MAX);
  std::string_view s;
  ASSERT_TRUE(GetLengthPrefixed(&in, &s));
  EXPECT_EQ(s, "hello");
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, TruncatedInputIsRejected) {
  std::string k;
  PutBigEndian64(&k, 42);
  std::string_view in = std::string_view(k).substr(0, 7);
  uint64_t v;
  EXPECT_FALSE(GetBigEndian64(&in, &v));
  std::string p;
  PutLengthPrefixed(&p, "abcdef");
  std::string_view pin = std::string_view(p).substr(0, 4);
  std::string_view s;
  EXPECT_FALSE(GetLengthPrefixed(&pin, &s));
  std::string_view bad = "\xff\xff";
  EXPECT_FALSE(GetVarint64(&bad, &v));
}

TEST(CodingTest, Hex) {
  EXPECT_EQ(ToHex(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(FromHex("00FF10"), std::string("\x00\xff\x10", 3));
  EXPECT_EQ(FromHex("abc"), std::nullopt);
  EXPECT_EQ(FromHex("zz"), std::nullopt);
}

}  // namespace
}  // namespace cohort
