// ProfileWriter: applies evaluations (field updates + identities, SPEC §5.3–5.4) to one
// generation of the profile store. Identities that today belong to different profiles merge
// those profiles into the one with the smallest id (fields combined by their merge ops,
// identities re-pointed, an audit record kept), so a profile is a connected component of
// identities and its fields are a function of the set of its events.
//
// Changes accumulate in memory until Flush adds them to a WriteBatch, which the caller commits
// together with its checkpoint. Owned by one thread (the pipeline); not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include <boost/unordered/unordered_flat_map.hpp>

#include "common/status.h"
#include "mapping/evaluator.h"
#include "profile/store_keys.h"
#include "storage/db.h"

namespace cohort::profile {

struct WriterOptions {
  // A profile holds at most this many values of one identity field; further values are not
  // indexed (SPEC §5.4 guard rail). Default: 50.
  size_t max_identity_values = 50;
  FieldOptions fields;  // set cap
  // Cached profiles above which Flush empties the cache. Default: 200,000.
  size_t cache_limit = 200000;
};

struct WriterCounters {
  uint64_t applied = 0;       // evaluations applied
  uint64_t unidentified = 0;  // evaluations without any identity (ignored)
  uint64_t erased = 0;        // evaluations naming an erased identity (ignored)
  uint64_t merges = 0;        // profiles merged into another
  uint64_t created = 0;       // profiles created
  uint64_t errors = 0;        // updates refused by the field (e.g. kind changed)
};

class ProfileWriter {
 public:
  // `db` must outlive the writer. `tombstones` holds IdentityText of erased identities.
  ProfileWriter(storage::Db* db, uint32_t gen, WriterOptions options,
                const std::set<std::string>* tombstones);
  // Reads the generation's id counter.
  Status Init();
  // Whether Flush callers want Changes with the profiles' previous versions (the serving
  // generation, for audiences). Off, the writer keeps no copy of stored profiles, which makes
  // rebuilds cheaper. Turning it off empties the cache; turning it on keeps the cache if
  // nothing is pending (every cached profile is as stored), else empties it. Default: on.
  void set_track_changes(bool on);

  Status Apply(const mapping::Evaluation& ev);
  // What a Flush wrote: the profiles as they now are, and the ids of profiles merged away.
  struct Changes {
    std::vector<ProfileRecord> changed;
    // Aligned with `changed`: the stored version before this batch (nullopt: new profile).
    std::vector<std::optional<Profile>> changed_before;
    std::vector<uint64_t> deleted;
    // Aligned with `deleted`: the stored version (nullopt: created and merged in this batch).
    std::vector<std::optional<Profile>> deleted_before;
  };
  // Adds every pending change (profiles, identities, order keys, counter, audit) to `batch`;
  // when `changes` is given, also reports them (for audiences).
  void Flush(storage::WriteBatch* batch, Changes* changes = nullptr);
  // Forgets cached state (after a failed commit, so it is re-read from storage).
  void Reset();

  uint32_t gen() const { return gen_; }
  // Profiles held in memory (changed or not).
  size_t cached_profiles() const { return profiles_.size(); }
  // When the cache holds every profile of the generation exactly as stored (a generation built
  // from empty and never evicted, with nothing pending, e.g. right after a rebuild's last
  // Flush was committed): calls fn(pid, profile) for each, in ascending pid order, and returns
  // true. Otherwise returns false without calling fn (read the store instead).
  bool ForEachProfileInMemory(
      const std::function<void(uint64_t pid, const Profile& profile)>& fn) const;
  // A generous estimate of the bytes the next Flush adds to a batch, for reserving it: a
  // batch grown by doubling copies itself and touches twice the fresh memory, and reserved
  // memory that is never written costs nothing.
  size_t FlushBytesEstimate() const { return dirty_pids_.size() * 2048 + dirty_ids_.size() * 96; }
  const WriterCounters& counters() const { return counters_; }

 private:
  struct Entry {
    ProfileRecord record;
    std::string stored_order;  // order text as stored ("" if never stored)
    std::optional<Profile> stored;  // the profile as stored (nullopt if never stored)
    // With track_changes_: `stored` is not taken yet because `record.profile` is still the
    // stored version; Touch copies it before the first change. Saves a copy of every profile
    // that is loaded or written and then not changed again.
    bool stored_is_record = false;
    bool dirty = false;
    bool deleted = false;
  };
  // `text` is IdentityText(id).
  StatusOr<uint64_t> Lookup(const mapping::Identity& id, const std::string& text);  // 0 = none
  StatusOr<Entry*> Load(uint64_t pid);
  void AddIdentity(Entry* e, const mapping::Identity& id, const std::string& text);
  void MarkDirty(Entry* e);
  void Touch(Entry* e);  // before changing e->record.profile (see Entry::stored_is_record)

  storage::Db* const db_;
  const uint32_t gen_;
  const WriterOptions options_;
  const std::set<std::string>* tombstones_;
  uint64_t next_pid_ = 1;
  bool next_pid_dirty_ = false;
  // IdentityText → pid (0: known absent). Open addressing: one lookup per identity of every
  // event, in a table as large as the generation's identities.
  boost::unordered_flat_map<std::string, uint64_t> ids_;
  std::vector<std::string> dirty_ids_;  // IdentityText of changed index entries (may repeat)
  std::unordered_map<uint64_t, Entry> profiles_;
  std::vector<uint64_t> dirty_pids_;  // profiles_ entries with dirty set, each once
  // Scratch for Apply, kept to reuse their allocations.
  std::vector<std::string> texts_;
  std::vector<uint64_t> pids_;
  bool track_changes_ = true;
  // True while every identity and profile of this generation is in the caches (a generation
  // started empty and never evicted): then a cache miss is an answer, with no storage read.
  bool cache_complete_ = false;
  std::vector<std::string> audit_;  // pending audit records (JSON)
  uint64_t audit_seq_ = 0;
  WriterCounters counters_;
};

// meta keys of the store.
std::string NextPidMetaKey(uint32_t gen);
std::string AuditMetaPrefix(uint32_t gen);

}  // namespace cohort::profile
