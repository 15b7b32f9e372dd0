#include "stream/log_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <set>

#include "stream/log_reader.h"

namespace cohort::stream {
namespace {

class LogWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = (std::filesystem::temp_directory_path() / ("cohort-lw-" + std::to_string(rd()))).string();
    Open();
  }
  void TearDown() override {
    Close();
    std::filesystem::remove_all(dir_);
  }
  void Open(LogWriterOptions o = {}) {
    auto db = storage::Db::Open({.path = dir_});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto cat = StreamCatalog::Load(db_.get());
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalog_ = std::move(*cat);
    auto w = LogWriter::Start(db_.get(), catalog_.get(), &clock_, o);
    ASSERT_TRUE(w.ok());
    writer_ = std::move(*w);
  }
  void Close() {
    writer_.reset();
    catalog_.reset();
    db_.reset();
  }
  static PreparedEvent Event(std::string id, std::string raw = "") {
    PreparedEvent e;
    e.raw = raw.empty() ? R"({"event_id":")" + id + R"("})" : raw;
    e.event_id = id;
    e.received_at_ms = 1000;
    e.event_time_ms = 1000;
    e.fields = {{"event_id", "\"" + id + "\""}};
    return e;
  }
  AppendResult Append(std::string stream, std::vector<PreparedEvent> events) {
    AppendRequest r;
    r.stream = stream;
    r.events = std::move(events);
    AppendResult res;
    Status s = writer_->AppendSync(std::move(r), &res);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return res;
  }

  std::string dir_;
  FakeClock clock_{10'000};
  std::unique_ptr<storage::Db> db_;
  std::unique_ptr<StreamCatalog> catalog_;
  std::unique_ptr<LogWriter> writer_;
};

TEST_F(LogWriterTest, AppendsAndDeduplicates) {
  auto r = Append("s", {Event("a"), Event("b"), Event("a")});
  EXPECT_EQ(r.stored, 2u);
  EXPECT_EQ(r.duplicates, 1u);
  r = Append("s", {Event("b"), Event("c")});
  EXPECT_EQ(r.stored, 1u);
  EXPECT_EQ(r.duplicates, 1u);
  // Same id in another stream is not a duplicate.
  r = Append("t", {Event("a")});
  EXPECT_EQ(r.stored, 1u);
  auto info = catalog_->Get("s");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->stats.event_count, 3u);
  EXPECT_EQ(info->stats.duplicate_count, 2u);
  EXPECT_EQ(info->fields.at("event_id").count, 3u);
  EXPECT_EQ(info->fields.at("event_id").samples.size(), 3u);
  auto events = ReadStreamNewestFirst(db_.get(), info->id, 0, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].raw, R"({"event_id":"c"})");
  EXPECT_GT((*events)[0].seq, (*events)[2].seq);
  auto page = ReadStreamNewestFirst(db_.get(), info->id, (*events)[1].seq, 10);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].raw, R"({"event_id":"a"})");
}

TEST_F(LogWriterTest, DedupWindowExpires) {
  LogWriterOptions o;
  o.dedup_window_ms = 5000;
  Close();
  Open(o);
  auto at_now = [&] {
    PreparedEvent e = Event("a");
    e.received_at_ms = clock_.NowMs();
    return e;
  };
  EXPECT_EQ(Append("s", {at_now()}).stored, 1u);
  clock_.AdvanceMs(4000);
  EXPECT_EQ(Append("s", {at_now()}).duplicates, 1u);
  clock_.AdvanceMs(2000);  // first stored at 10000; 10000 + 5000 < 16000
  EXPECT_EQ(Append("s", {at_now()}).stored, 1u);
}

TEST_F(LogWriterTest, StateSurvivesReopen) {
  Append("s", {Event("a"), Event("b")});
  uint64_t last = writer_->LastSeq();
  Close();
  Open();
  EXPECT_EQ(writer_->LastSeq(), last);
  EXPECT_EQ(Append("s", {Event("a")}).duplicates, 1u);
  auto info = catalog_->Get("s");
  EXPECT_EQ(info->stats.event_count, 2u);
  EXPECT_EQ(info->stats.duplicate_count, 1u);
  EXPECT_EQ(info->fields.at("event_id").count, 2u);
  std::vector<uint64_t> seqs;
  ASSERT_TRUE(ReadLog(db_.get(), 0, 0, 100, [&](const StoredEvent& e) {
                seqs.push_back(e.seq);
                return true;
              }).ok());
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 2}));
}

TEST_F(LogWriterTest, ConcurrentAppendsGroupCommitAndStayExact) {
  constexpr int kThreads = 8, kPer = 200;
  std::vector<std::thread> threads;
  std::atomic<int> stored{0}, dups{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPer; ++i) {
        // Every id is posted by two threads: exactly one copy may be stored.
        std::string id = std::to_string((t / 2) * kPer + i);
        AppendRequest r;
        r.stream = "s";
        r.events.push_back(Event(id));
        AppendResult res;
        ASSERT_TRUE(writer_->AppendSync(std::move(r), &res).ok());
        stored += res.stored;
        dups += res.duplicates;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(stored.load(), kThreads / 2 * kPer);
  EXPECT_EQ(dups.load(), kThreads / 2 * kPer);
  EXPECT_LT(writer_->CommitCount(), static_cast<uint64_t>(kThreads * kPer));
  std::set<std::string> raws;
  ASSERT_TRUE(ReadLog(db_.get(), 0, 0, 1 << 20, [&](const StoredEvent& e) {
                EXPECT_TRUE(raws.insert(e.raw).second) << e.raw;
                return true;
              }).ok());
  EXPECT_EQ(raws.size(), static_cast<size_t>(kThreads / 2 * kPer));
}

TEST_F(LogWriterTest, ExtraWritesAndCountersCommitTogether) {
  AppendRequest r;
  r.stream = "out";
  r.events.push_back(Event("x"));
  r.extra.Put(storage::Family::kMeta, "checkpoint-test", "42");
  StreamStats unmapped;
  unmapped.unmapped_count = 3;
  r.counters.push_back({"in", unmapped});
  ASSERT_TRUE(writer_->AppendSync(std::move(r), nullptr).ok());
  EXPECT_EQ(**db_->Get(storage::Family::kMeta, "checkpoint-test"), "42");
  EXPECT_EQ(catalog_->Get("in")->stats.unmapped_count, 3u);
}

TEST_F(LogWriterTest, StoppedWriterRefuses) {
  writer_->Stop();
  AppendRequest r;
  r.stream = "s";
  r.events.push_back(Event("a"));
  EXPECT_EQ(writer_->AppendSync(std::move(r), nullptr).code(), StatusCode::kCancelled);
}

// Records the sync flag of every write and forwards to a real database.
class SyncRecordingDb final : public storage::Db {
 public:
  explicit SyncRecordingDb(std::unique_ptr<storage::Db> db) : db_(std::move(db)) {}
  Status Write(storage::WriteBatch* batch, bool sync) override {
    syncs.push_back(sync);
    return db_->Write(batch, sync);
  }
  StatusOr<std::optional<std::string>> Get(storage::Family f, std::string_view key,
                                           const storage::Snapshot* snap) override {
    return db_->Get(f, key, snap);
  }
  Status MultiGet(storage::Family f, const std::vector<std::string_view>& keys,
                  std::vector<std::optional<std::string>>* values,
                  const storage::Snapshot* snap) override {
    return db_->MultiGet(f, keys, values, snap);
  }
  std::unique_ptr<storage::Iterator> NewIterator(storage::Family f,
                                                 const storage::Snapshot* snap) override {
    return db_->NewIterator(f, snap);
  }
  std::shared_ptr<const storage::Snapshot> GetSnapshot() override { return db_->GetSnapshot(); }
  uint64_t ApproximateSizeBytes() override { return db_->ApproximateSizeBytes(); }
  Status CompactFamily(storage::Family f) override { return db_->CompactFamily(f); }

  std::vector<bool> syncs;  // written by the writer thread; read after AppendSync returned

 private:
  std::unique_ptr<storage::Db> db_;
};

TEST_F(LogWriterTest, OnlyGroupsWithADurableRequestAreSynced) {
  Close();
  auto real = storage::Db::Open({.path = dir_});
  ASSERT_TRUE(real.ok());
  SyncRecordingDb db(std::move(*real));
  auto cat = StreamCatalog::Load(&db);
  ASSERT_TRUE(cat.ok());
  auto w = LogWriter::Start(&db, cat->get(), &clock_, {});
  ASSERT_TRUE(w.ok());
  auto append = [&](std::string id, bool durable) {
    AppendRequest r;
    r.stream = "derived";
    r.events.push_back(Event(id));
    r.durable = durable;
    ASSERT_TRUE((*w)->AppendSync(std::move(r), nullptr).ok());
  };
  append("a", false);
  append("b", true);
  append("c", false);
  (*w)->Stop();
  EXPECT_EQ(db.syncs, (std::vector<bool>{false, true, false}));
  // Both kinds are stored and readable.
  int n = 0;
  ASSERT_TRUE(ReadLog(&db, 1, 3, 100, [&](const StoredEvent&) { return ++n, true; }).ok());
  EXPECT_EQ(n, 3);
}

}  // namespace
}  // namespace cohort::stream
