#include "profile/render.h"

#include "common/time_format.h"

#include <gtest/gtest.h>

#include "profile/test_util.h"

namespace cohort::profile {
namespace {

using testing::MapUpdate;
using testing::SetUpdate;
using testing::Update;

TEST(RenderTest, FormatsRfc3339) {
  EXPECT_EQ(FormatRfc3339(1585250199000), "2020-03-26T19:16:39Z");
  EXPECT_EQ(FormatRfc3339(1585250199120), "2020-03-26T19:16:39.120Z");
  EXPECT_EQ(FormatRfc3339(1585250199005), "2020-03-26T19:16:39.005Z");
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(951782400000), "2000-02-29T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(253402300799999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(-62135596800000), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(-62167219200000), "0000-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(-62167219200001), "-0001-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(253402300800000), "10000-01-01T00:00:00Z");
  // The extremes do not crash.
  EXPECT_FALSE(FormatRfc3339(INT64_MAX).empty());
  EXPECT_FALSE(FormatRfc3339(INT64_MIN).empty());
}

TEST(RenderTest, RendersEveryKind) {
  using E = std::vector<std::pair<std::string, Scalar>>;
  Profile p;
  auto apply = [&](const mapping::FieldUpdate& u) { ASSERT_TRUE(p.Apply(u).ok()); };
  apply(Update("name", Kind::kString, MergeOp::kLatest, Scalar::String("Ann \"A\"\n"), 1));
  apply(Update("age", Kind::kInt, MergeOp::kLatest, Scalar::Int(41), 1));
  apply(Update("score", Kind::kNumber, MergeOp::kMax, Scalar::Number(2.0), 1));
  apply(Update("spend", Kind::kNumber, MergeOp::kSum, Scalar::Number(0.1), 1));
  apply(Update("spend", Kind::kNumber, MergeOp::kSum, Scalar::Number(0.2), 1));
  apply(Update("opens", Kind::kInt, MergeOp::kCount, Scalar::Int(1), 1));
  apply(Update("vip", Kind::kBool, MergeOp::kLatest, Scalar::Bool(true), 1));
  apply(Update("last_seen", Kind::kDate, MergeOp::kDefault, Scalar::Int(1585250199120), 1));
  apply(SetUpdate("tags", MergeOp::kUnion, {"b", "a", "B"}, 1));
  apply(MapUpdate("hours", Kind::kMapIntSum, MergeOp::kDefault,
                  E{{"9", Scalar::Int(1)}, {"10", Scalar::Int(2)}}, 1));
  apply(MapUpdate("prices", Kind::kMapNumber, MergeOp::kDefault, E{{"x", Scalar::Number(1.5)}}, 1));
  apply(MapUpdate("seen", Kind::kMapTime, MergeOp::kDefault, E{{"web", Scalar::Int(1585250199000)}},
                  1));
  EXPECT_EQ(RenderProfileJson(p),
            R"({"age":41,"hours":{"10":2,"9":1},"last_seen":"2020-03-26T19:16:39.120Z",)"
            R"("name":"Ann \"A\"\n","opens":1,"prices":{"x":1.5},"score":2,)"
            R"("seen":{"web":"2020-03-26T19:16:39Z"},"spend":0.30000000000000004,)"
            R"("tags":["B","a","b"],"vip":true})");
  EXPECT_EQ(RenderProfileJson(Profile()), "{}");
}

TEST(RenderTest, CallersCanAddKeys) {
  Profile p;
  ASSERT_TRUE(
      p.Apply(Update("email", Kind::kString, MergeOp::kLatest, Scalar::String("a@b.c"), 1)).ok());
  JsonWriter w;
  w.BeginObject();
  w.Key("_segments");
  w.BeginArray();
  w.String("vip");
  w.EndArray();
  WriteProfileFields(p, &w);
  w.EndObject();
  EXPECT_EQ(w.str(), R"({"_segments":["vip"],"email":"a@b.c"})");
}

}  // namespace
}  // namespace cohort::profile
