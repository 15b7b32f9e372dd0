#include "ingest/body.h"

#include <gtest/gtest.h>

namespace cohort::ingest {
namespace {

stream::StreamConfig Cfg() {
  stream::StreamConfig c;
  c.timestamp_field = "timestamp";
  return c;
}

TEST(BodyParserTest, SingleObjectKeepsExactText) {
  BodyParser p;
  std::string body = "  {\"event_id\": 7, \"timestamp\": 1717250412, \"a\": {\"b\":1}}\n";
  auto r = p.Parse(body, Cfg(), 5);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->events.size(), 1u);
  EXPECT_EQ(r->events[0].raw, "{\"event_id\": 7, \"timestamp\": 1717250412, \"a\": {\"b\":1}}");
  EXPECT_EQ(r->events[0].event_id, "7");
  EXPECT_EQ(r->events[0].event_time_ms, 1717250412000);
  EXPECT_FALSE(r->events[0].time_fallback);
  ASSERT_EQ(r->events[0].fields.size(), 3u);
  EXPECT_EQ(r->events[0].fields[2].second, "{\"b\":1}");
}

TEST(BodyParserTest, ObjectSamplesUpToTheLimitExactly) {
  // Samples of objects/arrays are kept up to kMaxSampleBytes of minified JSON, dropped above.
  for (size_t len : {stream::kMaxSampleBytes, stream::kMaxSampleBytes + 1}) {
    for (bool array : {false, true}) {
      // {"k":"xxx"} is 8 + n bytes; ["xxx",1] is 6 + n bytes.
      std::string pad(len - (array ? 6 : 8), 'x');
      std::string v = array ? "[\"" + pad + "\",1]" : "{\"k\":\"" + pad + "\"}";
      ASSERT_EQ(v.size(), len);
      BodyParser p;
      auto r = p.Parse("{\"a\": " + v + ", \"e\": [], \"o\": {}}", Cfg(), 5);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_EQ(r->events[0].fields.size(), 3u);
      EXPECT_EQ(r->events[0].fields[0].second, len <= stream::kMaxSampleBytes ? v : "") << len;
      EXPECT_EQ(r->events[0].fields[1].second, "[]");
      EXPECT_EQ(r->events[0].fields[2].second, "{}");
    }
  }
}

TEST(BodyParserTest, PrettyPrintedObject) {
  BodyParser p;
  auto r = p.Parse("{\n  \"event_id\": \"x\",\n  \"timestamp\": \"1717250412\"\n}\n", Cfg(), 5);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->events.size(), 1u);
  EXPECT_EQ(r->events[0].event_time_ms, 1717250412000);
}

TEST(BodyParserTest, ArrayRejectsNonObjects) {
  BodyParser p;
  auto r = p.Parse(R"([{"event_id":"a"}, 3, "x", {"event_id":"b"}])", Cfg(), 5);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->events.size(), 2u);
  EXPECT_EQ(r->rejected, 2u);
  EXPECT_EQ(r->events[1].raw, R"({"event_id":"b"})");
  auto bad = p.Parse("[1,2]", Cfg(), 5);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(p.Parse("[]", Cfg(), 5).status().code(), StatusCode::kInvalidArgument);
}

TEST(BodyParserTest, NdjsonCountsBadLines) {
  BodyParser p;
  auto r = p.Parse("{\"event_id\":\"a\"}\n\n{bad json}\n[1]\n{\"event_id\":\"b\"}", Cfg(), 5);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 2u);
  EXPECT_EQ(r->rejected, 2u);
  EXPECT_NE(r->first_error.find("line 3"), std::string::npos) << r->first_error;
}

TEST(BodyParserTest, MalformedReportsOffset) {
  BodyParser p;
  auto r = p.Parse("{\"a\": 1, \"b\" 2}", Cfg(), 5);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("byte 13"), std::string::npos) << r.status().message();
  auto trunc = p.Parse("{\"a\": [1, 2", Cfg(), 5);
  EXPECT_NE(trunc.status().message().find("byte 11"), std::string::npos) << trunc.status().message();
  auto empty = p.Parse("   ", Cfg(), 5);
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  auto scalar = p.Parse("42", Cfg(), 5);
  EXPECT_EQ(scalar.status().code(), StatusCode::kInvalidArgument);
}

TEST(BodyParserTest, InvalidUtf8AndDeepNesting) {
  BodyParser p;
  std::string bad_utf8 = "{\"a\":\"\xff\xfe\"}";
  auto r = p.Parse(bad_utf8, Cfg(), 5);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("UTF-8"), std::string::npos) << r.status().message();
  std::string deep(100000, '[');
  auto d = p.Parse("{\"a\":" + deep + "}", Cfg(), 5);
  ASSERT_FALSE(d.ok());
  std::string nested = "{\"a\":";
  for (int i = 0; i < 200; ++i) nested += "{\"a\":";
  nested += "1";
  for (int i = 0; i < 201; ++i) nested += "}";
  auto n = p.Parse(nested, Cfg(), 5);
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().message().find("nested too deeply"), std::string::npos) << n.status().message();
  // The parser still works afterwards.
  EXPECT_TRUE(p.Parse("{\"a\":1}", Cfg(), 5).ok());
}

TEST(BodyParserTest, LargeDocumentsParse) {
  BodyParser p;
  std::string arr = "[";
  for (int i = 0; i < 40000; ++i) {
    if (i) arr += ",";
    arr += R"({"event_id":")" + std::to_string(i) + R"(","pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})";
  }
  arr += "]";
  ASSERT_GT(arr.size(), 2u << 20);
  auto r = p.Parse(arr, Cfg(), 5);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 40000u);
  std::string big = R"({"event_id":"x","pad":")" + std::string(5u << 20, 'y') + R"("})";
  EXPECT_TRUE(p.Parse(big, Cfg(), 5).ok());
}

TEST(BodyParserTest, TimestampFallback) {
  BodyParser p;
  auto r = p.Parse(R"({"timestamp":"abc"})", Cfg(), 12345);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->events[0].time_fallback);
  EXPECT_EQ(r->events[0].event_time_ms, 12345);
  auto ms = p.Parse(R"({"timestamp":1717250412123})", Cfg(), 1);
  EXPECT_EQ(ms->events[0].event_time_ms, 1717250412123);
  auto rfc = p.Parse(R"({"timestamp":"2020-03-26T19:16:39Z"})", Cfg(), 1);
  EXPECT_EQ(rfc->events[0].event_time_ms, 1585250199000);
  auto none = p.Parse(R"({"x":1})", Cfg(), 77);
  EXPECT_EQ(none->events[0].event_time_ms, 77);
  EXPECT_FALSE(none->events[0].time_fallback);
}

}  // namespace
}  // namespace cohort::ingest
