#include "profile/field_state.h"

#include <gtest/gtest.h>

#include <vector>

#include "profile/profile.h"
#include "profile/test_util.h"

namespace cohort::profile {
namespace {

using testing::MapUpdate;
using testing::SetUpdate;
using testing::Update;

// Builds a field from updates applied in order; fails the test on any error.
FieldState Build(const std::vector<mapping::FieldUpdate>& updates, FieldOptions opt = {}) {
  Profile p;
  for (const auto& u : updates) EXPECT_TRUE(p.Apply(u, opt).ok());
  const FieldState* s = p.Find(updates.at(0).field);
  EXPECT_NE(s, nullptr);
  return *s;
}

Scalar ValueOf(const std::vector<mapping::FieldUpdate>& updates) {
  return Build(updates).value().scalar;
}

TEST(CompareScalarTest, TotalOrder) {
  EXPECT_TRUE(CompareScalar(Scalar::Null(), Scalar::Bool(false)) < 0);
  EXPECT_TRUE(CompareScalar(Scalar::Bool(true), Scalar::Int(-5)) < 0);
  EXPECT_TRUE(CompareScalar(Scalar::Int(9), Scalar::Number(-1)) < 0);
  EXPECT_TRUE(CompareScalar(Scalar::Number(1e308), Scalar::String("")) < 0);
  EXPECT_TRUE(CompareScalar(Scalar::String("B"), Scalar::String("a")) < 0);
  EXPECT_TRUE(CompareScalar(Scalar::String("z"), Scalar::String("\xC3\xA9")) <
              0);  // bytes unsigned
  EXPECT_TRUE(CompareScalar(Scalar::Int(3), Scalar::Int(3)) == 0);
  EXPECT_TRUE(CompareScalar(Scalar::Number(-2.5), Scalar::Number(0.1)) < 0);
}

TEST(FieldStateTest, LatestAndOldestCompareEventTimeThenValue) {
  auto a = Update("f", Kind::kString, MergeOp::kLatest, Scalar::String("a"), 5);
  auto b = Update("f", Kind::kString, MergeOp::kLatest, Scalar::String("b"), 5);
  auto old = Update("f", Kind::kString, MergeOp::kLatest, Scalar::String("z"), 1);
  EXPECT_EQ(ValueOf({a, b, old}).s, "b");  // tie on time: greater value
  EXPECT_EQ(ValueOf({old, b, a}).s, "b");
  for (auto* u : {&a, &b, &old}) u->op = MergeOp::kOldest;
  EXPECT_EQ(ValueOf({a, b, old}).s, "z");
  a.event_time_ms = b.event_time_ms = old.event_time_ms = 0;
  EXPECT_EQ(ValueOf({b, old, a}).s, "a");  // tie on time: smaller value
}

TEST(FieldStateTest, DefaultOpsResolve) {
  auto u = Update("f", Kind::kDate, MergeOp::kDefault, Scalar::Int(10), 100);
  auto v = Update("f", Kind::kDate, MergeOp::kDefault, Scalar::Int(20), 1);
  FieldState s = Build({u, v});
  EXPECT_EQ(s.op(), MergeOp::kMax);
  EXPECT_EQ(s.value().scalar, Scalar::Int(20));
  EXPECT_EQ(FieldState::ResolveOp(Kind::kBool, MergeOp::kDefault), MergeOp::kLatest);
  EXPECT_EQ(FieldState::ResolveOp(Kind::kStringSet, MergeOp::kDefault), MergeOp::kUnion);
  EXPECT_EQ(FieldState::ResolveOp(Kind::kMapTime, MergeOp::kDefault), MergeOp::kMapMax);
  EXPECT_EQ(FieldState::ResolveOp(Kind::kBool, MergeOp::kMax), std::nullopt);
  EXPECT_EQ(FieldState::ResolveOp(Kind::kMapIntSum, MergeOp::kMapLatest), std::nullopt);
  EXPECT_EQ(FieldState::ResolveOp(Kind::kString, MergeOp::kSum), std::nullopt);
  EXPECT_EQ(testing::AllKindOps().size(), 36u);  // the SPEC §5.3 table: 4+6+6+2+4+2+1+3*3+2
}

TEST(FieldStateTest, MaxMinSumCount) {
  auto mk = [](MergeOp op, Scalar v, int64_t t) { return Update("n", Kind::kInt, op, v, t); };
  EXPECT_EQ(ValueOf({mk(MergeOp::kMax, Scalar::Int(3), 9), mk(MergeOp::kMax, Scalar::Int(7), 1)}),
            Scalar::Int(7));
  EXPECT_EQ(ValueOf({mk(MergeOp::kMin, Scalar::Int(3), 9), mk(MergeOp::kMin, Scalar::Int(7), 1)}),
            Scalar::Int(3));
  EXPECT_EQ(ValueOf({mk(MergeOp::kSum, Scalar::Int(3), 9), mk(MergeOp::kSum, Scalar::Int(-7), 1),
                     mk(MergeOp::kSum, Scalar::Number(2.0), 1)}),
            Scalar::Int(-2));
  EXPECT_EQ(ValueOf({mk(MergeOp::kCount, Scalar::Int(3), 9), mk(MergeOp::kCount, Scalar::Int(3), 9),
                     mk(MergeOp::kCount, Scalar::Number(0.5), 1)}),
            Scalar::Int(3));
  // Wrapping keeps sums associative even at the edges.
  EXPECT_EQ(ValueOf({mk(MergeOp::kSum, Scalar::Int(INT64_MAX), 0),
                     mk(MergeOp::kSum, Scalar::Int(1), 0), mk(MergeOp::kSum, Scalar::Int(-1), 0)}),
            Scalar::Int(INT64_MAX));
  auto num = [](double d) {
    return Update("x", Kind::kNumber, MergeOp::kSum, Scalar::Number(d), 0);
  };
  EXPECT_EQ(ValueOf({num(0.1), num(0.2), num(0.3)}), Scalar::Number(0.6));
  EXPECT_EQ(ValueOf({num(0.3), num(0.2), num(0.1)}), Scalar::Number(0.6));
  auto s = Update("s", Kind::kString, MergeOp::kMax, Scalar::String("apple"), 0);
  auto t = Update("s", Kind::kString, MergeOp::kMax, Scalar::String("pear"), 0);
  EXPECT_EQ(ValueOf({t, s}).s, "pear");
}

TEST(FieldStateTest, BoolAndDate) {
  auto b1 = Update("b", Kind::kBool, MergeOp::kLatest, Scalar::Bool(true), 2);
  auto b2 = Update("b", Kind::kBool, MergeOp::kLatest, Scalar::Bool(false), 3);
  EXPECT_EQ(ValueOf({b2, b1}), Scalar::Bool(false));
  b1.op = b2.op = MergeOp::kOldest;
  EXPECT_EQ(ValueOf({b2, b1}), Scalar::Bool(true));
  auto d1 = Update("d", Kind::kDate, MergeOp::kMin, Scalar::Int(500), 2);
  auto d2 = Update("d", Kind::kDate, MergeOp::kMin, Scalar::Number(400.0), 3);
  EXPECT_EQ(ValueOf({d1, d2}), Scalar::Int(400));
  d1.op = d2.op = MergeOp::kLatest;
  EXPECT_EQ(ValueOf({d2, d1}), Scalar::Int(400));
}

TEST(FieldStateTest, WrongValuesAreRejected) {
  auto bad = [](mapping::FieldUpdate u) { return FieldState::FromUpdate(u).status().code(); };
  const auto kInvalid = StatusCode::kInvalidArgument;
  EXPECT_EQ(bad(Update("f", Kind::kInt, MergeOp::kLatest, Scalar::String("5"), 0)), kInvalid);
  EXPECT_EQ(bad(Update("f", Kind::kInt, MergeOp::kLatest, Scalar::Number(1.5), 0)), kInvalid);
  EXPECT_EQ(bad(Update("f", Kind::kInt, MergeOp::kLatest, Scalar::Number(1e19), 0)), kInvalid);
  EXPECT_EQ(bad(Update("f", Kind::kNumber, MergeOp::kSum, Scalar::Number(NAN), 0)), kInvalid);
  EXPECT_EQ(bad(Update("f", Kind::kNumber, MergeOp::kMax, Scalar::Number(INFINITY), 0)), kInvalid);
  EXPECT_EQ(bad(Update("f", Kind::kBool, MergeOp::kLatest, Scalar::Int(1), 0)), kInvalid);
  EXPECT_EQ(bad(Update("f", Kind::kBool, MergeOp::kMax, Scalar::Bool(true), 0)), kInvalid);
  EXPECT_EQ(bad(Update("f", Kind::kString, MergeOp::kLatest, Scalar::Null(), 0)), kInvalid);
  EXPECT_EQ(bad(SetUpdate("f", MergeOp::kOldest, {"a"}, 0)), kInvalid);
  EXPECT_EQ(bad(Update("f", Kind::kStringSet, MergeOp::kUnion, Scalar::String("a"), 0)), kInvalid);
  EXPECT_EQ(bad(MapUpdate("f", Kind::kMapTime, MergeOp::kMapMax, {{"k", Scalar::String("x")}}, 0)),
            kInvalid);
  Status st =
      FieldState::FromUpdate(Update("age", Kind::kInt, MergeOp::kLatest, Scalar::String("x"), 0))
          .status();
  EXPECT_EQ(st.message(), "field age: a string value does not fit kind int");
  FieldOptions zero;
  zero.set_cap = 0;
  EXPECT_FALSE(FieldState::FromUpdate(SetUpdate("f", MergeOp::kUnion, {"a"}, 0), zero).ok());
  // -0 is stored as 0, so it equals 0 everywhere.
  auto z =
      FieldState::FromUpdate(Update("f", Kind::kNumber, MergeOp::kMax, Scalar::Number(-0.0), 0));
  ASSERT_TRUE(z.ok());
  EXPECT_FALSE(std::signbit(z->value().scalar.d));
}

TEST(FieldStateTest, SetUnionKeepsMostRecentMembersUpToCap) {
  FieldOptions cap3;
  cap3.set_cap = 3;
  FieldState s = Build(
      {SetUpdate("t", MergeOp::kUnion, {"a", "b"}, 10), SetUpdate("t", MergeOp::kUnion, {"c"}, 20),
       SetUpdate("t", MergeOp::kUnion, {"d"}, 5),   // oldest: dropped
       SetUpdate("t", MergeOp::kUnion, {"a"}, 1)},  // older sighting of a
      cap3);
  EXPECT_EQ(s.value().set, (std::vector<std::string>{"a", "b", "c"}));
  const auto& u = std::get<SetUnion>(s.rep());
  EXPECT_EQ(u.members.at("a"), 10);  // most recent time kept
  // Ties on time: the greater string is dropped first.
  FieldState t = Build({SetUpdate("t", MergeOp::kUnion, {"d", "c", "b", "a", "a"}, 7)}, cap3);
  EXPECT_EQ(t.value().set, (std::vector<std::string>{"a", "b", "c"}));
  // A dropped member that comes back with an old time stays dropped; with a new one it
  // displaces the least recent.
  FieldState v = Build({SetUpdate("t", MergeOp::kUnion, {"a", "b", "c", "d"}, 7),
                        SetUpdate("t", MergeOp::kUnion, {"d"}, 6)},
                       cap3);
  EXPECT_EQ(v.value().set, (std::vector<std::string>{"a", "b", "c"}));
  FieldState w = Build({SetUpdate("t", MergeOp::kUnion, {"a", "b", "c", "d"}, 7),
                        SetUpdate("t", MergeOp::kUnion, {"d"}, 8)},
                       cap3);
  EXPECT_EQ(w.value().set, (std::vector<std::string>{"a", "b", "d"}));
}

TEST(FieldStateTest, SetUnionDefaultCapIsOneThousand) {
  Profile p;
  for (int i = 0; i < 1500; ++i) {
    ASSERT_TRUE(p.Apply(SetUpdate("t", MergeOp::kUnion, {"m" + std::to_string(i)}, i)).ok());
  }
  auto set = p.Find("t")->value().set;
  EXPECT_EQ(set.size(), 1000u);
  EXPECT_EQ(std::count(set.begin(), set.end(), "m499"), 0);
  EXPECT_EQ(std::count(set.begin(), set.end(), "m500"), 1);
}

TEST(FieldStateTest, SetLatestKeepsTheLatestEventsSet) {
  auto a = SetUpdate("t", MergeOp::kLatest, {"x", "y"}, 5);
  auto b = SetUpdate("t", MergeOp::kLatest, {"q"}, 9);
  auto c = SetUpdate("t", MergeOp::kLatest, {"z"}, 9);
  EXPECT_EQ(Build({a, b, c}).value().set, std::vector<std::string>{"z"});
  EXPECT_EQ(Build({c, b, a}).value().set, std::vector<std::string>{"z"});  // tie: greater set
  EXPECT_EQ(Build({SetUpdate("t", MergeOp::kLatest, {"b", "a", "b"}, 1)}).value().set,
            (std::vector<std::string>{"a", "b"}));
}

TEST(FieldStateTest, MapsMergePerKey) {
  using E = std::vector<std::pair<std::string, Scalar>>;
  FieldState sum = Build({MapUpdate("m", Kind::kMapIntSum, MergeOp::kDefault,
                                    E{{"a", Scalar::Int(2)}, {"a", Scalar::Int(3)}}, 0),
                          MapUpdate("m", Kind::kMapIntSum, MergeOp::kDefault,
                                    E{{"b", Scalar::Int(1)}, {"a", Scalar::Int(-1)}}, 0)});
  EXPECT_EQ(sum.value().map, (E{{"a", Scalar::Int(4)}, {"b", Scalar::Int(1)}}));
  FieldState latest = Build(
      {MapUpdate("m", Kind::kMapString, MergeOp::kMapLatest, E{{"a", Scalar::String("new")}}, 9),
       MapUpdate("m", Kind::kMapString, MergeOp::kMapLatest,
                 E{{"a", Scalar::String("old")}, {"b", Scalar::String("x")}}, 3)});
  EXPECT_EQ(latest.value().map, (E{{"a", Scalar::String("new")}, {"b", Scalar::String("x")}}));
  FieldState mx =
      Build({MapUpdate("m", Kind::kMapNumber, MergeOp::kMapMax, E{{"a", Scalar::Number(1.5)}}, 9),
             MapUpdate("m", Kind::kMapNumber, MergeOp::kMapMax, E{{"a", Scalar::Int(2)}}, 3)});
  EXPECT_EQ(mx.value().map, (E{{"a", Scalar::Number(2)}}));
  FieldState tmin =
      Build({MapUpdate("m", Kind::kMapTime, MergeOp::kMapMin, E{{"a", Scalar::Int(100)}}, 9),
             MapUpdate("m", Kind::kMapTime, MergeOp::kMapMin, E{{"a", Scalar::Int(50)}}, 3)});
  EXPECT_EQ(tmin.value().map, (E{{"a", Scalar::Int(50)}}));
}

TEST(ProfileTest, EmptyValuesAndConflicts) {
  Profile p;
  mapping::FieldUpdate empty;
  empty.field = "f";
  EXPECT_TRUE(p.Apply(empty).ok());
  EXPECT_TRUE(p.empty());
  ASSERT_TRUE(p.Apply(Update("f", Kind::kInt, MergeOp::kLatest, Scalar::Int(1), 0)).ok());
  Status st = p.Apply(Update("f", Kind::kInt, MergeOp::kMax, Scalar::Int(2), 0));
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(p.Find("f")->value().scalar, Scalar::Int(1));

  Profile q;
  ASSERT_TRUE(q.Apply(Update("a", Kind::kInt, MergeOp::kLatest, Scalar::Int(1), 0)).ok());
  ASSERT_TRUE(q.Apply(Update("f", Kind::kString, MergeOp::kLatest, Scalar::String("x"), 0)).ok());
  Profile before = p;
  EXPECT_EQ(p.Merge(q).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(p, before);  // nothing merged, not even field a
}

TEST(FieldStateTest, FromRepChecksInvariants) {
  EXPECT_TRUE(
      FieldState::FromRep(Kind::kInt, MergeOp::kLatest, TimedValue{1, Scalar::Int(1)}).ok());
  EXPECT_FALSE(
      FieldState::FromRep(Kind::kInt, MergeOp::kLatest, ExtremeValue{Scalar::Int(1)}).ok());
  EXPECT_FALSE(
      FieldState::FromRep(Kind::kInt, MergeOp::kLatest, TimedValue{1, Scalar::String("1")}).ok());
  EXPECT_FALSE(
      FieldState::FromRep(Kind::kNumber, MergeOp::kMax, ExtremeValue{Scalar::Number(-0.0)}).ok());
  EXPECT_FALSE(
      FieldState::FromRep(Kind::kNumber, MergeOp::kMax, ExtremeValue{Scalar::Number(NAN)}).ok());
  EXPECT_FALSE(
      FieldState::FromRep(Kind::kInt, MergeOp::kDefault, TimedValue{1, Scalar::Int(1)}).ok());
  SetUnion over;
  over.cap = 1;
  over.members = {{"a", 1}, {"b", 1}};
  EXPECT_FALSE(FieldState::FromRep(Kind::kStringSet, MergeOp::kUnion, over).ok());
  SetLatest unsorted;
  unsorted.members = {"b", "a"};
  EXPECT_FALSE(FieldState::FromRep(Kind::kStringSet, MergeOp::kLatest, unsorted).ok());
  EXPECT_FALSE(FieldState::FromRep(Kind::kMapIntSum, MergeOp::kMapSum, MapSum{}).ok());
}

}  // namespace
}  // namespace cohort::profile
