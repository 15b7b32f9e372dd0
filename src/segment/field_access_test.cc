// The evaluator reads field states through field_access.h instead of FieldState::value();
// for random states of every kind × merge op the two must agree.
#include "segment/field_access.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "profile/profile.h"
#include "profile/test_util.h"

namespace cohort::segment {
namespace {

using mapping::Scalar;

TEST(FieldAccessTest, AgreesWithValueForEveryKindAndOp) {
  profile::testing::RandomEvents gen(20240610);
  const std::vector<std::string> probes = {"", "a", "b", "ab", "B", "zz", "k1", "k2", "k3", "x"};
  int checked = 0;
  const auto all = profile::testing::AllKindOps();
  for (int round = 0; round < 3000; ++round) {
    // Three random fields of any kind × op (built here rather than by gen.Fields()).
    std::vector<profile::testing::RandomEvents::Field> fields;
    for (int i = 0; i < 3; ++i) {
      auto [kind, op] = all[gen.rng()() % all.size()];
      profile::FieldOptions options;
      options.set_cap = 1 + static_cast<uint32_t>(gen.rng()() % 4);
      fields.push_back({std::string("f").append(std::to_string(i)), kind, op, options});
    }
    profile::Profile p;
    for (int e = 0; e < 4; ++e) {
      for (const auto& u : gen.MakeEvent(fields)) {
        for (const auto& f : fields) {
          if (f.name == u.field) {
            ASSERT_TRUE(p.Apply(u, f.options).ok());
          }
        }
      }
    }
    for (const auto& [name, state] : p.fields()) {
      const mapping::Value v = state.value();
      Scalar scratch;
      const Scalar* s = ScalarOf(state, &scratch);
      if (!v.scalar.is_null()) {
        ASSERT_NE(s, nullptr);
        EXPECT_EQ(*s, v.scalar);
      } else {
        EXPECT_EQ(s, nullptr);
      }
      std::vector<std::string> members;
      AnyMember(state, [&](std::string_view m) {
        members.emplace_back(m);
        return false;
      });
      std::vector<std::string> want = v.set;
      for (const auto& [k, x] : v.map) want.push_back(k);
      EXPECT_EQ(members, want);
      for (const std::string& probe : probes) {
        bool has = std::find(want.begin(), want.end(), probe) != want.end();
        EXPECT_EQ(HasMember(state, probe), has) << probe;
        const Scalar* mv = MapValueOf(state, probe, &scratch);
        const Scalar* expect = nullptr;
        for (const auto& [k, x] : v.map) {
          if (k == probe) expect = &x;
        }
        if (expect == nullptr) {
          EXPECT_EQ(mv, nullptr) << probe;
        } else {
          ASSERT_NE(mv, nullptr) << probe;
          EXPECT_EQ(*mv, *expect) << probe;
        }
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000);
}

TEST(FieldAccessTest, AnyMemberStopsEarly) {
  profile::Profile p;
  ASSERT_TRUE(
      p.Apply(profile::testing::SetUpdate("s", mapping::MergeOp::kUnion, {"a", "b", "c"}, 1)).ok());
  int calls = 0;
  EXPECT_TRUE(AnyMember(*p.Find("s"), [&](std::string_view m) {
    ++calls;
    return m == "b";
  }));
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace cohort::segment
