// Storage: the one place that includes RocksDB. Opens the data directory with Cohort's column
// families, converts rocksdb::Status to cohort::Status, and offers write batches, point reads,
// iterators and snapshots in Cohort's own types.
//
// Thread safety: Db is thread-safe (RocksDB is). WriteBatch and Iterator are not; each is used
// by one thread at a time. An Iterator or Snapshot must not outlive the Db that made it.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cohort::storage {

// Column families (docs/storage.md). The names are persisted: do not rename.
enum class Family : int {
  kLog = 0,          // seq → event record
  kStreamIndex = 1,  // stream id, seq → ""
  kDedup = 2,        // stream id, event id → received_at, seq
  kMeta = 3,         // kind, name → tokens, stream stats/config, queries, checkpoints, ...
  kProfile = 4,      // profile id → encoded profile
  kIdentity = 5,     // field, value → profile id
  kMembership = 6,   // segment id, profile id → ""
  kChanges = 7,      // segment id, seq → enter/exit record
  kTimers = 8,       // due time, segment id, profile id → ""
};
inline constexpr int kFamilyCount = 9;
std::string_view FamilyName(Family f);

struct DbOptions {
  // Directory of the database; created if missing.
  std::string path;
  // Values in the dedup family begin with the event's receive time (8 bytes, big-endian, ms);
  // compactions drop entries older than this, so the index stays bounded. 0 keeps them forever.
  // Default: 30 days.
  int64_t dedup_ttl_ms = 30LL * 24 * 3600 * 1000;
  // Block cache for all families. Default: 256 MiB.
  size_t block_cache_bytes = 256u << 20;
  // Size of the write-ahead-log files that are written with zeros and synced before use, so
  // that a synced commit overwrites space instead of growing the file (see
  // storage/prezeroed_wal.h). 0 = plain appended WAL files. Default: 128 MiB.
  uint64_t wal_zeroed_file_bytes = 128u << 20;
};

// A set of writes applied atomically by Db::Write. Ops are encoded straight into RocksDB's
// batch format as they are added, so Db::Write hands the batch to RocksDB without copying.
class WriteBatch {
 public:
  WriteBatch();
  // Reserves room for about `reserve_bytes` of keys and values up front.
  explicit WriteBatch(size_t reserve_bytes);
  ~WriteBatch();
  WriteBatch(const WriteBatch& other);
  WriteBatch& operator=(const WriteBatch& other);
  WriteBatch(WriteBatch&& other) noexcept;
  WriteBatch& operator=(WriteBatch&& other) noexcept;

  void Put(Family f, std::string_view key, std::string_view value);
  // Put whose value is the concatenation of `value_parts` (no intermediate string).
  void PutParts(Family f, std::string_view key, std::initializer_list<std::string_view> value_parts);
  void Delete(Family f, std::string_view key);
  // Deletes [begin, end) in family f.
  void DeleteRange(Family f, std::string_view begin, std::string_view end);
  // Appends every op of `other` (in order) to this batch.
  void Append(const WriteBatch& other);
  size_t Count() const;
  // Sum of the sizes of keys and values (range ends) added.
  size_t ByteSize() const;
  void Clear();

 private:
  friend class RocksDbAccess;
  struct Rep;
  Rep* rep();  // created on first use
  std::unique_ptr<Rep> rep_;
  size_t count_ = 0;
  size_t bytes_ = 0;
};

class Snapshot;

class Iterator {
 public:
  virtual ~Iterator() = default;
  virtual void Seek(std::string_view key) = 0;
  virtual void SeekForPrev(std::string_view key) = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  virtual void Prev() = 0;
  // Valid until the iterator moves.
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // OK unless the iteration hit a storage error.
  virtual Status status() const = 0;
};

class Db {
 public:
  // Opens (creating if needed) the database at options.path with every Family.
  // Errors: kUnavailable with RocksDB's message (e.g. the directory is locked by another
  // process).
  static StatusOr<std::unique_ptr<Db>> Open(const DbOptions& options);
  virtual ~Db() = default;

  // Applies the batch atomically. With sync, returns only after the WAL is fsync'd.
  virtual Status Write(WriteBatch* batch, bool sync) = 0;
  // Makes every write that returned so far durable (fsyncs the WAL). May run concurrently
  // with Write on another thread.
  virtual Status SyncWal() = 0;
  // The value, std::nullopt if absent, or an error.
  virtual StatusOr<std::optional<std::string>> Get(Family f, std::string_view key,
                                                   const Snapshot* snap = nullptr) = 0;
  // Reads many keys of one family at once (one batched lookup): (*values)[i] is the value of
  // keys[i] or std::nullopt if absent. Errors if any lookup failed.
  virtual Status MultiGet(Family f, const std::vector<std::string_view>& keys,
                          std::vector<std::optional<std::string>>* values,
                          const Snapshot* snap = nullptr) = 0;
  virtual std::unique_ptr<Iterator> NewIterator(Family f, const Snapshot* snap = nullptr) = 0;
  // A consistent read view; released when the last shared_ptr goes.
  virtual std::shared_ptr<const Snapshot> GetSnapshot() = 0;
  // Approximate on-disk size of all families, bytes.
  virtual uint64_t ApproximateSizeBytes() = 0;
  // Forces a compaction of one family (tests, dedup expiry).
  virtual Status CompactFamily(Family f) = 0;
};

}  // namespace cohort::storage
