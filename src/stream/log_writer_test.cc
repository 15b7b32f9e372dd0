#include "stream/log_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "common/testing/temp_path.h"
#include "stream/log_reader.h"

namespace cohort::stream {
namespace {

class LogWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::UniqueTempPath("cohort-lw-");
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

// Records every write and WAL sync and forwards them to a real database.
class SyncRecordingDb final : public storage::Db {
 public:
  explicit SyncRecordingDb(std::unique_ptr<storage::Db> db) : db_(std::move(db)) {}
  Status Write(storage::WriteBatch* batch, bool sync) override {
    writes.push_back(sync ? "write+sync" : "write");
    return db_->Write(batch, sync);
  }
  Status SyncWal() override {
    writes.push_back("sync");
    return db_->SyncWal();
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

  // Written by the writer and sync threads one after the other (a request is answered after
  // its write and sync); read after AppendSync returned.
  std::vector<std::string> writes;

 private:
  std::unique_ptr<storage::Db> db_;
};

// Appends one event per request, each waited for, on a SyncRecordingDb; returns its writes.
std::vector<std::string> RecordWrites(const std::string& dir, const Clock* clock,
                                      const LogWriterOptions& options,
                                      const std::vector<bool>& durable, int* stored) {
  auto real = storage::Db::Open({.path = dir});
  EXPECT_TRUE(real.ok());
  SyncRecordingDb db(std::move(*real));
  auto cat = StreamCatalog::Load(&db);
  EXPECT_TRUE(cat.ok());
  auto w = LogWriter::Start(&db, cat->get(), clock, options);
  EXPECT_TRUE(w.ok());
  for (size_t i = 0; i < durable.size(); ++i) {
    AppendRequest r;
    r.stream = "derived";
    r.events.push_back(PreparedEvent{.raw = "{\"i\":" + std::to_string(i) + "}",
                                     .event_id = "e" + std::to_string(i)});
    r.durable = durable[i];
    AppendResult result;
    EXPECT_TRUE((*w)->AppendSync(std::move(r), &result).ok());
    // Answered only once readable (and, when durable, synced).
    EXPECT_EQ((*w)->LastSeq(), result.last_seq);
    EXPECT_EQ(db.writes.back(), durable[i] ? (options.pipelined_sync_bytes == 0 ? "sync"
                                                                                 : "write+sync")
                                           : "write");
  }
  (*w)->Stop();
  *stored = 0;
  EXPECT_TRUE(ReadLog(&db, 1, 100, 100, [&](const StoredEvent&) { return ++*stored, true; }).ok());
  return db.writes;
}

TEST_F(LogWriterTest, OnlyGroupsWithADurableRequestAreSynced) {
  Close();
  int stored = 0;
  EXPECT_EQ(RecordWrites(dir_, &clock_, {}, {false, true, false}, &stored),
            (std::vector<std::string>{"write", "write+sync", "write"}));
  EXPECT_EQ(stored, 3);  // both kinds are stored and readable
}

TEST_F(LogWriterTest, LargeGroupsAreSyncedByTheSyncThread) {
  Close();
  int stored = 0;
  // Every group counts as large: written without sync, then one WAL sync by the sync
  // thread before the answer; a group that asks for no sync is not synced at all.
  EXPECT_EQ(RecordWrites(dir_, &clock_, {.pipelined_sync_bytes = 0}, {true, false, true}, &stored),
            (std::vector<std::string>{"write", "sync", "write", "write", "sync"}));
  EXPECT_EQ(stored, 3);
}

// Many concurrent large groups: every answered request is readable with the seq it was
// given, seqs are unique, and nothing is answered before LastSeq covers it.
TEST_F(LogWriterTest, PipelinedSyncAnswersEveryRequestAfterItIsDurable) {
  LogWriterOptions o;
  o.pipelined_sync_bytes = 0;
  Close();
  auto db = storage::Db::Open({.path = dir_});
  ASSERT_TRUE(db.ok());
  auto cat = StreamCatalog::Load(db->get());
  ASSERT_TRUE(cat.ok());
  auto w = LogWriter::Start(db->get(), cat->get(), &clock_, o);
  ASSERT_TRUE(w.ok());
  constexpr int kThreads = 4, kPerThread = 200;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<uint64_t> seqs;
  std::atomic<int> early{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        AppendRequest r;
        r.stream = "s";
        r.events.push_back(PreparedEvent{.raw = "{}", .event_id = std::to_string(t * 1000 + i)});
        AppendResult result;
        ASSERT_TRUE((*w)->AppendSync(std::move(r), &result).ok());
        if ((*w)->LastSeq() < result.last_seq) ++early;
        std::lock_guard l(mu);
        seqs.insert(result.last_seq);
      }
    });
  }
  for (auto& th : threads) th.join();
  (*w)->Stop();
  EXPECT_EQ(early.load(), 0);
  EXPECT_EQ(seqs.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(*seqs.rbegin(), static_cast<uint64_t>(kThreads * kPerThread));
  int n = 0;
  ASSERT_TRUE(ReadLog(db->get(), 1, 10000, 10000, [&](const StoredEvent&) { return ++n, true; }).ok());
  EXPECT_EQ(n, kThreads * kPerThread);
}

}  // namespace
}  // namespace cohort::stream
