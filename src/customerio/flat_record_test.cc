#include "customerio/flat_record.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

namespace cohort::customerio {
namespace {

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

TEST(FlatRecordTest, EscapesJsonSpecials) {
  EXPECT_EQ(Quoted("plain"), R"("plain")");
  EXPECT_EQ(Quoted(""), R"("")");
  EXPECT_EQ(Quoted(R"(a"b\c/d)"), R"("a\"b\\c/d")");
  EXPECT_EQ(Quoted("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(Quoted(std::string_view("\x00\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\x7f\"");
}

TEST(FlatRecordTest, KeepsValidUtf8) {
  EXPECT_EQ(Quoted("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x8E\x89"),
            "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x8E\x89\"");
  EXPECT_EQ(Quoted("\xEF\xBF\xBF\xF4\x8F\xBF\xBF"), "\"\xEF\xBF\xBF\xF4\x8F\xBF\xBF\"");
}

TEST(FlatRecordTest, ReplacesInvalidUtf8) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(Quoted("a\xFF"
                   "b"),
            "\"a" + r + "b\"");                                        // not a lead byte
  EXPECT_EQ(Quoted("\xC3"), "\"" + r + "\"");                          // truncated
  EXPECT_EQ(Quoted("\xC0\xAF"), "\"" + r + r + "\"");                  // overlong '/'
  EXPECT_EQ(Quoted("\xE0\x80\xAF"), "\"" + r + r + r + "\"");          // overlong
  EXPECT_EQ(Quoted("\xED\xA0\x80"), "\"" + r + r + r + "\"");          // surrogate
  EXPECT_EQ(Quoted("\xF4\x90\x80\x80"), "\"" + r + r + r + r + "\"");  // above U+10FFFF
  EXPECT_EQ(Quoted("\x80x"), "\"" + r + "x\"");                        // lone continuation
}

TEST(FlatRecordTest, WritesObjectsInOrder) {
  FlatRecordWriter empty;
  EXPECT_EQ(std::move(empty).Finish(), "{}");
  FlatRecordWriter w;
  w.AddString("b", "x\"y");
  w.AddInt("a", -17);
  w.AddInt("c", 1717250412);
  EXPECT_EQ(std::move(w).Finish(), R"({"b":"x\"y","a":-17,"c":1717250412})");
}

TEST(FlatRecordTest, ReportsEachFieldsValueText) {
  FlatRecordWriter w;
  w.AddString("email", "dana@example.org");
  w.AddInt("timestamp", -5);
  w.AddString("subject", "say \"hi\"\n");
  std::vector<FlatField> fields;
  const std::string text = std::move(w).Finish(&fields);
  ASSERT_EQ(fields.size(), 3u);
  auto value = [&](size_t i) {
    return std::string_view(text).substr(fields[i].value_begin, fields[i].value_size);
  };
  EXPECT_EQ(fields[0].key, "email");
  EXPECT_EQ(value(0), R"("dana@example.org")");
  EXPECT_EQ(fields[1].key, "timestamp");
  EXPECT_EQ(value(1), "-5");
  EXPECT_EQ(fields[2].key, "subject");
  EXPECT_EQ(value(2), R"("say \"hi\"\n")");
  // The same texts a JSON parser finds (what the field catalogue stored before).
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  ASSERT_EQ(parser.parse(text).get(obj), simdjson::SUCCESS);
  size_t i = 0;
  for (auto [key, v] : obj) {
    ASSERT_LT(i, fields.size());
    EXPECT_EQ(key, fields[i].key);
    EXPECT_EQ(simdjson::minify(v), value(i));
    ++i;
  }
  EXPECT_EQ(i, fields.size());
}

TEST(FlatRecordTest, OutputAlwaysParses) {
  // Every single byte value, and every pair of high bytes, must give valid JSON.
  simdjson::dom::parser parser;
  for (int a = 0; a < 256; ++a) {
    for (int b = 0x80; b < 256; b += 7) {
      FlatRecordWriter w;
      const char bytes[] = {static_cast<char>(a), static_cast<char>(b), 'z'};
      w.AddString("k", std::string_view(bytes, 3));
      std::string text = std::move(w).Finish();
      simdjson::dom::element doc;
      EXPECT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS) << a << " " << b;
    }
  }
}

}  // namespace
}  // namespace cohort::customerio
