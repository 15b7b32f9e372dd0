// Collector: the logic of POST /collect/json/{stream} below HTTP — stream name check,
// Customer.io-style signature check, body splitting, dry runs, and the durable append.
//
// Thread-safe. One BodyParser per calling thread (thread_local).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "stream/catalog.h"
#include "stream/log_writer.h"

namespace cohort::ingest {

struct CollectRequest {
  std::string stream;
  std::string_view body;  // must stay alive until `done` runs
  std::string signature_timestamp;  // X-CIO-Timestamp
  std::string signature;            // X-CIO-Signature
  bool dryrun = false;
  std::string timestamp_field;  // overrides the stream's timestamp field when non-empty
};

struct CollectResult {
  uint64_t message_count = 0;    // events in the body that were usable objects
  uint64_t rejected_count = 0;   // items that were not JSON objects / not valid JSON lines
  uint64_t duplicate_count = 0;  // of message_count, those already stored (same id)
};

using CollectCallback = std::function<void(const StatusOr<CollectResult>&)>;

class Collector {
 public:
  // `catalog`, `writer`, `db`, and `clock` must outlive the collector.
  Collector(stream::StreamCatalog* catalog, stream::LogWriter* writer, storage::Db* db,
            const Clock* clock, int64_t dedup_window_ms);

  // Validates and appends; `done` runs (maybe on the writer thread) when the events are
  // durable, or at once on a validation error.
  void Collect(const CollectRequest& request, CollectCallback done);

 private:
  StatusOr<uint64_t> CountStored(const std::string& stream,
                                 const std::vector<stream::PreparedEvent>& events);

  stream::StreamCatalog* const catalog_;
  stream::LogWriter* const writer_;
  storage::Db* const db_;
  const Clock* const clock_;
  const int64_t dedup_window_ms_;
};

}  // namespace cohort::ingest
