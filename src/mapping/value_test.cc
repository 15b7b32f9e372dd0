#include "mapping/value.h"

#include <gtest/gtest.h>

namespace cohort::mapping {
namespace {

TEST(ValueTest, KindNamesRoundTrip) {
  for (int k = 1; k <= 11; ++k) {
    Kind kind = static_cast<Kind>(k);
    EXPECT_EQ(ParseKind(KindName(kind)), kind) << k;
  }
  EXPECT_EQ(KindName(Kind::kStringSet), "[]string");
  EXPECT_EQ(KindName(Kind::kMapIntSum), "map[string]intsum");
  EXPECT_FALSE(ParseKind("String"));
  EXPECT_FALSE(ParseKind("map[string]bool"));
}

TEST(ValueTest, MergeOpNamesRoundTrip) {
  for (int k = 0; k <= 11; ++k) {
    MergeOp op = static_cast<MergeOp>(k);
    EXPECT_EQ(ParseMergeOp(MergeOpName(op)), op) << k;
  }
  EXPECT_FALSE(ParseMergeOp("newest"));
}

TEST(ValueTest, DefaultsAndAllowedOpsFollowTheSpecTable) {
  EXPECT_EQ(DefaultMergeOp(Kind::kString), MergeOp::kLatest);
  EXPECT_EQ(DefaultMergeOp(Kind::kInt), MergeOp::kLatest);
  EXPECT_EQ(DefaultMergeOp(Kind::kBool), MergeOp::kLatest);
  EXPECT_EQ(DefaultMergeOp(Kind::kDate), MergeOp::kMax);
  EXPECT_EQ(DefaultMergeOp(Kind::kStringSet), MergeOp::kUnion);
  EXPECT_EQ(DefaultMergeOp(Kind::kMapIntSum), MergeOp::kMapSum);
  EXPECT_EQ(DefaultMergeOp(Kind::kMapString), MergeOp::kMapLatest);
  EXPECT_EQ(DefaultMergeOp(Kind::kMapTime), MergeOp::kMapMax);

  // The full matrix: kind → allowed ops (besides kDefault, always allowed).
  const std::vector<std::pair<Kind, std::vector<MergeOp>>> allowed = {
      {Kind::kString, {MergeOp::kLatest, MergeOp::kOldest, MergeOp::kMax, MergeOp::kMin}},
      {Kind::kInt,
       {MergeOp::kLatest, MergeOp::kOldest, MergeOp::kMax, MergeOp::kMin, MergeOp::kSum,
        MergeOp::kCount}},
      {Kind::kNumber,
       {MergeOp::kLatest, MergeOp::kOldest, MergeOp::kMax, MergeOp::kMin, MergeOp::kSum,
        MergeOp::kCount}},
      {Kind::kBool, {MergeOp::kLatest, MergeOp::kOldest}},
      {Kind::kDate, {MergeOp::kLatest, MergeOp::kOldest, MergeOp::kMax, MergeOp::kMin}},
      {Kind::kStringSet, {MergeOp::kLatest, MergeOp::kUnion}},
      {Kind::kMapIntSum, {MergeOp::kMapSum}},
      {Kind::kMapInt, {MergeOp::kMapLatest, MergeOp::kMapMax, MergeOp::kMapMin}},
      {Kind::kMapNumber, {MergeOp::kMapLatest, MergeOp::kMapMax, MergeOp::kMapMin}},
      {Kind::kMapString, {MergeOp::kMapLatest, MergeOp::kMapMax, MergeOp::kMapMin}},
      {Kind::kMapTime, {MergeOp::kMapMax, MergeOp::kMapMin}},
  };
  for (const auto& [kind, ops] : allowed) {
    EXPECT_TRUE(MergeOpAllowed(kind, MergeOp::kDefault));
    for (int k = 1; k <= 11; ++k) {
      MergeOp op = static_cast<MergeOp>(k);
      bool want = std::find(ops.begin(), ops.end(), op) != ops.end();
      EXPECT_EQ(MergeOpAllowed(kind, op), want) << KindName(kind) << " " << MergeOpName(op);
    }
    EXPECT_TRUE(MergeOpAllowed(kind, DefaultMergeOp(kind)));
  }
}

TEST(ValueTest, IsMapKind) {
  EXPECT_FALSE(IsMapKind(Kind::kStringSet));
  EXPECT_FALSE(IsMapKind(Kind::kDate));
  EXPECT_TRUE(IsMapKind(Kind::kMapIntSum));
  EXPECT_TRUE(IsMapKind(Kind::kMapTime));
}

}  // namespace
}  // namespace cohort::mapping
