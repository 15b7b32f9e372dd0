#include "stream/key_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace cohort::stream {
namespace {

TEST(KeyCodecTest, LogKeysSortBySeq) {
  std::vector<uint64_t> seqs = {1, 2, 255, 256, 65535, 65536, uint64_t{1} << 40};
  for (size_t i = 1; i < seqs.size(); ++i) EXPECT_LT(LogKey(seqs[i - 1]), LogKey(seqs[i]));
  uint64_t back;
  ASSERT_TRUE(DecodeLogKey(LogKey(123456789), &back));
  EXPECT_EQ(back, 123456789u);
  EXPECT_FALSE(DecodeLogKey("short", &back));
}

TEST(KeyCodecTest, StreamIndexGroupsByStreamThenSeq) {
  std::mt19937_64 rng(1);
  std::vector<std::pair<uint32_t, uint64_t>> v;
  for (int i = 0; i < 500; ++i) v.push_back({static_cast<uint32_t>(rng() % 5), rng() % 100000});
  std::vector<std::string> keys;
  for (auto [s, q] : v) keys.push_back(StreamIndexKey(s, q));
  auto sorted_v = v;
  std::sort(sorted_v.begin(), sorted_v.end());
  std::sort(keys.begin(), keys.end());
  for (size_t i = 0; i < keys.size(); ++i) {
    uint32_t s;
    uint64_t q;
    ASSERT_TRUE(DecodeStreamIndexKey(keys[i], &s, &q));
    EXPECT_EQ(s, sorted_v[i].first);
    EXPECT_EQ(q, sorted_v[i].second);
  }
}

TEST(KeyCodecTest, DedupValueRoundTrip) {
  int64_t t;
  uint64_t seq;
  ASSERT_TRUE(DecodeDedupValue(DedupValue(1717250412000, 99), &t, &seq));
  EXPECT_EQ(t, 1717250412000);
  EXPECT_EQ(seq, 99u);
  EXPECT_FALSE(DecodeDedupValue("abc", &t, &seq));
  // Keys of different streams never collide, even with prefix-related ids.
  EXPECT_NE(DedupKey(1, "ab"), DedupKey(1, "a"));
  EXPECT_LT(DedupKey(1, "zzz"), DedupKey(2, ""));
}

TEST(KeyCodecTest, MetaPrefixScopesKinds) {
  EXPECT_EQ(MetaKey("token", "abc").rfind(MetaPrefix("token"), 0), 0u);
  EXPECT_NE(MetaKey("tokens", "abc").rfind(MetaPrefix("token"), 0), 0u);
}

TEST(KeyCodecTest, LogRecordIsHeaderThenRawBytes) {
  // The writer stores header + raw without building EncodeLogRecord's string: same bytes.
  LogRecord r{300, 1717250413000, -5, kFlagTimeFallback, R"({"a":1})"};
  std::string h;
  EncodeLogRecordHeader(r, &h);
  EXPECT_EQ(h + std::string(r.raw), EncodeLogRecord(r));
  EXPECT_EQ(std::string("\x01\xac\x02", 3), h.substr(0, 3));  // version 1, varint 300
}

TEST(KeyCodecTest, LogRecordRoundTripAndCorruption) {
  LogRecord r{7, 1717250413000, 1717250412000, kFlagTimeFallback, R"({"a":1})"};
  std::string v = EncodeLogRecord(r);
  LogRecord back;
  ASSERT_TRUE(DecodeLogRecord(v, &back).ok());
  EXPECT_EQ(back.stream_id, 7u);
  EXPECT_EQ(back.received_at_ms, r.received_at_ms);
  EXPECT_EQ(back.event_time_ms, r.event_time_ms);
  EXPECT_EQ(back.flags, kFlagTimeFallback);
  EXPECT_EQ(back.raw, r.raw);
  for (size_t n = 0; n < 5; ++n) {
    EXPECT_FALSE(DecodeLogRecord(std::string_view(v).substr(0, n), &back).ok()) << n;
  }
  std::string bad = v;
  bad[0] = 9;
  EXPECT_EQ(DecodeLogRecord(bad, &back).code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace cohort::stream
