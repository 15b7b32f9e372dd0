// ProfileStage: applies the installed mapping queries (SPEC §5) to every event of their
// streams and keeps the profile store current; rebuilds profiles from the stored log when the
// query set changes (SPEC §5.5).
//
// Generations. Profiles live in a generation of the store (profile/store_keys.h). Live events
// update the serving generation with the queries it was built with. Installing, changing or
// deleting a query starts a rebuild: a new generation is built from the first event of the log
// with the new query set, chunk by chunk, while live events keep updating the serving one;
// when the new generation reaches the head of the log it becomes the serving generation in one
// write and the old one is deleted. A newer change while a rebuild runs supersedes it.
// Profiles and their generation's checkpoint are always written in one WriteBatch, so a crash
// neither loses nor repeats an event's effect, and a rebuild resumes after a restart from its
// last such write. The serving generation writes after every chunk. A building generation
// keeps its changed profiles in memory across chunks and writes them (and its checkpoint) only
// when `rebuild_flush_events` events were applied since its last write, when its writer's
// cache exceeds the cache limit, or when it reaches the head of the log (before it serves):
// a profile touched in many chunks is encoded and written once instead of once per chunk.
// A building generation also reads and evaluates its next chunk on a second thread while the
// current one is applied; evaluations are applied in log order, so the result is the same.
//
// Thread-safety: RunOnce runs on the pipeline thread only. The public control methods are
// thread-safe; erasures are handed to the pipeline thread and waited for.
#pragma once

#include <atomic>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "audience/engine.h"
#include "common/clock.h"
#include "mapping/query.h"
#include "pipeline/jobs.h"
#include "pipeline/stage.h"
#include "profile/writer.h"
#include "stream/catalog.h"

namespace cohort::pipeline {

struct ProfileStageOptions {
  profile::WriterOptions writer;
  // Events per chunk, live and rebuild. Default: 5000.
  size_t batch_events = 5000;
  // A building generation writes its profiles and checkpoint after at most this many events
  // (also when the writer's cache is full, and at the head of the log). A crash during a
  // rebuild redoes at most this many events. Default: 1,000,000.
  size_t rebuild_flush_events = 1000000;
};

struct ProfileStageCounters {
  uint64_t applied = 0, unidentified = 0, merges = 0, created = 0, errors = 0, erased = 0;
  uint64_t bad_events = 0;  // events whose JSON could not be evaluated
};

class ProfileStage final : public Stage {
 public:
  // All pointers must outlive the stage.
  static StatusOr<std::unique_ptr<ProfileStage>> Create(storage::Db* db,
                                                        stream::StreamCatalog* catalog,
                                                        JobRegistry* jobs, const Clock* clock,
                                                        ProfileStageOptions options,
                                                        audience::AudienceEngine* audiences = nullptr);
  ~ProfileStage() override;

  const std::string& name() const override { return name_; }
  Status RunOnce(uint64_t last_seq, bool* progressed) override;
  uint64_t checkpoint() const override { return serving_checkpoint_.load(); }

  // Installs or replaces (by alias) a query and starts a rebuild; returns the job.
  StatusOr<JobInfo> Install(std::shared_ptr<const mapping::CompiledQuery> query);
  // Deletes a query and starts a rebuild. kNotFound if absent.
  StatusOr<JobInfo> Remove(const std::string& alias);
  // Starts a rebuild with the installed queries.
  StatusOr<JobInfo> Rebuild(const std::string& reason);
  // The installed queries (the newest set, which a running rebuild is building).
  std::vector<std::shared_ptr<const mapping::CompiledQuery>> Installed() const;
  // The queries of the serving generation (what profiles currently reflect).
  std::vector<std::shared_ptr<const mapping::CompiledQuery>> Serving() const;
  // The generation readers should use.
  uint32_t serving_gen() const { return serving_gen_.load(); }
  // The running rebuild job, if any.
  std::optional<std::string> running_job() const;

  // Erases the profile holding identity (field, value) in every generation and tombstones its
  // identities so no rebuild brings it back. Blocks until the pipeline thread did it.
  // kNotFound if no profile has that identity.
  Status Erase(const mapping::Identity& id, int timeout_ms = 10000);

  ProfileStageCounters counters() const;

 private:
  struct Gen;
  struct Chunk;
  struct EraseRequest {
    mapping::Identity id;
    std::promise<Status> done;
  };
  ProfileStage(storage::Db* db, stream::StreamCatalog* catalog, JobRegistry* jobs,
               const Clock* clock, ProfileStageOptions options, audience::AudienceEngine* audiences);
  void UpdateAudienceSchema();
  Status LoadState();
  Status PersistState(storage::WriteBatch* b) const;  // caller holds mu_ or is pipeline thread
  StatusOr<JobInfo> StartRebuild(const std::string& reason);
  Status StartPendingBuild();
  Status RunGen(Gen* g, uint64_t last_seq, bool* progressed);
  // Reads events from..to (at most batch_events) and evaluates g's queries on them, in log
  // order. Touches no state of the stage, so it may run on another thread.
  Chunk EvaluateChunk(const Gen& g, uint64_t from, uint64_t to, int64_t now_ms) const;
  // Forgets g's unwritten changes: back to its last durable checkpoint.
  void Rewind(Gen* g);
  Status Switch();
  Status DoErase(const mapping::Identity& id);

  const std::string name_ = "profiles";
  storage::Db* const db_;
  stream::StreamCatalog* const catalog_;
  JobRegistry* const jobs_;
  const Clock* const clock_;
  const ProfileStageOptions options_;
  audience::AudienceEngine* const audiences_;  // may be null

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const mapping::CompiledQuery>> installed_;  // GUARDED_BY(mu_)
  bool pending_build_ = false;        // GUARDED_BY(mu_): installed_ changed; build a new gen
  std::string pending_job_;           // GUARDED_BY(mu_)
  std::vector<std::unique_ptr<EraseRequest>> erase_requests_;  // GUARDED_BY(mu_)
  std::vector<std::shared_ptr<const mapping::CompiledQuery>> serving_queries_;  // GUARDED_BY(mu_)
  std::string building_job_;          // GUARDED_BY(mu_)

  // Pipeline thread only.
  std::unique_ptr<Gen> serving_;
  std::unique_ptr<Gen> building_;
  std::future<void> retired_;  // freeing the generation the last Switch replaced
  std::set<std::string> tombstones_;
  uint32_t max_gen_ = 1;
  ProfileStageCounters counters_;

  std::atomic<uint32_t> serving_gen_{1};
  std::atomic<uint64_t> serving_checkpoint_{0};
};

}  // namespace cohort::pipeline
