#include "storage/db.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/testing/temp_path.h"

namespace cohort::storage {
namespace {

std::string TempDir() {
  std::filesystem::path p = testing::UniqueTempPath("cohort-db-test-");
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

TEST(DbTest, BatchPartsAppendDeleteAndMultiGet) {
  std::string dir = TempDir();
  auto db = Db::Open({.path = dir});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  WriteBatch b(100);
  b.PutParts(Family::kDedup, "k1", {"ab", "", "cd"});
  b.Put(Family::kDedup, "k2", "v2");
  b.Put(Family::kDedup, "k3", "v3");
  WriteBatch extra;
  extra.Put(Family::kMeta, "m", "x");
  extra.Delete(Family::kDedup, "k2");
  extra.DeleteRange(Family::kLog, "a", "z");
  b.Append(extra);
  EXPECT_EQ(b.Count(), 6u);
  EXPECT_EQ(b.ByteSize(), 6u + 4 + 4 + 2 + 2 + 2);
  WriteBatch moved = std::move(b);
  WriteBatch copy = moved;
  EXPECT_EQ(copy.Count(), 6u);
  WriteBatch pre;
  pre.Put(Family::kLog, "c", "gone");
  ASSERT_TRUE((*db)->Write(&pre, false).ok());
  ASSERT_TRUE((*db)->Write(&copy, true).ok());
  std::vector<std::optional<std::string>> vals;
  ASSERT_TRUE((*db)->MultiGet(Family::kDedup, {"k1", "k2", "k3", "k4"}, &vals).ok());
  ASSERT_EQ(vals.size(), 4u);
  EXPECT_EQ(vals[0], std::optional<std::string>("abcd"));
  EXPECT_FALSE(vals[1].has_value());
  EXPECT_EQ(vals[2], std::optional<std::string>("v3"));
  EXPECT_FALSE(vals[3].has_value());
  // Keys out of order and repeated: the answers still follow the input order.
  ASSERT_TRUE((*db)->MultiGet(Family::kDedup, {"k3", "k4", "k1", "k3"}, &vals).ok());
  ASSERT_EQ(vals.size(), 4u);
  EXPECT_EQ(vals[0], std::optional<std::string>("v3"));
  EXPECT_FALSE(vals[1].has_value());
  EXPECT_EQ(vals[2], std::optional<std::string>("abcd"));
  EXPECT_EQ(vals[3], std::optional<std::string>("v3"));
  EXPECT_EQ(**(*db)->Get(Family::kMeta, "m"), "x");
  EXPECT_FALSE((*db)->Get(Family::kLog, "c")->has_value());
  WriteBatch empty;
  EXPECT_TRUE((*db)->Write(&empty, true).ok());
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
