// StreamCatalog: the live registry of streams — name ↔ id, counters, field catalogue and
// configuration — loaded from the meta family at start and kept current by the LogWriter
// (counters, catalogue) and the stream API (configuration).
//
// Thread-safe: every method takes the internal mutex; readers get copies.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/db.h"
#include "stream/stats.h"

namespace cohort::stream {

struct StreamInfo {
  uint32_t id = 0;
  std::string name;
  StreamStats stats;
  FieldCatalog fields;
  StreamConfig config;
  bool configured = false;  // a config was stored explicitly
};

class StreamCatalog {
 public:
  // Loads every stream from `db`, which must outlive the catalog.
  static StatusOr<std::unique_ptr<StreamCatalog>> Load(storage::Db* db);

  // The id of `name`, allocating one (in memory) if the stream is new. The caller persists
  // new streams by writing PersistNameOps into its next batch.
  uint32_t IdFor(const std::string& name, bool* created);
  std::optional<uint32_t> FindId(const std::string& name) const;
  std::optional<std::string> NameOf(uint32_t id) const;

  // Adds the `stream → id` meta entry to `batch` (idempotent to write again).
  static void PersistNameOps(storage::WriteBatch* batch, const std::string& name, uint32_t id);

  std::optional<StreamInfo> Get(const std::string& name) const;
  std::vector<StreamInfo> List(bool with_fields) const;
  StreamConfig ConfigOf(const std::string& name) const;  // default config if unknown

  // Writes the config of `name` (creating the stream if needed) durably, then applies it.
  Status PutConfig(const std::string& name, const StreamConfig& config);

  // Applies counters and catalogue changes of a committed batch (called by the LogWriter
  // after its write is durable).
  void ApplyCommitted(uint32_t id, const StreamStats& delta, const FieldCatalog& merged);
  // The current catalogue of a stream (copy), for the writer to merge into.
  FieldCatalog FieldsOf(uint32_t id) const;
  StreamStats StatsOf(uint32_t id) const;

 private:
  explicit StreamCatalog(storage::Db* db) : db_(db) {}
  StreamInfo* FindLocked(uint32_t id);

  storage::Db* const db_;
  mutable std::mutex mu_;
  std::map<uint32_t, StreamInfo> by_id_;          // GUARDED_BY(mu_)
  std::map<std::string, uint32_t> by_name_;       // GUARDED_BY(mu_)
  uint32_t next_id_ = 1;                          // GUARDED_BY(mu_)
};

}  // namespace cohort::stream
