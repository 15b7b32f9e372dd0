// AudienceEngine: exact, real-time audience membership (SPEC §2.6, §7).
//
// Membership of each saved audience is a roaring bitmap of profile ids of the serving profile
// generation, persisted in the membership family. It is computed over every profile when the
// audience is saved, then kept incrementally: after each batch of profile changes the pipeline
// hands the changed profiles here, and only they are re-evaluated, in the same WriteBatch as
// the profiles (so a crash can never separate a profile from its memberships). For
// time-relative filters the engine keeps a timer index — when each profile's answer can next
// change by time alone — and re-evaluates due profiles, so a profile leaves
// `cio_last_open_ts > "now-7d"` seven days after its last open with no event. Every enter and
// exit is appended to the changes family (the enter/exit log that webhooks deliver).
//
// Threads: the mutating calls (Apply*, RunTimers, requests) run on the pipeline thread only;
// the read calls are thread-safe. All time comes from the injected clock.
#pragma once

#include <roaring/roaring.hh>

#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "audience/profile_index.h"
#include "audience/segment_def.h"
#include "common/clock.h"
#include "common/status.h"
#include "profile/store_keys.h"
#include "profile/writer.h"
#include "segment/segment.h"
#include "storage/db.h"

namespace cohort::audience {

struct Change {
  uint64_t seq = 0;
  std::string profile;  // the profile's smallest identity, "field:value"
  std::string email;    // "" if the profile has none
  bool enter = true;
  int64_t at_ms = 0;
  std::string reason;   // "event", "time", "saved", "rebuild", "merged", "erased"
};
std::string EncodeChange(const Change& c);
StatusOr<Change> DecodeChange(uint64_t seq, std::string_view v);

struct AudienceInfo {
  SegmentDef def;
  uint64_t size = 0;
  bool time_relative = false;
  uint64_t last_change_seq = 0;
};

class AudienceEngine {
 public:
  // `db` and `clock` must outlive the engine. Loads audiences, memberships and timers.
  static StatusOr<std::unique_ptr<AudienceEngine>> Load(storage::Db* db, const Clock* clock);

  // ---- Pipeline thread ----
  // The schema audiences bind against (field → kind), from the serving queries.
  void SetSchema(std::map<std::string, mapping::Kind, std::less<>> fields);
  // Re-evaluates changed/deleted profiles of `gen` (the serving generation); writes
  // memberships, timers and changes into `batch`. Call Commit() after the batch is durable,
  // Abort() if it failed.
  Status OnProfiles(uint32_t gen, const profile::ProfileWriter::Changes& changes,
                    storage::WriteBatch* batch, const std::string& reason = "event");
  void Commit();
  void Abort();
  // Re-evaluates profiles whose timers are due at clock->NowMs(); writes into `batch`.
  // *any is set when something was due.
  Status RunTimers(uint32_t gen, storage::WriteBatch* batch, bool* any);
  // Every profile of a generation from memory, in ascending pid order: calls fn for each and
  // returns true, or returns false when it cannot (then the store is read instead). See
  // profile::ProfileWriter::ForEachProfileInMemory.
  using ProfileSource = std::function<bool(
      const std::function<void(uint64_t pid, const profile::Profile& profile)>& fn)>;
  // After a generation switch: recompute every audience over `gen`, diffing by profile
  // identity so that unchanged people do not enter/exit. Writes into `batch`. `source`, when
  // given, supplies the profiles without reading the store (the new generation's writer).
  Status OnGeneration(uint32_t gen, storage::WriteBatch* batch,
                      const ProfileSource& source = nullptr);
  // (Re)builds the in-memory field index from every profile of `gen` (at start; from
  // `source` when it can).
  Status BuildIndex(uint32_t gen, const ProfileSource& source = nullptr);
  // The profile generation memberships were computed for (0 if never).
  uint32_t stored_gen() const { return stored_gen_; }
  // Runs queued saves/deletes (from the API) against `gen`.
  Status ProcessRequests(uint32_t gen);

  // ---- Any thread ----
  // Saves (creates or replaces by slug) an audience; blocks until the pipeline thread has
  // computed its membership over every profile. Validation errors (kInvalidArgument with
  // line/column in the message) come back at once.
  StatusOr<AudienceInfo> Save(SegmentDef def, int timeout_ms = 60000);
  Status Delete(const std::string& slug, int timeout_ms = 60000);
  Status SetWebhook(const std::string& slug, const std::string& url, const std::string& secret);
  // Compiles `text` against the current schema (for validate and ad-hoc size).
  lang::Result<std::shared_ptr<const segment::CompiledSegment>> CompileFilter(
      std::string_view text) const;

  std::vector<AudienceInfo> List() const;
  std::optional<AudienceInfo> Get(const std::string& slug) const;
  // Members after `after_pid` (0 = from the start), ascending, at most `limit`.
  std::vector<uint64_t> Members(const std::string& slug, uint64_t after_pid, size_t limit) const;
  bool IsMember(const std::string& slug, uint64_t pid) const;
  // Slugs of the audiences `pid` belongs to, sorted.
  std::vector<std::string> SegmentsOf(uint64_t pid) const;
  // The change log after `after_seq`, at most `limit`.
  StatusOr<std::vector<Change>> Changes(const std::string& slug, uint64_t after_seq,
                                        size_t limit) const;
  // How many profiles match `filter` now: from the field index in milliseconds, or by reading
  // every profile of `gen` when the index cannot answer an atom.
  StatusOr<uint64_t> Count(const segment::CompiledSegment& filter, uint32_t gen) const;
  // Bytes held by the field index and the membership bitmaps (metrics, benchmarks).
  size_t MemoryBytes() const;
  // Time-relative audiences are also re-evaluated in full (from the index) this often, by the
  // injected clock: the bound on how late a profile without a timer enters or leaves.
  // Default: 10 s.
  void set_sweep_interval_ms(int64_t ms) { sweep_interval_ms_ = ms; }
  // Number of pending timers (metrics, tests).
  size_t TimerCount() const;
  std::optional<int64_t> NextTimerDue() const;

 private:
  struct Audience {
    SegmentDef def;
    std::shared_ptr<const segment::CompiledSegment> compiled;
    Roaring members;
    uint64_t last_seq = 0;
  };
  struct Request {
    bool remove = false;
    SegmentDef def;
    std::promise<StatusOr<AudienceInfo>> done;
  };
  struct PendingOp {
    uint32_t seg;
    uint64_t pid;
    bool add;
  };
  AudienceEngine(storage::Db* db, const Clock* clock) : db_(db), clock_(clock) {}
  Status LoadState();
  segment::Schema SchemaLocked() const;
  // Evaluates one profile against one audience; records membership/timer/change ops.
  void Evaluate(Audience* a, const profile::ProfileRecord& r, int64_t now,
                storage::WriteBatch* b, const std::string& reason);
  void SetTimer(uint32_t seg, uint64_t pid, std::optional<int64_t> due, storage::WriteBatch* b);
  // Writes the membership bitmaps of audiences changed since the last call into `b`.
  void PersistDirty(storage::WriteBatch* b);
  // Re-evaluates every time-relative audience from the index when the sweep is due.
  Status Sweep(uint32_t gen, int64_t now, storage::WriteBatch* b, bool* any);
  void LogChange(Audience* a, const profile::ProfileRecord* r, const std::string& profile_text,
                 bool enter, int64_t now, const std::string& reason, storage::WriteBatch* b);
  // Recomputes `a` over every profile of `gen`. With `log`, every profile whose membership
  // changes gets an enter/exit record with `reason` (edits); without, it does not (first save,
  // generation switch).
  Status Recompute(Audience* a, uint32_t gen, storage::WriteBatch* b, const std::string& reason,
                   bool log);
  AudienceInfo InfoLocked(const Audience& a) const;

  storage::Db* const db_;
  const Clock* const clock_;

  mutable std::mutex mu_;
  std::map<std::string, Audience> audiences_;                  // GUARDED_BY(mu_)
  std::map<std::string, mapping::Kind, std::less<>> schema_;   // GUARDED_BY(mu_)
  uint32_t next_id_ = 1;                                       // GUARDED_BY(mu_)
  uint32_t stored_gen_ = 0;                                    // pipeline thread
  std::vector<std::unique_ptr<Request>> requests_;             // GUARDED_BY(mu_)
  // Timers: (due, seg, pid) ordered, and the due time of each (seg, pid).
  std::set<std::tuple<int64_t, uint32_t, uint64_t>> timers_;   // GUARDED_BY(mu_)
  std::map<std::pair<uint32_t, uint64_t>, int64_t> timer_of_;  // GUARDED_BY(mu_)
  // Membership ops of the batch being written, applied by Commit.
  std::vector<PendingOp> pending_;                             // pipeline thread
  std::map<uint32_t, uint64_t> pending_seq_;                   // pipeline thread
  std::set<uint32_t> dirty_;                                   // GUARDED_BY(mu_)
  ProfileIndex index_;                                         // GUARDED_BY(mu_)
  int64_t sweep_interval_ms_ = 10000;
  int64_t next_sweep_ms_ = 0;                                  // pipeline thread
};

}  // namespace cohort::audience
