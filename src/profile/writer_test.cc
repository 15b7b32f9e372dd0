// The stored profile store against the in-memory reference (memory_build): for random event
// sets with identity merges, in several orders and batchings, the stored profiles are the
// same, and the listing index holds every profile exactly once.
#include "profile/writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "common/testing/temp_path.h"
#include "profile/encoding.h"
#include "profile/memory_build.h"
#include "profile/reader.h"

namespace cohort::profile {
namespace {

mapping::Evaluation RandomEvent(std::mt19937_64& rng) {
  mapping::Evaluation ev;
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  ev.identities.push_back({"email", "p" + std::to_string(pick(30))});
  if (pick(4) == 0) ev.identities.push_back({"cid", "c" + std::to_string(pick(30))});
  mapping::FieldUpdate u;
  u.field = "ev";
  u.kind = mapping::Kind::kMapIntSum;
  u.op = mapping::MergeOp::kMapSum;
  u.value.map = {{pick(2) ? "open" : "click", mapping::Scalar::Int(1)}};
  u.event_time_ms = 1000 + pick(100);
  ev.updates.push_back(u);
  mapping::FieldUpdate s;
  s.field = "plan";
  s.kind = mapping::Kind::kString;
  s.op = mapping::MergeOp::kLatest;
  s.value.scalar = mapping::Scalar::String(pick(2) ? "pro" : "free");
  s.event_time_ms = 1000 + pick(100);
  ev.updates.push_back(s);
  return ev;
}

std::string Listing(storage::Db* db, uint32_t gen, size_t* count) {
  ProfileReader reader(db, gen);
  std::string out;
  *count = 0;
  EXPECT_TRUE(reader
                  .ForEach([&](const ProfileRecord& r) {
                    ++*count;
                    out += r.OrderText() + "|" + Encode(r.profile) + "\n";
                    return true;
                  })
                  .ok());
  return out;
}

TEST(ProfileWriterTest, StoredEqualsReferenceInAnyOrder) {
  std::mt19937_64 rng(5);
  std::vector<mapping::Evaluation> events;
  for (int i = 0; i < 400; ++i) events.push_back(RandomEvent(rng));
  std::string expected;
  for (const auto& r : BuildProfilesInMemory(events)) {
    expected += r.OrderText() + "|" + Encode(r.profile) + "\n";
  }
  for (int round = 0; round < 6; ++round) {
    std::string dir = testing::UniqueTempPath("cohort-pw-");
    auto db = storage::Db::Open({.path = dir});
    ASSERT_TRUE(db.ok());
    std::shuffle(events.begin(), events.end(), rng);
    ProfileWriter w(db->get(), 7, {}, nullptr);
    ASSERT_TRUE(w.Init().ok());
    size_t batch = 1 + rng() % 50;
    for (size_t i = 0; i < events.size(); ++i) {
      ASSERT_TRUE(w.Apply(events[i]).ok());
      if ((i + 1) % batch == 0 || i + 1 == events.size()) {
        storage::WriteBatch b;
        w.Flush(&b);
        ASSERT_TRUE((*db)->Write(&b, false).ok());
        if (round % 2) w.Reset();  // also from storage, not only the cache
      }
    }
    size_t listed = 0;
    EXPECT_EQ(Listing(db->get(), 7, &listed), expected) << "round " << round;
    // Every stored profile is listed exactly once.
    size_t stored = 0;
    {
      auto it = (*db)->NewIterator(storage::Family::kProfile);
      std::string p = GenPrefix('P', 7);
      for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) ++stored;
    }
    EXPECT_EQ(stored, listed);
    EXPECT_GT(w.counters().merges, 0u);
    db->reset();
    std::filesystem::remove_all(dir);
  }
}

// A generation built from empty and committed can hand out its profiles from memory: the same
// (pid, profile) pairs, in the same order, as reading the store; with anything pending, or
// after the cache was dropped, it declines.
TEST(ProfileWriterTest, ProfilesFromMemoryEqualTheStore) {
  std::mt19937_64 rng(9);
  std::string dir = testing::UniqueTempPath("cohort-pwm-");
  auto db = storage::Db::Open({.path = dir});
  ASSERT_TRUE(db.ok());
  ProfileWriter w(db->get(), 3, {}, nullptr);
  ASSERT_TRUE(w.Init().ok());
  auto from_memory = [&](std::string* out) {
    out->clear();
    return w.ForEachProfileInMemory([&](uint64_t pid, const Profile& p) {
      *out += std::to_string(pid) + "|" + Encode(p) + "\n";
    });
  };
  std::string memory;
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(w.Apply(RandomEvent(rng)).ok());
    if (i % 100 == 99) {
      EXPECT_FALSE(from_memory(&memory)) << "changes are pending";
      EXPECT_TRUE(memory.empty());
      storage::WriteBatch b;
      w.Flush(&b);
      ASSERT_TRUE((*db)->Write(&b, false).ok());
    }
  }
  ASSERT_GT(w.counters().merges, 0u);  // merged-away profiles must not be listed
  ASSERT_TRUE(from_memory(&memory));
  std::string stored;
  {
    ProfileReader reader(db->get(), 3);  // holds a snapshot: released before the database
    ASSERT_TRUE(reader
                    .ForEachById([&](const ProfileRecord& r) {
                      stored += std::to_string(r.id) + "|" + Encode(r.profile) + "\n";
                      return true;
                    })
                    .ok());
  }
  EXPECT_FALSE(stored.empty());
  EXPECT_EQ(memory, stored);
  w.Reset();
  EXPECT_FALSE(from_memory(&memory)) << "the cache no longer holds the generation";
  db->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cohort::profile
