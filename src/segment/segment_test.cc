// The CompiledSegment API: Status errors, INCLUDE cycles through the saved slug, limits on
// what INCLUDE can build, values of another kind than the schema says, extreme instants,
// concurrent evaluation.
#include "segment/segment.h"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "profile/test_util.h"

namespace cohort::segment {
namespace {

using mapping::Kind;
using mapping::MergeOp;
using mapping::Scalar;
using profile::testing::Update;

constexpr int64_t kNow = 1'718'020'800'000;  // 2024-06-10T12:00:00Z
constexpr int64_t kDay = 86'400'000;

// prefix + i, built with append (operator+ on a literal trips a GCC 12 -Wrestrict false
// positive).
std::string Slug(const char* prefix, int i) {
  return std::string(prefix).append(std::to_string(i));
}

struct Fixture {
  std::map<std::string, std::string> saved;
  Schema schema;
  Fixture() {
    schema.fields = {{"age", Kind::kInt}, {"email", Kind::kString}, {"seen", Kind::kDate}};
    schema.segment_text = [this](std::string_view slug) -> std::optional<std::string> {
      auto it = saved.find(std::string(slug));
      if (it == saved.end()) return std::nullopt;
      return it->second;
    };
  }
};

profile::Profile WithDate(int64_t ms) {
  profile::Profile p;
  EXPECT_TRUE(p.Apply(Update("seen", Kind::kDate, MergeOp::kDefault, Scalar::Int(ms), 0)).ok());
  return p;
}

TEST(SegmentTest, CompileErrorIsInvalidArgumentWithPosition) {
  Fixture f;
  auto s = Compile("FILTER AND(\n  agee > 1)", f.schema);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.status().message(), "line 2, column 3: unknown field 'agee'; did you mean 'age'?");
}

TEST(SegmentTest, TextAliasAndFields) {
  Fixture f;
  auto s = Compile("FILTER AND(age > 1, EXISTS email) ALIAS adults", f.schema);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->text(), "FILTER AND(age > 1, EXISTS email) ALIAS adults");
  EXPECT_EQ((*s)->alias(), "adults");
  EXPECT_EQ((*s)->fields(), (std::set<std::string>{"age", "email"}));
  EXPECT_FALSE((*s)->time_relative());
  EXPECT_TRUE((*s)->includes().empty());
}

TEST(SegmentTest, SelfSlugMakesAnIncludeOfItselfACycle) {
  Fixture f;
  f.saved["b"] = "FILTER INCLUDE a";
  // Saved under slug "a" without an ALIAS in the text (the JSON form of POST /api/segment).
  auto s = CompileWithPosition("FILTER INCLUDE b", f.schema, "a");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().ToString(),
            "1:16: INCLUDE cycle: a → b → a; an audience cannot include itself, directly or "
            "through other audiences");
  // As an ad-hoc filter it is fine until "a" exists.
  auto adhoc = CompileWithPosition("FILTER INCLUDE b", f.schema);
  ASSERT_FALSE(adhoc.ok());
  EXPECT_NE(adhoc.error().message().find("unknown audience 'a'"), std::string::npos);
}

TEST(SegmentTest, NoSegmentTextMeansNoIncludes) {
  Schema schema;
  schema.fields = {{"age", Kind::kInt}};
  auto s = CompileWithPosition("FILTER INCLUDE x", schema);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().ToString(),
            "1:16: unknown audience 'x'; INCLUDE names a saved audience by its slug");
}

TEST(SegmentTest, LongIncludeChainIsRejected) {
  Fixture f;
  for (int i = 0; i < 200; ++i) {
    f.saved[Slug("s", i)] = "FILTER NOT INCLUDE " + Slug("s", i + 1);
  }
  f.saved["s200"] = "FILTER age > 1";
  auto s = CompileWithPosition("FILTER INCLUDE s0", f.schema);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("nested too deeply"), std::string::npos)
      << s.error().ToString();
  // A shorter chain is fine: NOT applied 100 times is the identity.
  auto ok = Compile("FILTER INCLUDE s100", f.schema);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  profile::Profile p;
  ASSERT_TRUE(p.Apply(Update("age", Kind::kInt, MergeOp::kDefault, Scalar::Int(5), 0)).ok());
  EXPECT_TRUE((*ok)->Matches(p, kNow));
  EXPECT_EQ((*ok)->includes().size(), 101u);
}

TEST(SegmentTest, DiamondIncludesAreSharedButBounded) {
  Fixture f;
  for (int i = 0; i < 30; ++i) {
    f.saved[Slug("d", i)] =
        "FILTER OR(INCLUDE " + Slug("d", i + 1) + ", INCLUDE " + Slug("d", i + 1) + ")";
  }
  f.saved["d30"] = "FILTER age = 7";
  // 2^30 conditions when expanded: rejected, and quickly (each audience is bound once).
  auto big = CompileWithPosition("FILTER INCLUDE d0", f.schema);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message().find("too large"), std::string::npos) << big.error().ToString();
  // 2^10 is fine, and evaluates like the single condition.
  auto small = Compile("FILTER INCLUDE d20", f.schema);
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  profile::Profile p;
  ASSERT_TRUE(p.Apply(Update("age", Kind::kInt, MergeOp::kDefault, Scalar::Int(7), 0)).ok());
  EXPECT_TRUE((*small)->Matches(p, kNow));
}

TEST(SegmentTest, ValueOfAnotherKindIsMissing) {
  // The schema says int; this profile was written when the field was a string.
  Fixture f;
  profile::Profile p;
  ASSERT_TRUE(
      p.Apply(Update("age", Kind::kString, MergeOp::kDefault, Scalar::String("34"), 0)).ok());
  for (const char* text : {"FILTER age = 34", "FILTER age != 34", "FILTER age > 1",
                           "FILTER age IN (34)", "FILTER age BETWEEN 1 AND 99"}) {
    auto s = Compile(text, f.schema);
    ASSERT_TRUE(s.ok()) << text;
    EXPECT_FALSE((*s)->Matches(p, kNow)) << text;
  }
  auto exists = Compile("FILTER EXISTS age", f.schema);
  ASSERT_TRUE(exists.ok());
  EXPECT_TRUE((*exists)->Matches(p, kNow));
}

TEST(SegmentTest, ExtremeInstantsDoNotOverflow) {
  Fixture f;
  auto recent = Compile("FILTER seen > \"now-10000y\"", f.schema);
  auto soon = Compile("FILTER seen < \"now+10000y\"", f.schema);
  ASSERT_TRUE(recent.ok() && soon.ok());
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  profile::Profile late = WithDate(kMax), early = WithDate(kMin);
  EXPECT_TRUE((*recent)->Matches(late, kNow));
  EXPECT_EQ((*recent)->NextChange(late, kNow), std::nullopt);  // beyond int64
  EXPECT_FALSE((*recent)->Matches(early, kNow));
  EXPECT_EQ((*recent)->NextChange(early, kNow), std::nullopt);
  EXPECT_TRUE((*soon)->Matches(early, kNow));
  EXPECT_FALSE((*soon)->Matches(late, kNow));
  EXPECT_TRUE((*soon)->Matches(early, kMin));
  EXPECT_TRUE((*recent)->Matches(late, kMax));
}

TEST(SegmentTest, NextChangeOfAWindow) {
  Fixture f;
  auto s = Compile("FILTER seen > \"now-7d\"", f.schema);
  ASSERT_TRUE(s.ok());
  const int64_t opened = kNow - 2 * kDay;
  profile::Profile p = WithDate(opened);
  EXPECT_TRUE((*s)->Matches(p, kNow));
  EXPECT_EQ((*s)->NextChange(p, kNow), opened + 7 * kDay);
  EXPECT_TRUE((*s)->Matches(p, opened + 7 * kDay - 1));
  EXPECT_FALSE((*s)->Matches(p, opened + 7 * kDay));
  EXPECT_EQ((*s)->NextChange(p, opened + 7 * kDay), std::nullopt);
  EXPECT_EQ((*s)->NextChange(profile::Profile(), kNow), std::nullopt);
}

TEST(SegmentTest, ConcurrentEvaluation) {
  Fixture f;
  auto s = Compile("FILTER AND(seen > \"now-7d\", NOT email LIKE \"*@test.com\")", f.schema);
  ASSERT_TRUE(s.ok());
  std::vector<profile::Profile> profiles;
  for (int i = 0; i < 100; ++i) profiles.push_back(WithDate(kNow - i * kDay / 10));
  std::vector<int> counts(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round) {
        for (const auto& p : profiles) counts[t] += (*s)->Matches(p, kNow) ? 1 : 0;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int c : counts) EXPECT_EQ(c, 200 * 70);  // opened less than 7 days ago: i < 70
}

}  // namespace
}  // namespace cohort::segment
