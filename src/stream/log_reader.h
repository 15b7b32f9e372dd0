// Reading the stream log: in seq order from a position (the pipeline), and one stream newest
// first (the stream API). Stateless functions over a Db; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/db.h"
#include "stream/key_codec.h"

namespace cohort::stream {

struct StoredEvent {
  uint64_t seq = 0;
  uint32_t stream_id = 0;
  int64_t received_at_ms = 0;
  int64_t event_time_ms = 0;
  bool time_fallback = false;
  std::string raw;
};

// Reads events with seq in [from_seq, to_seq] (to_seq 0 = no bound), at most `limit`, in seq
// order, calling `fn` for each; `fn` returns false to stop early.
Status ReadLog(storage::Db* db, uint64_t from_seq, uint64_t to_seq, size_t limit,
               const std::function<bool(const StoredEvent&)>& fn,
               const storage::Snapshot* snap = nullptr);

// Events of one stream with seq < before_seq (0 = newest), newest first, at most `limit`.
StatusOr<std::vector<StoredEvent>> ReadStreamNewestFirst(storage::Db* db, uint32_t stream_id,
                                                         uint64_t before_seq, size_t limit);

// Events of one stream with seq >= from_seq in seq order, calling `fn`; `fn` returns false to
// stop. Reads through `snap` when given (rebuilds read a fixed view).
Status ScanStream(storage::Db* db, uint32_t stream_id, uint64_t from_seq,
                  const std::function<bool(const StoredEvent&)>& fn,
                  const storage::Snapshot* snap = nullptr);

}  // namespace cohort::stream
