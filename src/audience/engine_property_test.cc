// Property test (issue 6): for random profiles, random filters and random event sequences,
// the incrementally kept membership equals a from-scratch evaluation, including after time
// passes (timers) and identity merges.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <random>

#include "audience/engine.h"
#include "common/testing/temp_path.h"
#include "profile/reader.h"
#include "profile/writer.h"

namespace cohort::audience {
namespace {

using mapping::Kind;
using mapping::MergeOp;

constexpr int64_t kDay = 86400000;

mapping::FieldUpdate Update(std::string field, Kind kind, mapping::Value v, int64_t t) {
  mapping::FieldUpdate u;
  u.field = std::move(field);
  u.kind = kind;
  u.op = mapping::DefaultMergeOp(kind);
  u.value = std::move(v);
  u.event_time_ms = t;
  return u;
}

class EnginePropertyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::UniqueTempPath("cohort-aud-");
    auto db = storage::Db::Open({.path = dir_});
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A random event: one to two identities out of a small pool (so merges happen), and
  // updates of a few fields.
  mapping::Evaluation RandomEvent(std::mt19937_64& rng, int64_t now) {
    mapping::Evaluation ev;
    auto pick = [&](int n) { return static_cast<int>(rng() % n); };
    ev.identities.push_back({"email", "p" + std::to_string(pick(40)) + "@x.org"});
    if (pick(5) == 0) ev.identities.push_back({"cid", "c" + std::to_string(pick(40))});
    int64_t t = now - pick(10) * kDay - pick(1000);
    static const char* plans[] = {"free", "pro", "team"};
    static const char* tags[] = {"a", "b", "c", "d"};
    static const char* evs[] = {"email_opened", "email_clicked", "push_opened"};
    if (pick(2)) {
      mapping::Value v;
      v.scalar = mapping::Scalar::String(plans[pick(3)]);
      ev.updates.push_back(Update("plan", Kind::kString, v, t));
    }
    if (pick(2)) {
      mapping::Value v;
      v.scalar = mapping::Scalar::Int(pick(100));
      ev.updates.push_back(Update("score", Kind::kInt, v, t));
    }
    if (pick(2)) {
      mapping::Value v;
      v.set = {tags[pick(4)]};
      ev.updates.push_back(Update("tags", Kind::kStringSet, v, t));
    }
    mapping::Value m;
    m.map = {{evs[pick(3)], mapping::Scalar::Int(1)}};
    ev.updates.push_back(Update("ev", Kind::kMapIntSum, m, t));
    if (pick(2)) {
      mapping::Value d;
      d.scalar = mapping::Scalar::Int(t);
      ev.updates.push_back(Update("last", Kind::kDate, d, t));
    }
    return ev;
  }

  std::string RandomFilter(std::mt19937_64& rng) {
    auto pick = [&](int n) { return static_cast<int>(rng() % n); };
    std::function<std::string(int)> phrase = [&](int depth) -> std::string {
      int k = depth > 2 ? pick(12) : pick(15);
      switch (k) {
        case 10: return "plan LIKE \"*e*\"";
        case 11: return "plan != \"pro\"";
        case 12: return "plan IN (\"free\", \"team\")";
        case 13: return "plan CONTAINS \"ea\"";
        case 14: return "plan BETWEEN \"a\" AND \"g\"";
        case 0: return "plan = \"pro\"";
        case 1: return "score > " + std::to_string(pick(100));
        case 2: return "tags INTERSECTS (\"a\", \"c\")";
        case 3: return "ev.email_opened >= " + std::to_string(1 + pick(3));
        case 4: return "last > \"now-" + std::to_string(1 + pick(9)) + "d\"";
        case 5: return "EXISTS last";
        case 6: return "last < \"now-" + std::to_string(1 + pick(5)) + "d\"";
        case 7: return "AND(" + phrase(depth + 1) + ", " + phrase(depth + 1) + ")";
        case 8: return "OR(" + phrase(depth + 1) + ", " + phrase(depth + 1) + ")";
        case 9: return "NOT " + phrase(depth + 1);
        default: return "score BETWEEN 10 AND " + std::to_string(20 + pick(80));
      }
    };
    return "FILTER " + phrase(0);
  }

  std::string dir_;
  std::unique_ptr<storage::Db> db_;
};

TEST_F(EnginePropertyTest, IncrementalEqualsFromScratch) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    TearDown();
    SetUp();
    FakeClock clock(1'750'000'000'000);
    auto engine = AudienceEngine::Load(db_.get(), &clock);
    ASSERT_TRUE(engine.ok());
    AudienceEngine& e = **engine;
    e.SetSchema({{"plan", Kind::kString},
                 {"score", Kind::kInt},
                 {"tags", Kind::kStringSet},
                 {"ev", Kind::kMapIntSum},
                 {"last", Kind::kDate}});
    profile::ProfileWriter writer(db_.get(), 1, {}, nullptr);
    ASSERT_TRUE(writer.Init().ok());
    ASSERT_TRUE(e.BuildIndex(1).ok());
    std::vector<std::string> slugs;
    auto save = [&](const std::string& slug, const std::string& text) {
      SegmentDef d;
      d.slug = slug;
      d.segment_ql = text;
      auto fut = std::async(std::launch::async, [&e, d] { return e.Save(d, 20000); });
      while (fut.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready) {
        ASSERT_TRUE(e.ProcessRequests(1).ok());
      }
      auto r = fut.get();
      ASSERT_TRUE(r.ok()) << text << ": " << r.status().ToString();
      slugs.push_back(slug);
    };
    // Some audiences before any event, some after a few batches.
    for (int i = 0; i < 4; ++i) save("s" + std::to_string(i), RandomFilter(rng));
    for (int batch = 0; batch < 30; ++batch) {
      if (batch == 10) {
        for (int i = 4; i < 8; ++i) save("s" + std::to_string(i), RandomFilter(rng));
      }
      for (int i = 0, n = 1 + static_cast<int>(rng() % 8); i < n; ++i) {
        ASSERT_TRUE(writer.Apply(RandomEvent(rng, clock.NowMs())).ok());
      }
      storage::WriteBatch b;
      profile::ProfileWriter::Changes changes;
      writer.Flush(&b, &changes);
      ASSERT_TRUE(e.OnProfiles(1, changes, &b).ok());
      ASSERT_TRUE(db_->Write(&b, false).ok());
      e.Commit();
      // Time passes; due timers fire.
      clock.AdvanceMs(static_cast<int64_t>(rng() % (2 * kDay)));
      storage::WriteBatch tb;
      bool any = false;
      ASSERT_TRUE(e.RunTimers(1, &tb, &any).ok());
      ASSERT_TRUE(db_->Write(&tb, false).ok());
      e.Commit();
    }
    // From scratch: every profile against every audience at the current time.
    profile::ProfileReader reader(db_.get(), 1);
    for (size_t i = 0; i < slugs.size(); ++i) {
      auto info = e.Get(slugs[i]);
      ASSERT_TRUE(info);
      auto compiled = e.CompileFilter(info->def.segment_ql);
      ASSERT_TRUE(compiled.ok());
      uint64_t expected = 0;
      ASSERT_TRUE(reader
                      .ForEach([&](const profile::ProfileRecord& r) {
                        bool want = compiled.value()->Matches(r.profile, clock.NowMs());
                        expected += want;
                        EXPECT_EQ(e.IsMember(slugs[i], r.id), want)
                            << info->def.segment_ql << " profile " << r.id << " now "
                            << clock.NowMs() << " next "
                            << compiled.value()->NextChange(r.profile, clock.NowMs()).value_or(-1)
                            << " last "
                            << (r.profile.Find("last") ? r.profile.Find("last")->value().scalar.i : -1);
                        return true;
                      })
                      .ok());
      EXPECT_EQ(info->size, expected) << info->def.segment_ql;
      // The index answers ad-hoc sizes the same way.
      auto counted = e.Count(*compiled.value(), 1);
      ASSERT_TRUE(counted.ok());
      EXPECT_EQ(*counted, expected) << "index: " << info->def.segment_ql;
      for (uint64_t pid : e.Members(slugs[i], 0, 100000)) {
        auto rec = reader.ByPid(pid);
        ASSERT_TRUE(rec.ok());
        EXPECT_TRUE(rec->has_value()) << "member " << pid << " of " << slugs[i]
                                      << " is not a profile";
      }
    }
  }
}

TEST_F(EnginePropertyTest, MembershipSurvivesReload) {
  FakeClock clock(1'750'000'000'000);
  std::mt19937_64 rng(99);
  std::vector<uint64_t> before;
  {
    auto engine = AudienceEngine::Load(db_.get(), &clock);
    ASSERT_TRUE(engine.ok());
    AudienceEngine& e = **engine;
    e.SetSchema({{"plan", Kind::kString}, {"score", Kind::kInt}, {"tags", Kind::kStringSet},
                 {"ev", Kind::kMapIntSum}, {"last", Kind::kDate}});
    profile::ProfileWriter writer(db_.get(), 1, {}, nullptr);
    ASSERT_TRUE(writer.Init().ok());
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(writer.Apply(RandomEvent(rng, clock.NowMs())).ok());
    storage::WriteBatch b;
    writer.Flush(&b);
    ASSERT_TRUE(db_->Write(&b, false).ok());
    ASSERT_TRUE(e.BuildIndex(1).ok());
    SegmentDef d;
    d.slug = "recent";
    d.segment_ql = "FILTER last > \"now-3d\"";
    auto fut = std::async(std::launch::async, [&e, d] { return e.Save(d, 20000); });
    while (fut.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready) {
      ASSERT_TRUE(e.ProcessRequests(1).ok());
    }
    ASSERT_TRUE(fut.get().ok());
    before = e.Members("recent", 0, 1000);
    EXPECT_FALSE(before.empty());
  }
  auto engine = AudienceEngine::Load(db_.get(), &clock);
  ASSERT_TRUE(engine.ok());
  (*engine)->SetSchema({{"plan", Kind::kString}, {"score", Kind::kInt}, {"tags", Kind::kStringSet},
                        {"ev", Kind::kMapIntSum}, {"last", Kind::kDate}});
  ASSERT_TRUE((*engine)->BuildIndex(1).ok());
  EXPECT_EQ((*engine)->Members("recent", 0, 1000), before);
  // After the window everyone leaves, with no event (the time sweep).
  clock.AdvanceMs(4 * kDay);
  storage::WriteBatch tb;
  bool any = false;
  ASSERT_TRUE((*engine)->RunTimers(1, &tb, &any).ok());
  ASSERT_TRUE(db_->Write(&tb, false).ok());
  (*engine)->Commit();
  EXPECT_TRUE(any);
  EXPECT_TRUE((*engine)->Members("recent", 0, 1000).empty());
}

}  // namespace
}  // namespace cohort::audience
