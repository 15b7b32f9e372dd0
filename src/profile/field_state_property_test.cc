// Property tests of SPEC §5.5: a profile is a function of the set of its events. For random
// fields (every kind × op), random events (times and values drawn from small pools so that
// ties are common) and small set caps, checks that every order, every split into profiles
// merged later, and merge-then-apply give identical states, bytes and JSON; that states match
// simple reference models; and that the encoding round-trips. Seeds are fixed; a failure
// prints its seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "profile/encoding.h"
#include "profile/field_state.h"
#include "profile/profile.h"
#include "profile/render.h"
#include "profile/test_util.h"

namespace cohort::profile {
namespace {

using testing::RandomEvents;
using Event = RandomEvents::Event;

constexpr int kCases = 10000;

struct Case {
  std::vector<RandomEvents::Field> fields;
  std::map<std::string, FieldOptions> options;
  std::vector<Event> events;
};

Case MakeCase(RandomEvents* gen) {
  Case c;
  c.fields = gen->Fields(1 + static_cast<int>(gen->rng()() % 4));
  for (const auto& f : c.fields) c.options[f.name] = f.options;
  for (int i = 0, n = 1 + static_cast<int>(gen->rng()() % 12); i < n; ++i) {
    c.events.push_back(gen->MakeEvent(c.fields));
  }
  return c;
}

void ApplyEvent(const Case& c, const Event& e, Profile* p) {
  for (const auto& u : e) {
    Status st = p->Apply(u, c.options.at(u.field));
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
}

Profile Build(const Case& c, const std::vector<const Event*>& events) {
  Profile p;
  for (const Event* e : events) ApplyEvent(c, *e, &p);
  return p;
}

void ExpectSame(const Profile& got, const Profile& want, const char* what) {
  EXPECT_TRUE(got == want) << what << "\n got: " << RenderProfileJson(got)
                           << "\nwant: " << RenderProfileJson(want);
  EXPECT_EQ(Encode(got), Encode(want)) << what;
  EXPECT_EQ(RenderProfileJson(got), RenderProfileJson(want)) << what;
}

Profile Merged(Profile a, const Profile& b) {
  Status st = a.Merge(b);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return a;
}

// Reference models computed straight from the whole set of events.
void CheckAgainstReference(const Case& c, const Profile& p) {
  for (const auto& f : c.fields) {
    std::vector<const mapping::FieldUpdate*> ups;
    for (const Event& e : c.events) {
      for (const auto& u : e) {
        if (u.field == f.name) ups.push_back(&u);
      }
    }
    const FieldState* s = p.Find(f.name);
    ASSERT_EQ(s == nullptr, ups.empty()) << f.name;
    if (s == nullptr) continue;
    if (f.kind == Kind::kStringSet && f.op == MergeOp::kUnion) {
      // Top `cap` members by (latest time desc, member asc), computed from scratch.
      std::map<std::string, int64_t> latest;
      for (const auto* u : ups) {
        for (const auto& m : u->value.set) {
          auto [it, fresh] = latest.emplace(m, u->event_time_ms);
          if (!fresh) it->second = std::max(it->second, u->event_time_ms);
        }
      }
      std::vector<std::pair<int64_t, std::string>> ranked;
      for (const auto& [m, t] : latest) ranked.emplace_back(-t, m);
      std::sort(ranked.begin(), ranked.end());
      ranked.resize(std::min<size_t>(ranked.size(), f.options.set_cap));
      std::map<std::string, int64_t> want;
      for (const auto& [neg_t, m] : ranked) want[m] = -neg_t;
      EXPECT_EQ(std::get<SetUnion>(s->rep()).members, want) << f.name;
    } else if (f.op == MergeOp::kCount) {
      EXPECT_EQ(s->value().scalar, Scalar::Int(static_cast<int64_t>(ups.size())));
    } else if (std::holds_alternative<TimedValue>(s->rep())) {
      // The greatest (or least) (time, value) pair over all updates.
      std::vector<TimedValue> all;
      for (const auto* u : ups) {
        all.push_back(std::get<TimedValue>(FieldState::FromUpdate(*u)->rep()));
      }
      auto less = [](const TimedValue& a, const TimedValue& b) {
        if (a.time_ms != b.time_ms) return a.time_ms < b.time_ms;
        return CompareScalar(a.value, b.value) < 0;
      };
      TimedValue want = f.op == MergeOp::kLatest ? *std::max_element(all.begin(), all.end(), less)
                                                 : *std::min_element(all.begin(), all.end(), less);
      EXPECT_EQ(std::get<TimedValue>(s->rep()), want) << f.name;
    }
  }
}

TEST(FieldStatePropertyTest, ProfilesAreAFunctionOfTheSetOfEvents) {
  for (int seed = 1; seed <= kCases; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomEvents gen(seed);
    auto& rng = gen.rng();
    Case c = MakeCase(&gen);
    std::vector<const Event*> order;
    for (const Event& e : c.events) order.push_back(&e);
    const Profile want = Build(c, order);
    ASSERT_FALSE(HasFatalFailure());
    CheckAgainstReference(c, want);

    // Any order.
    for (int i = 0; i < 20; ++i) {
      std::shuffle(order.begin(), order.end(), rng);
      ExpectSame(Build(c, order), want, "shuffled");
    }
    // Any split into two profiles, merged either way round; and three, grouped either way.
    for (int i = 0; i < 10; ++i) {
      std::shuffle(order.begin(), order.end(), rng);
      size_t cut1 = rng() % (order.size() + 1);
      size_t cut2 = cut1 + rng() % (order.size() - cut1 + 1);
      std::vector<const Event*> a(order.begin(), order.begin() + cut1);
      std::vector<const Event*> b(order.begin() + cut1, order.begin() + cut2);
      std::vector<const Event*> rest(order.begin() + cut1, order.end());
      std::vector<const Event*> c3(order.begin() + cut2, order.end());
      Profile pa = Build(c, a), pb = Build(c, b), pc = Build(c, c3), prest = Build(c, rest);
      ExpectSame(Merged(pa, prest), want, "A+B");
      ExpectSame(Merged(prest, pa), want, "B+A");
      ExpectSame(Merged(Merged(pa, pb), pc), want, "(A+B)+C");
      ExpectSame(Merged(pa, Merged(pb, pc)), want, "A+(B+C)");
      ExpectSame(Merged(Merged(pc, pa), pb), want, "(C+A)+B");
    }
    // Merging two profiles and then adding an event == adding it, then merging.
    for (int i = 0; i < 5; ++i) {
      std::shuffle(order.begin(), order.end(), rng);
      const Event* e = order.back();
      size_t cut = rng() % order.size();
      std::vector<const Event*> a(order.begin(), order.begin() + cut);
      std::vector<const Event*> b(order.begin() + cut, order.end() - 1);
      Profile pa = Build(c, a), pb = Build(c, b);
      Profile merged_then_add = Merged(pa, pb);
      ApplyEvent(c, *e, &merged_then_add);
      Profile add_then_merge = pa;
      ApplyEvent(c, *e, &add_then_merge);
      add_then_merge = Merged(add_then_merge, pb);
      ExpectSame(merged_then_add, want, "merge then add");
      ExpectSame(add_then_merge, want, "add then merge");
    }
    // Idempotent ops: merging a profile with itself changes nothing.
    for (const auto& [name, state] : want.fields()) {
      if (state.op() == MergeOp::kSum || state.op() == MergeOp::kCount ||
          state.op() == MergeOp::kMapSum) {
        continue;
      }
      FieldState twice = state;
      ASSERT_TRUE(twice.Merge(state).ok());
      EXPECT_TRUE(twice == state) << name;
    }
    // The encoding round-trips, byte for byte.
    std::string bytes = Encode(want);
    StatusOr<Profile> back = Decode(bytes);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_TRUE(*back == want);
    EXPECT_EQ(Encode(*back), bytes);
    if (HasFailure()) return;  // the seed is in the trace above
  }
}

// FieldState::AddInPlace (Profile::Apply's path for a field it already has) gives exactly
// Merge(FromUpdate(u)), or declines and changes nothing; it declines another kind or op.
TEST(FieldStatePropertyTest, AddInPlaceEqualsMergeOfFromUpdate) {
  size_t in_place = 0, declined = 0;
  for (int seed = 1; seed <= kCases; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomEvents gen(seed);
    Case c = MakeCase(&gen);
    std::map<std::string, FieldState> states;  // built with FromUpdate + Merge only
    for (const Event& e : c.events) {
      for (const auto& u : e) {
        if (u.value.empty()) continue;
        const FieldOptions& opt = c.options.at(u.field);
        StatusOr<FieldState> one = FieldState::FromUpdate(u, opt);
        ASSERT_TRUE(one.ok()) << one.status().ToString();
        auto it = states.find(u.field);
        if (it == states.end()) {
          states.emplace(u.field, *one);
          continue;
        }
        FieldState want = it->second;
        ASSERT_TRUE(want.Merge(*one).ok());
        FieldState got = it->second;
        if (got.AddInPlace(u, opt)) {
          ++in_place;
          EXPECT_TRUE(got == want) << u.field;
        } else {
          ++declined;
          EXPECT_TRUE(got == it->second) << u.field << ": declined but changed";
        }
        // An update of another field with another kind or op is declined, changing nothing.
        for (const auto& [name, other] : states) {
          if (other.kind() == it->second.kind() && other.op() == it->second.op()) continue;
          FieldState copy = other;
          EXPECT_FALSE(copy.AddInPlace(u, opt)) << u.field << " into " << name;
          EXPECT_TRUE(copy == other) << name;
        }
        it->second = std::move(want);
      }
    }
    if (HasFailure()) return;
  }
  EXPECT_GT(in_place, 1000u);
  EXPECT_GT(declined, 0u);  // number sums and latest sets take the general path
}

// Sets built with different caps (the option changed between profiles) still merge
// commutatively and associatively: the result keeps the top members under the smallest cap.
TEST(FieldStatePropertyTest, SetsWithDifferentCapsMergeConsistently) {
  for (int seed = 1; seed <= 2000; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomEvents gen(seed);
    auto& rng = gen.rng();
    MergeOp op = rng() % 2 == 0 ? MergeOp::kUnion : MergeOp::kLatest;
    std::vector<Profile> parts(3);
    for (Profile& p : parts) {
      FieldOptions opt;
      opt.set_cap = 1 + static_cast<uint32_t>(rng() % 4);
      for (int i = 0, n = 1 + static_cast<int>(rng() % 4); i < n; ++i) {
        mapping::FieldUpdate u;
        u.field = "s";
        u.kind = Kind::kStringSet;
        u.op = op;
        u.event_time_ms = static_cast<int64_t>(rng() % 3);
        for (int j = 0, m = 1 + static_cast<int>(rng() % 5); j < m; ++j) {
          u.value.set.push_back(std::string(1, static_cast<char>('a' + rng() % 6)));
        }
        ASSERT_TRUE(p.Apply(u, opt).ok());
      }
    }
    const Profile& a = parts[0];
    const Profile& b = parts[1];
    const Profile& c = parts[2];
    Profile want = Merged(Merged(a, b), c);
    ExpectSame(Merged(a, Merged(b, c)), want, "A+(B+C)");
    ExpectSame(Merged(Merged(c, b), a), want, "(C+B)+A");
    ExpectSame(Merged(Merged(b, a), c), want, "(B+A)+C");
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace cohort::profile
