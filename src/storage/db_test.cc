#include "storage/db.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

namespace cohort::storage {
namespace {

std::string TempDir() {
  std::random_device rd;
  auto p = std::filesystem::temp_directory_path() / ("cohort-db-test-" + std::to_string(rd()));
  return p.string();
}

TEST(DbTest, WriteGetIterateAcrossReopen) {
  std::string dir = TempDir();
  {
    auto db = Db::Open({.path = dir});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    WriteBatch b;
    b.Put(Family::kLog, "a", "1");
    b.Put(Family::kLog, "b", "2");
    b.Put(Family::kMeta, "a", "meta");
    ASSERT_TRUE((*db)->Write(&b, true).ok());
    auto v = (*db)->Get(Family::kLog, "a");
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(**v, "1");
  }
  auto db = Db::Open({.path = dir});
  ASSERT_TRUE(db.ok());
  auto it = (*db)->NewIterator(Family::kLog);
  it->SeekToLast();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "b");
  auto missing = (*db)->Get(Family::kProfile, "a");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  auto meta = (*db)->Get(Family::kMeta, "a");
  EXPECT_EQ(**meta, "meta");
  std::filesystem::remove_all(dir);
}

TEST(DbTest, SecondOpenOfSameDirFailsClearly) {
  std::string dir = TempDir();
  auto db = Db::Open({.path = dir});
  ASSERT_TRUE(db.ok());
  auto again = Db::Open({.path = dir});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(again.status().message().find(dir), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(DbTest, SnapshotIsolatesReaders) {
  std::string dir = TempDir();
  auto db = Db::Open({.path = dir});
  ASSERT_TRUE(db.ok());
  auto snap = (*db)->GetSnapshot();
  WriteBatch b;
  b.Put(Family::kProfile, "k", "v");
  ASSERT_TRUE((*db)->Write(&b, false).ok());
  EXPECT_FALSE((*db)->Get(Family::kProfile, "k", snap.get())->has_value());
  EXPECT_TRUE((*db)->Get(Family::kProfile, "k")->has_value());
  std::filesystem::remove_all(dir);
}

TEST(DbTest, DedupEntriesExpireOnCompaction) {
  std::string dir = TempDir();
  auto db = Db::Open({.path = dir, .dedup_ttl_ms = 1000});
  ASSERT_TRUE(db.ok());
  auto be = [](uint64_t t) {
    std::string s(8, '\0');
    for (int i = 7; i >= 0; --i, t >>= 8) s[i] = static_cast<char>(t & 0xff);
    return s;
  };
  WriteBatch b;
  b.Put(Family::kDedup, "old", be(1000));  // 1970: long expired
  b.Put(Family::kDedup, "new", be(UINT64_C(4102444800000)));  // 2100
  ASSERT_TRUE((*db)->Write(&b, true).ok());
  ASSERT_TRUE((*db)->CompactFamily(Family::kDedup).ok());
  EXPECT_FALSE((*db)->Get(Family::kDedup, "old")->has_value());
  EXPECT_TRUE((*db)->Get(Family::kDedup, "new")->has_value());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cohort::storage
