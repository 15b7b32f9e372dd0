#include "profile/json_writer.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <string>

namespace cohort::profile {
namespace {

std::string Str(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

std::string Num(double d) {
  std::string out;
  AppendJsonDouble(&out, d);
  return out;
}

TEST(JsonWriterTest, NestedContainers) {
  JsonWriter w;
  w.BeginObject();
  w.Key("a");
  w.Int(-1);
  w.Key("b");
  w.BeginArray();
  w.Bool(true);
  w.Null();
  w.BeginObject();
  w.EndObject();
  w.BeginArray();
  w.EndArray();
  w.Uint(18446744073709551615u);
  w.EndArray();
  w.Key("c");
  w.String("x");
  w.EndObject();
  EXPECT_EQ(w.str(), R"({"a":-1,"b":[true,null,{},[],18446744073709551615],"c":"x"})");
}

TEST(JsonWriterTest, EscapesStrings) {
  EXPECT_EQ(Str("plain"), "\"plain\"");
  EXPECT_EQ(Str("q\"b\\s/"), R"("q\"b\\s/")");
  EXPECT_EQ(Str("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(Str(std::string("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(Str("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
}

TEST(JsonWriterTest, InvalidUtf8BecomesReplacementCharacters) {
  const std::string kFffd = "\xEF\xBF\xBD";
  EXPECT_EQ(Str("a\xFF"
                "b"),
            "\"a" + kFffd + "b\"");
  EXPECT_EQ(Str("\xC3"), "\"" + kFffd + "\"");                          // truncated
  EXPECT_EQ(Str("\xC0\xAF"), "\"" + kFffd + kFffd + "\"");              // overlong
  EXPECT_EQ(Str("\xED\xA0\x80"), "\"" + kFffd + kFffd + kFffd + "\"");  // surrogate
  EXPECT_EQ(Str("\xF4\x90\x80\x80"), "\"" + kFffd + kFffd + kFffd + kFffd + "\"");
}

TEST(JsonWriterTest, Numbers) {
  EXPECT_EQ(Num(3), "3");
  EXPECT_EQ(Num(-0.0), "0");
  EXPECT_EQ(Num(-42), "-42");
  EXPECT_EQ(Num(0.1), "0.1");
  EXPECT_EQ(Num(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(Num(9007199254740991.0), "9007199254740991");
  EXPECT_EQ(Num(1e300), "1e+300");
  EXPECT_EQ(Num(-1.5e-7), "-1.5e-07");
  EXPECT_EQ(Num(5e-324), "5e-324");
  EXPECT_EQ(Num(NAN), "null");
  EXPECT_EQ(Num(INFINITY), "null");
  JsonWriter w;
  w.BeginArray();
  w.Int(INT64_MIN);
  w.Double(DBL_MAX);
  w.EndArray();
  EXPECT_EQ(w.str(), "[-9223372036854775808,1.7976931348623157e+308]");
}

}  // namespace
}  // namespace cohort::profile
