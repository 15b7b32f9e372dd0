// LogWriter: the single writer of the stream log, with group commit.
//
// Many threads call Append; one writer thread takes every pending request, de-duplicates
// their events against the dedup index (and each other), assigns sequence numbers, and
// writes events, indexes, counters and any extra writes of the requests in ONE RocksDB
// WriteBatch. Because one thread decides duplicates and sequence numbers, both are exact.
//
// Durability. A request's callback runs only once its write is durable (or failed).
// A small group (single events: kilobytes) is written with sync by the writer thread, which
// then runs the callbacks. A large group (bodies of many events: megabytes, at least
// `pipelined_sync_bytes`) is written without sync and handed to a sync thread, which fsyncs
// the WAL once for every group written so far and then runs their callbacks; meanwhile the
// writer builds and writes the next group, so the fsync of megabytes overlaps that work.
// Between the write and the fsync, a pipelined group's events are readable (and a retry of
// one of them is recognised as a duplicate, answered after that retry's own group is synced,
// hence after the original). Any synced write makes every earlier write durable (the WAL is
// synced in order). LastSeq() covers the groups answered so far: durable ones, and groups
// that asked for no sync (AppendRequest::durable = false), which are readable at once.
//
// Thread-safe. Callbacks run on the writer or the sync thread and must be quick (post
// elsewhere).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "storage/db.h"
#include "stream/catalog.h"

namespace cohort::stream {

// One event ready to append (parsed and validated by the caller).
struct PreparedEvent {
  std::string raw;         // exact JSON text of one object
  std::string event_id;    // value of the stream's id field; "" = not de-duplicated
  int64_t received_at_ms = 0;
  int64_t event_time_ms = 0;
  bool time_fallback = false;  // the event time is the receive time because the timestamp
                               // field held something unparsable
  // Top-level keys with a sample value (JSON text), for the field catalogue.
  std::vector<std::pair<std::string, std::string>> fields;
};

struct AppendRequest {
  std::string stream;
  std::vector<PreparedEvent> events;
  uint64_t rejected = 0;  // items of the body that were refused; counted in the stats
  // Extra counters for other streams, committed with this request (e.g. a processor counts
  // unmapped events on its input stream).
  std::vector<std::pair<std::string, StreamStats>> counters;
  // Extra writes committed atomically with the events (e.g. a consumer checkpoint).
  storage::WriteBatch extra;
  // Whether `done` must wait for the write to be synced to disk. Derived output that can be
  // computed again from the log (a processor's records with its checkpoint) sets false: a
  // group of such requests only is written without its own fsync, and is made durable by the
  // next synced group (the WAL is synced in order). After a crash that loses it, the stage
  // resumes from its previous checkpoint.
  bool durable = true;
};

struct AppendResult {
  uint64_t stored = 0;      // new events written
  uint64_t duplicates = 0;  // events whose id was already stored within the window
  uint64_t last_seq = 0;    // highest seq written by this request (0 if none)
};

using AppendCallback = std::function<void(const Status&, const AppendResult&)>;

struct LogWriterOptions {
  // An event whose id was stored less than this long ago is a duplicate. Default: 30 days.
  int64_t dedup_window_ms = 30LL * 24 * 3600 * 1000;
  // Upper bounds of one group commit. Defaults: 20,000 events, 32 MiB.
  size_t max_batch_events = 20000;
  size_t max_batch_bytes = 32u << 20;
  // Pending bytes above which Append fails fast with kResourceExhausted (503 + Retry-After)
  // instead of queueing. Default: 256 MiB.
  size_t max_queue_bytes = 256u << 20;
  // Groups of at least this many bytes are synced by the sync thread while the writer goes
  // on with the next group (see above). Default: 256 KiB.
  size_t pipelined_sync_bytes = 256u << 10;
  // Whether group commits with a durable request fsync the WAL. Only tests and benchmarks of
  // the non-durable path turn this off. Default: true.
  bool sync = true;
};

class LogWriter {
 public:
  // `db`, `catalog` and `clock` must outlive the writer. Recovers the last seq from the log.
  static StatusOr<std::unique_ptr<LogWriter>> Start(storage::Db* db, StreamCatalog* catalog,
                                                    const Clock* clock,
                                                    const LogWriterOptions& options);
  ~LogWriter();  // Stop()s

  // Queues the request; `done` runs once its write is durable or has failed.
  void Append(AppendRequest request, AppendCallback done);
  // Append and wait.
  Status AppendSync(AppendRequest request, AppendResult* result);

  // Finishes queued requests, then stops the thread. New appends fail with kCancelled.
  void Stop();

  // Highest durable seq.
  uint64_t LastSeq() const;
  // Blocks until LastSeq() > seen or timeout; returns LastSeq().
  uint64_t WaitForNewer(uint64_t seen, int timeout_ms) const;
  // Group commits so far (metrics).
  uint64_t CommitCount() const;
  // WAL syncs made by the sync thread for large groups so far (metrics).
  uint64_t PipelinedSyncCount() const;

 private:
  LogWriter(storage::Db* db, StreamCatalog* catalog, const Clock* clock, LogWriterOptions o);
  void Run();       // the writer thread
  void SyncLoop();  // the sync thread
  struct Pending {
    AppendRequest request;
    AppendCallback done;
    size_t bytes = 0;
  };
  // A large group written without sync, waiting for the sync thread.
  struct Written {
    std::vector<Pending> group;
    std::vector<AppendResult> results;
    uint64_t last_seq = 0;  // highest seq of the group
  };
  void CommitGroup(std::vector<Pending>* group);
  // The group's write is durable (or failed): advances LastSeq, runs the callbacks.
  void Finish(const Status& status, uint64_t last_seq, std::vector<Pending>* group,
              const std::vector<AppendResult>& results);

  storage::Db* const db_;
  StreamCatalog* const catalog_;
  const Clock* const clock_;
  const LogWriterOptions options_;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;         // work arrives / stop
  mutable std::condition_variable commit_cv_;  // a commit finished
  std::deque<Pending> queue_;                  // GUARDED_BY(mu_)
  size_t queued_bytes_ = 0;                    // GUARDED_BY(mu_)
  bool stopping_ = false;                      // GUARDED_BY(mu_)
  uint64_t last_seq_ = 0;                      // GUARDED_BY(mu_)
  uint64_t commits_ = 0;                       // GUARDED_BY(mu_)
  uint64_t pipelined_syncs_ = 0;               // GUARDED_BY(mu_)
  uint64_t written_seq_ = 0;  // highest seq written (maybe not yet synced); writer thread only
  std::thread thread_;

  std::mutex sync_mu_;
  std::condition_variable sync_cv_;  // a group was written / the writer stopped
  std::vector<Written> written_;     // GUARDED_BY(sync_mu_)
  bool writer_done_ = false;         // GUARDED_BY(sync_mu_)
  std::thread sync_thread_;
};

}  // namespace cohort::stream
