#include "storage/db.h"

#include <rocksdb/compaction_filter.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <vector>

namespace cohort::storage {

std::string_view FamilyName(Family f) {
  switch (f) {
    case Family::kLog: return "log";
    case Family::kStreamIndex: return "stream_index";
    case Family::kDedup: return "dedup";
    case Family::kMeta: return "meta";
    case Family::kProfile: return "profile";
    case Family::kIdentity: return "identity";
    case Family::kMembership: return "membership";
    case Family::kChanges: return "changes";
    case Family::kTimers: return "timers";
  }
  return "?";
}

namespace {

// The one conversion from RocksDB errors to ours.
Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsNotFound()) return NotFoundError(std::move(msg));
  if (s.IsCorruption()) return InternalError(std::move(msg) + " (data directory is corrupt)");
  return UnavailableError(std::move(msg));
}

rocksdb::Slice S(std::string_view v) { return rocksdb::Slice(v.data(), v.size()); }

// Drops dedup entries whose receive time (first 8 bytes, big-endian ms) is older than the ttl.
class DedupExpiryFilter : public rocksdb::CompactionFilter {
 public:
  explicit DedupExpiryFilter(int64_t ttl_ms) : ttl_ms_(ttl_ms) {}
  bool Filter(int, const rocksdb::Slice&, const rocksdb::Slice& value, std::string*,
              bool*) const override {
    if (ttl_ms_ <= 0 || value.size() < 8) return false;
    uint64_t t = 0;
    for (int i = 0; i < 8; ++i) t = (t << 8) | static_cast<uint8_t>(value[i]);
    int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    return static_cast<int64_t>(t) + ttl_ms_ < now;
  }
  const char* Name() const override { return "cohort.DedupExpiry"; }

 private:
  int64_t ttl_ms_;
};

class RocksIterator final : public Iterator {
 public:
  explicit RocksIterator(rocksdb::Iterator* it) : it_(it) {}
  void Seek(std::string_view k) override { it_->Seek(S(k)); }
  void SeekForPrev(std::string_view k) override { it_->SeekForPrev(S(k)); }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  std::string_view key() const override { return it_->key().ToStringView(); }
  std::string_view value() const override { return it_->value().ToStringView(); }
  Status status() const override { return FromRocks(it_->status(), "iterating"); }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace

class Snapshot {
 public:
  Snapshot(rocksdb::DB* db, const rocksdb::Snapshot* s) : db_(db), snap_(s) {}
  ~Snapshot() { db_->ReleaseSnapshot(snap_); }
  const rocksdb::Snapshot* get() const { return snap_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snap_;
};

void WriteBatch::Put(Family f, std::string_view key, std::string_view value) {
  bytes_ += key.size() + value.size();
  ops_.push_back({Op::Kind::kPut, f, std::string(key), std::string(value)});
}
void WriteBatch::Delete(Family f, std::string_view key) {
  bytes_ += key.size();
  ops_.push_back({Op::Kind::kDelete, f, std::string(key), {}});
}
void WriteBatch::DeleteRange(Family f, std::string_view begin, std::string_view end) {
  bytes_ += begin.size() + end.size();
  ops_.push_back({Op::Kind::kDeleteRange, f, std::string(begin), std::string(end)});
}
size_t WriteBatch::Count() const { return ops_.size(); }
size_t WriteBatch::ByteSize() const { return bytes_; }
void WriteBatch::Clear() {
  ops_.clear();
  bytes_ = 0;
}

namespace {

class RocksDb final : public Db {
 public:
  RocksDb(rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> handles,
          std::unique_ptr<DedupExpiryFilter> filter)
      : db_(db), handles_(std::move(handles)), filter_(std::move(filter)) {}
  ~RocksDb() override {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
    delete db_;
  }

  Status Write(WriteBatch* batch, bool sync) override {
    rocksdb::WriteBatch wb;
    for (const auto& op : batch->ops()) {
      auto* h = handles_[static_cast<int>(op.family)];
      rocksdb::Status s;
      switch (op.kind) {
        case WriteBatch::Op::Kind::kPut: s = wb.Put(h, S(op.a), S(op.b)); break;
        case WriteBatch::Op::Kind::kDelete: s = wb.Delete(h, S(op.a)); break;
        case WriteBatch::Op::Kind::kDeleteRange: s = wb.DeleteRange(h, S(op.a), S(op.b)); break;
      }
      if (!s.ok()) return FromRocks(s, "building write batch");
    }
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    return FromRocks(db_->Write(wo, &wb), "writing to the data directory");
  }

  StatusOr<std::optional<std::string>> Get(Family f, std::string_view key,
                                           const Snapshot* snap) override {
    rocksdb::ReadOptions ro;
    if (snap) ro.snapshot = snap->get();
    std::string v;
    rocksdb::Status s = db_->Get(ro, handles_[static_cast<int>(f)], S(key), &v);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, "reading");
    return std::optional<std::string>(std::move(v));
  }

  std::unique_ptr<Iterator> NewIterator(Family f, const Snapshot* snap) override {
    rocksdb::ReadOptions ro;
    if (snap) ro.snapshot = snap->get();
    return std::make_unique<RocksIterator>(db_->NewIterator(ro, handles_[static_cast<int>(f)]));
  }

  std::shared_ptr<const Snapshot> GetSnapshot() override {
    return std::make_shared<Snapshot>(db_, db_->GetSnapshot());
  }

  uint64_t ApproximateSizeBytes() override {
    uint64_t total = 0;
    for (auto* h : handles_) {
      uint64_t v = 0;
      if (db_->GetIntProperty(h, "rocksdb.total-sst-files-size", &v)) total += v;
      if (db_->GetIntProperty(h, "rocksdb.cur-size-all-mem-tables", &v)) total += v;
    }
    return total;
  }

  Status CompactFamily(Family f) override {
    rocksdb::CompactRangeOptions o;
    return FromRocks(db_->CompactRange(o, handles_[static_cast<int>(f)], nullptr, nullptr),
                     "compacting");
  }

 private:
  rocksdb::DB* db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<DedupExpiryFilter> filter_;
};

}  // namespace

StatusOr<std::unique_ptr<Db>> Db::Open(const DbOptions& options) {
  rocksdb::DBOptions dbo;
  dbo.create_if_missing = true;
  dbo.create_missing_column_families = true;
  dbo.max_background_jobs = 2;
  dbo.keep_log_file_num = 5;

  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  auto filter = std::make_unique<DedupExpiryFilter>(options.dedup_ttl_ms);
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (int i = 0; i < kFamilyCount; ++i) {
    Family f = static_cast<Family>(i);
    rocksdb::ColumnFamilyOptions cfo;
    rocksdb::BlockBasedTableOptions t;
    t.block_cache = cache;
    if (f == Family::kDedup || f == Family::kIdentity) {
      t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    }
    cfo.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    if (f == Family::kDedup) cfo.compaction_filter = filter.get();
    std::string name = i == 0 ? rocksdb::kDefaultColumnFamilyName : std::string(FamilyName(f));
    cfs.emplace_back(name, cfo);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(dbo, options.path, cfs, &handles, &db);
  if (!s.ok()) return FromRocks(s, "opening data directory " + options.path);
  return std::unique_ptr<Db>(new RocksDb(db, std::move(handles), std::move(filter)));
}

}  // namespace cohort::storage
