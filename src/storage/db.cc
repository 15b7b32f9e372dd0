#include "storage/db.h"

#include <rocksdb/compaction_filter.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "storage/prezeroed_wal.h"

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

namespace {

// A stand-in column family handle: rocksdb::WriteBatch only asks a handle for its id and its
// comparator. Batches are recorded with the Family number as the column family id; Open
// checks that the database's ids are exactly those (else Write remaps them).
class FamilyHandle final : public rocksdb::ColumnFamilyHandle {
 public:
  FamilyHandle() = default;
  void Init(int id) {
    id_ = static_cast<uint32_t>(id);
    name_ = id == 0 ? rocksdb::kDefaultColumnFamilyName
                    : std::string(FamilyName(static_cast<Family>(id)));
  }
  const std::string& GetName() const override { return name_; }
  uint32_t GetID() const override { return id_; }
  rocksdb::Status GetDescriptor(rocksdb::ColumnFamilyDescriptor*) override {
    return rocksdb::Status::NotSupported("placeholder handle");
  }
  const rocksdb::Comparator* GetComparator() const override {
    return rocksdb::BytewiseComparator();
  }

 private:
  uint32_t id_ = 0;
  std::string name_;
};

rocksdb::ColumnFamilyHandle* H(Family f) {
  static FamilyHandle* const handles = [] {
    auto* h = new FamilyHandle[kFamilyCount];
    for (int i = 0; i < kFamilyCount; ++i) h[i].Init(i);
    return h;
  }();
  return &handles[static_cast<int>(f)];
}

// Re-adds the ops of one batch to another, mapping column family ids through `map` (or
// keeping them when map is null).
class Copier final : public rocksdb::WriteBatch::Handler {
 public:
  Copier(rocksdb::WriteBatch* out, const std::vector<rocksdb::ColumnFamilyHandle*>* map)
      : out_(out), map_(map) {}
  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& k, const rocksdb::Slice& v) override {
    return out_->Put(Map(cf), k, v);
  }
  rocksdb::Status DeleteCF(uint32_t cf, const rocksdb::Slice& k) override {
    return out_->Delete(Map(cf), k);
  }
  rocksdb::Status DeleteRangeCF(uint32_t cf, const rocksdb::Slice& b,
                                const rocksdb::Slice& e) override {
    return out_->DeleteRange(Map(cf), b, e);
  }

 private:
  rocksdb::ColumnFamilyHandle* Map(uint32_t cf) const {
    return map_ ? (*map_)[cf] : H(static_cast<Family>(cf));
  }
  rocksdb::WriteBatch* out_;
  const std::vector<rocksdb::ColumnFamilyHandle*>* map_;
};

}  // namespace

struct WriteBatch::Rep {
  explicit Rep(size_t reserve) : wb(reserve) {}
  rocksdb::WriteBatch wb;
};

// Gives RocksDb access to the rocksdb::WriteBatch inside a WriteBatch.
class RocksDbAccess {
 public:
  static rocksdb::WriteBatch* Get(WriteBatch* b) { return b->rep_ ? &b->rep_->wb : nullptr; }
};

WriteBatch::WriteBatch() = default;
WriteBatch::WriteBatch(size_t reserve_bytes)
    : rep_(std::make_unique<Rep>(reserve_bytes + reserve_bytes / 8 + 64)) {}
WriteBatch::~WriteBatch() = default;
WriteBatch::WriteBatch(const WriteBatch& o)
    : rep_(o.rep_ ? std::make_unique<Rep>(*o.rep_) : nullptr),
      count_(o.count_),
      bytes_(o.bytes_) {}
WriteBatch& WriteBatch::operator=(const WriteBatch& o) {
  if (this != &o) {
    rep_ = o.rep_ ? std::make_unique<Rep>(*o.rep_) : nullptr;
    count_ = o.count_;
    bytes_ = o.bytes_;
  }
  return *this;
}
WriteBatch::WriteBatch(WriteBatch&& o) noexcept
    : rep_(std::move(o.rep_)), count_(o.count_), bytes_(o.bytes_) {
  o.count_ = o.bytes_ = 0;
}
WriteBatch& WriteBatch::operator=(WriteBatch&& o) noexcept {
  if (this != &o) {
    rep_ = std::move(o.rep_);
    count_ = o.count_;
    bytes_ = o.bytes_;
    o.count_ = o.bytes_ = 0;
  }
  return *this;
}

WriteBatch::Rep* WriteBatch::rep() {
  if (!rep_) rep_ = std::make_unique<Rep>(0);
  return rep_.get();
}

// rocksdb::WriteBatch only fails these for keys/values over 4 GiB or a bad handle, neither of
// which can happen here.
void WriteBatch::Put(Family f, std::string_view key, std::string_view value) {
  bytes_ += key.size() + value.size();
  ++count_;
  rep()->wb.Put(H(f), S(key), S(value)).PermitUncheckedError();
}
void WriteBatch::PutParts(Family f, std::string_view key,
                          std::initializer_list<std::string_view> value_parts) {
  rocksdb::Slice parts[8];
  int n = 0;
  size_t vbytes = 0;
  for (std::string_view p : value_parts) {
    if (n == 8) {  // more parts than expected: fall back to one string
      std::string v;
      for (std::string_view q : value_parts) v.append(q);
      Put(f, key, v);
      return;
    }
    parts[n++] = S(p);
    vbytes += p.size();
  }
  bytes_ += key.size() + vbytes;
  ++count_;
  rocksdb::Slice k = S(key);
  rep()->wb.Put(H(f), rocksdb::SliceParts(&k, 1), rocksdb::SliceParts(parts, n))
      .PermitUncheckedError();
}
void WriteBatch::Delete(Family f, std::string_view key) {
  bytes_ += key.size();
  ++count_;
  rep()->wb.Delete(H(f), S(key)).PermitUncheckedError();
}
void WriteBatch::DeleteRange(Family f, std::string_view begin, std::string_view end) {
  bytes_ += begin.size() + end.size();
  ++count_;
  rep()->wb.DeleteRange(H(f), S(begin), S(end)).PermitUncheckedError();
}
void WriteBatch::Append(const WriteBatch& other) {
  if (!other.rep_ || other.count_ == 0) return;
  Copier c(&rep()->wb, nullptr);
  other.rep_->wb.Iterate(&c).PermitUncheckedError();
  count_ += other.count_;
  bytes_ += other.bytes_;
}
size_t WriteBatch::Count() const { return count_; }
size_t WriteBatch::ByteSize() const { return bytes_; }
void WriteBatch::Clear() {
  if (rep_) rep_->wb.Clear();
  count_ = 0;
  bytes_ = 0;
}

namespace {

class RocksDb final : public Db {
 public:
  RocksDb(rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> handles,
          std::unique_ptr<DedupExpiryFilter> filter,
          std::shared_ptr<PrezeroedWalFileSystem> wal_fs, std::unique_ptr<rocksdb::Env> env)
      : wal_fs_(std::move(wal_fs)),
        env_(std::move(env)),
        db_(db),
        handles_(std::move(handles)),
        filter_(std::move(filter)) {
    ids_match_ = true;
    for (size_t i = 0; i < handles_.size(); ++i) {
      ids_match_ = ids_match_ && handles_[i]->GetID() == static_cast<uint32_t>(i);
    }
  }
  ~RocksDb() override {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
    delete db_;
  }

  Status Write(WriteBatch* batch, bool sync) override {
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    rocksdb::WriteBatch* wb = RocksDbAccess::Get(batch);
    rocksdb::WriteBatch empty;
    if (!wb) wb = &empty;
    if (!ids_match_) {
      // This database's column family ids differ from the Family numbers: remap.
      rocksdb::WriteBatch mapped;
      Copier c(&mapped, &handles_);
      rocksdb::Status s = wb->Iterate(&c);
      if (!s.ok()) return FromRocks(s, "building write batch");
      wb = &mapped;
      s = db_->Write(wo, wb);
      if (s.ok()) MaybeSwitchWal();
      return FromRocks(s, "writing to the data directory");
    }
    rocksdb::Status s = db_->Write(wo, wb);
    if (s.ok()) MaybeSwitchWal();
    return FromRocks(s, "writing to the data directory");
  }

  Status SyncWal() override { return FromRocks(db_->SyncWAL(), "syncing the write-ahead log"); }

  Status MultiGet(Family f, const std::vector<std::string_view>& keys,
                  std::vector<std::optional<std::string>>* values,
                  const Snapshot* snap) override {
    values->clear();
    values->resize(keys.size());
    if (keys.empty()) return Status::Ok();
    rocksdb::ReadOptions ro;
    if (snap) ro.snapshot = snap->get();
    // RocksDB wants the keys in order; sorting them here (plain byte order, the families'
    // comparator) is cheaper than its own sort through the comparator, and free when the keys
    // already come in order.
    std::vector<uint32_t> order(keys.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    auto by_key = [&](uint32_t a, uint32_t b) { return keys[a] < keys[b]; };
    if (!std::is_sorted(order.begin(), order.end(), by_key)) {
      std::sort(order.begin(), order.end(), by_key);
    }
    std::vector<rocksdb::Slice> ks(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) ks[i] = S(keys[order[i]]);
    std::vector<rocksdb::PinnableSlice> vs(keys.size());
    std::vector<rocksdb::Status> ss(keys.size());
    db_->MultiGet(ro, handles_[static_cast<int>(f)], keys.size(), ks.data(), vs.data(),
                  ss.data(), /*sorted_input=*/true);
    for (size_t i = 0; i < keys.size(); ++i) {
      if (ss[i].IsNotFound()) continue;
      if (!ss[i].ok()) return FromRocks(ss[i], "reading");
      (*values)[order[i]].emplace(vs[i].data(), vs[i].size());
    }
    return Status::Ok();
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
  // The WAL being written has no zeroed space left (or never had any) and a zeroed file is
  // ready: start a new WAL, which takes it, by flushing the log family's memtable (without
  // waiting for the flush). Rare: about once per WAL file.
  void MaybeSwitchWal() {
    if (!wal_fs_ || !wal_fs_->TakeSwitchWanted()) return;
    rocksdb::FlushOptions fo;
    fo.wait = false;
    fo.allow_write_stall = true;
    db_->Flush(fo, handles_[static_cast<int>(Family::kLog)]).PermitUncheckedError();
  }

  // Declared first so that they are destroyed last, after the destructor closed db_.
  std::shared_ptr<PrezeroedWalFileSystem> wal_fs_;
  std::unique_ptr<rocksdb::Env> env_;
  rocksdb::DB* db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<DedupExpiryFilter> filter_;
  bool ids_match_ = false;
};

}  // namespace

StatusOr<std::unique_ptr<Db>> Db::Open(const DbOptions& options) {
  rocksdb::DBOptions dbo;
  dbo.create_if_missing = true;
  dbo.create_missing_column_families = true;
  dbo.max_background_jobs = 2;
  dbo.keep_log_file_num = 5;
  std::shared_ptr<PrezeroedWalFileSystem> wal_fs;
  std::unique_ptr<rocksdb::Env> env;
  if (options.wal_zeroed_file_bytes > 0) {
    wal_fs = std::make_shared<PrezeroedWalFileSystem>(rocksdb::FileSystem::Default(),
                                                      options.wal_zeroed_file_bytes);
    env = rocksdb::NewCompositeEnv(wal_fs);
    dbo.env = env.get();
  }

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
    if (f == Family::kDedup) {
      cfo.compaction_filter = filter.get();
      // Almost every lookup is of a new id: a memtable bloom filter on whole keys lets a miss
      // skip the skiplist walk.
      cfo.memtable_prefix_bloom_size_ratio = 0.1;
      cfo.memtable_whole_key_filtering = true;
    }
    std::string name = i == 0 ? rocksdb::kDefaultColumnFamilyName : std::string(FamilyName(f));
    cfs.emplace_back(name, cfo);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(dbo, options.path, cfs, &handles, &db);
  if (!s.ok()) return FromRocks(s, "opening data directory " + options.path);
  return std::unique_ptr<Db>(new RocksDb(db, std::move(handles), std::move(filter),
                                         std::move(wal_fs), std::move(env)));
}

}  // namespace cohort::storage
