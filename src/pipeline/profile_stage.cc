#include "pipeline/profile_stage.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/coding.h"
#include "common/thread_setup.h"
#include "profile/reader.h"
#include "stream/key_codec.h"
#include "stream/log_reader.h"

namespace cohort::pipeline {
namespace {

const char kStateKey[] = "profile_state";

std::string GenName(uint32_t gen) {
  std::string n;
  PutBigEndian32(&n, gen);
  return n;
}

std::string GenCheckpointName(uint32_t gen) { return "profiles:" + std::to_string(gen); }

void DeleteGen(storage::WriteBatch* b, uint32_t gen) {
  using profile::GenPrefix;
  using profile::GenPrefixEnd;
  b->DeleteRange(storage::Family::kProfile, GenPrefix('P', gen), GenPrefixEnd('P', gen));
  b->DeleteRange(storage::Family::kProfile, GenPrefix('O', gen), GenPrefixEnd('O', gen));
  b->DeleteRange(storage::Family::kIdentity, GenPrefix(0, gen), GenPrefixEnd(0, gen));
  b->Delete(storage::Family::kMeta, profile::NextPidMetaKey(gen));
  b->Delete(storage::Family::kMeta, CheckpointKey(GenCheckpointName(gen)));
  b->Delete(storage::Family::kMeta, stream::MetaKey("gen_queries", GenName(gen)));
  std::string audit = profile::AuditMetaPrefix(gen);
  std::string audit_end = profile::AuditMetaPrefix(gen + 1);
  b->DeleteRange(storage::Family::kMeta, audit, audit_end);
}

}  // namespace

// The evaluations of one stretch of the log, in log order.
struct ProfileStage::Chunk {
  Status status;
  uint64_t from = 0;     // the first seq asked for
  uint64_t scanned = 0;  // the last seq read (from - 1: none)
  std::vector<mapping::Evaluation> evals;
  uint64_t bad_events = 0;  // events whose JSON could not be evaluated
};

struct ProfileStage::Gen {
  uint32_t id = 0;
  std::vector<std::shared_ptr<const mapping::CompiledQuery>> queries;
  uint64_t checkpoint = 0;  // durable: the last seq whose effects are written
  uint64_t applied = 0;     // the last seq applied to `writer` (>= checkpoint)
  uint64_t unflushed = 0;   // events applied since the last write
  std::unique_ptr<profile::ProfileWriter> writer;
  std::string job;  // building generations: the rebuild job
  // Building generations: the evaluations of the chunk applied last, freed on the evaluating
  // thread (where they were allocated) rather than on the pipeline thread.
  std::vector<mapping::Evaluation> spent;
  // Building generations: the next chunk, being evaluated on another thread. Declared last so
  // that it is waited for before anything it reads is destroyed.
  std::future<Chunk> next;
};

ProfileStage::ProfileStage(storage::Db* db, stream::StreamCatalog* catalog, JobRegistry* jobs,
                           const Clock* clock, ProfileStageOptions options,
                           audience::AudienceEngine* audiences)
    : db_(db), catalog_(catalog), jobs_(jobs), clock_(clock), options_(options),
      audiences_(audiences) {}

void ProfileStage::UpdateAudienceSchema() {
  if (!audiences_) return;
  std::map<std::string, mapping::Kind, std::less<>> fields;
  for (const auto& q : serving_->queries) {
    for (const auto& col : q->columns()) fields[col.name] = col.kind;
  }
  audiences_->SetSchema(std::move(fields));
}

ProfileStage::~ProfileStage() {
  std::lock_guard l(mu_);
  for (auto& r : erase_requests_) r->done.set_value(CancelledError("shutting down"));
  erase_requests_.clear();
}

StatusOr<std::unique_ptr<ProfileStage>> ProfileStage::Create(storage::Db* db,
                                                             stream::StreamCatalog* catalog,
                                                             JobRegistry* jobs, const Clock* clock,
                                                             ProfileStageOptions options,
                                                             audience::AudienceEngine* audiences) {
  std::unique_ptr<ProfileStage> s(new ProfileStage(db, catalog, jobs, clock, options, audiences));
  RETURN_IF_ERROR(s->LoadState());
  s->UpdateAudienceSchema();
  if (audiences && audiences->stored_gen() != s->serving_->id) {
    // Memberships were computed for another generation (or never): recompute them.
    storage::WriteBatch b;
    RETURN_IF_ERROR(audiences->OnGeneration(s->serving_->id, &b));
    RETURN_IF_ERROR(db->Write(&b, /*sync=*/true));
    audiences->Commit();
  } else if (audiences) {
    RETURN_IF_ERROR(audiences->BuildIndex(s->serving_->id));
  }
  return s;
}

Status ProfileStage::LoadState() {
  // Installed queries.
  auto it = db_->NewIterator(storage::Family::kMeta);
  const std::string qprefix = stream::MetaPrefix("query");
  for (it->Seek(qprefix); it->Valid() && it->key().starts_with(qprefix); it->Next()) {
    auto q = mapping::Compile(it->value());
    if (!q.ok()) {
      spdlog::error("stored query {} no longer compiles: {}", it->key().substr(qprefix.size()),
                    q.status().message());
      continue;
    }
    installed_[(*q)->alias()] = *q;
  }
  RETURN_IF_ERROR(it->status());
  const std::string tprefix = stream::MetaPrefix("tombstone");
  for (it->Seek(tprefix); it->Valid() && it->key().starts_with(tprefix); it->Next()) {
    tombstones_.emplace(it->key().substr(tprefix.size()));
  }
  RETURN_IF_ERROR(it->status());

  uint32_t serving = 1, building = 0;
  std::string building_job;
  ASSIGN_OR_RETURN(auto state, db_->Get(storage::Family::kMeta, stream::MetaKey(kStateKey, "")));
  if (state) {
    std::string_view in = *state;
    std::string_view job;
    if (!GetBigEndian32(&in, &serving) || !GetBigEndian32(&in, &building) ||
        !GetLengthPrefixed(&in, &job) || !GetBigEndian32(&in, &max_gen_)) {
      return InternalError("profile store state is corrupt");
    }
    building_job = job;
  }
  auto load_gen = [&](uint32_t id) -> StatusOr<std::unique_ptr<Gen>> {
    auto g = std::make_unique<Gen>();
    g->id = id;
    ASSIGN_OR_RETURN(auto texts, db_->Get(storage::Family::kMeta,
                                          stream::MetaKey("gen_queries", GenName(id))));
    if (texts) {
      std::string_view in = *texts;
      uint64_t n;
      if (!GetVarint64(&in, &n)) return InternalError("generation query list is corrupt");
      for (uint64_t i = 0; i < n; ++i) {
        std::string_view t;
        if (!GetLengthPrefixed(&in, &t)) return InternalError("generation query list is corrupt");
        auto q = mapping::Compile(t);
        if (q.ok()) g->queries.push_back(*q);
      }
    }
    ASSIGN_OR_RETURN(g->checkpoint, LoadCheckpoint(db_, GenCheckpointName(id)));
    g->applied = g->checkpoint;
    g->writer = std::make_unique<profile::ProfileWriter>(db_, id, options_.writer, &tombstones_);
    RETURN_IF_ERROR(g->writer->Init());
    return g;
  };
  ASSIGN_OR_RETURN(serving_, load_gen(serving));
  if (building) {
    ASSIGN_OR_RETURN(building_, load_gen(building));
    building_->writer->set_track_changes(false);
    building_->job = building_job;
    building_job_ = building_job;
    if (!building_job.empty()) jobs_->Log(building_job, "resumed after a restart");
  }
  serving_queries_ = serving_->queries;
  serving_gen_ = serving;
  serving_checkpoint_ = serving_->checkpoint;
  max_gen_ = std::max({max_gen_, serving, building});
  // A running job whose generation is gone (crash between creating the job and starting the
  // build) would be stuck: rebuild again under that job.
  for (const auto& j : jobs_->List()) {
    if (j.kind == "rebuild" && j.status == "running" && j.id != building_job) {
      pending_build_ = true;
      if (!pending_job_.empty()) {
        jobs_->Finish(pending_job_, "failed", "superseded by " + j.id).IgnoreError();
      }
      pending_job_ = j.id;
    }
  }
  return Status::Ok();
}

Status ProfileStage::PersistState(storage::WriteBatch* b) const {
  std::string v;
  PutBigEndian32(&v, serving_->id);
  PutBigEndian32(&v, building_ ? building_->id : 0);
  PutLengthPrefixed(&v, building_ ? building_->job : "");
  PutBigEndian32(&v, max_gen_);
  b->Put(storage::Family::kMeta, stream::MetaKey(kStateKey, ""), v);
  return Status::Ok();
}

StatusOr<JobInfo> ProfileStage::StartRebuild(const std::string& reason) {
  ASSIGN_OR_RETURN(JobInfo job, jobs_->Create("rebuild", reason, 0));
  std::string superseded;
  {
    std::lock_guard l(mu_);
    superseded = pending_job_;
    pending_build_ = true;
    pending_job_ = job.id;
  }
  if (!superseded.empty()) {
    jobs_->Finish(superseded, "failed", "superseded by " + job.id).IgnoreError();
  }
  return job;
}

StatusOr<JobInfo> ProfileStage::Install(std::shared_ptr<const mapping::CompiledQuery> query) {
  storage::WriteBatch b;
  b.Put(storage::Family::kMeta, stream::MetaKey("query", query->alias()), query->text());
  RETURN_IF_ERROR(db_->Write(&b, /*sync=*/true));
  std::string alias = query->alias();
  {
    std::lock_guard l(mu_);
    installed_[alias] = std::move(query);
  }
  return StartRebuild("query " + alias + " installed");
}

StatusOr<JobInfo> ProfileStage::Remove(const std::string& alias) {
  {
    std::lock_guard l(mu_);
    if (!installed_.count(alias)) return NotFoundError("no query with alias " + alias);
  }
  storage::WriteBatch b;
  b.Delete(storage::Family::kMeta, stream::MetaKey("query", alias));
  RETURN_IF_ERROR(db_->Write(&b, /*sync=*/true));
  {
    std::lock_guard l(mu_);
    installed_.erase(alias);
  }
  return StartRebuild("query " + alias + " deleted");
}

StatusOr<JobInfo> ProfileStage::Rebuild(const std::string& reason) { return StartRebuild(reason); }

std::vector<std::shared_ptr<const mapping::CompiledQuery>> ProfileStage::Installed() const {
  std::lock_guard l(mu_);
  std::vector<std::shared_ptr<const mapping::CompiledQuery>> out;
  for (const auto& [a, q] : installed_) out.push_back(q);
  return out;
}

std::vector<std::shared_ptr<const mapping::CompiledQuery>> ProfileStage::Serving() const {
  std::lock_guard l(mu_);
  return serving_queries_;
}

std::optional<std::string> ProfileStage::running_job() const {
  std::lock_guard l(mu_);
  if (!pending_job_.empty()) return pending_job_;
  if (!building_job_.empty()) return building_job_;
  return std::nullopt;
}

ProfileStageCounters ProfileStage::counters() const {
  std::lock_guard l(mu_);
  return counters_;
}

Status ProfileStage::StartPendingBuild() {
  std::string job;
  std::vector<std::shared_ptr<const mapping::CompiledQuery>> queries;
  {
    std::lock_guard l(mu_);
    if (!pending_build_) return Status::Ok();
    pending_build_ = false;
    job = pending_job_;
    pending_job_.clear();
    for (const auto& [a, q] : installed_) queries.push_back(q);
  }
  storage::WriteBatch b;
  if (building_) {
    DeleteGen(&b, building_->id);
    if (!building_->job.empty()) {
      jobs_->Finish(building_->job, "failed", "superseded by " + job).IgnoreError();
    }
  }
  auto g = std::make_unique<Gen>();
  g->id = ++max_gen_;
  g->queries = std::move(queries);
  g->job = job;
  g->writer = std::make_unique<profile::ProfileWriter>(db_, g->id, options_.writer, &tombstones_);
  g->writer->set_track_changes(false);  // a building generation reports no changes
  std::string texts;
  PutVarint64(&texts, g->queries.size());
  for (const auto& q : g->queries) PutLengthPrefixed(&texts, q->text());
  b.Put(storage::Family::kMeta, stream::MetaKey("gen_queries", GenName(g->id)), texts);
  building_ = std::move(g);
  RETURN_IF_ERROR(PersistState(&b));
  RETURN_IF_ERROR(db_->Write(&b, /*sync=*/true));
  RETURN_IF_ERROR(building_->writer->Init());
  {
    std::lock_guard l(mu_);
    building_job_ = job;
  }
  jobs_->Log(job, "building profile generation " + std::to_string(building_->id) + " with " +
                      std::to_string(building_->queries.size()) + " queries");
  return Status::Ok();
}

ProfileStage::Chunk ProfileStage::EvaluateChunk(const Gen& g, uint64_t from, uint64_t to,
                                                int64_t now_ms) const {
  Chunk c;
  c.from = from;
  c.scanned = from - 1;
  c.evals.reserve(std::min<uint64_t>(to - from + 1, options_.batch_events));
  std::map<uint32_t, std::string> names;
  c.status = stream::ReadLog(db_, from, to, options_.batch_events,
                             [&](const stream::StoredEvent& e) {
                               auto name_it = names.find(e.stream_id);
                               if (name_it == names.end()) {
                                 name_it = names
                                               .emplace(e.stream_id,
                                                        catalog_->NameOf(e.stream_id).value_or(""))
                                               .first;
                               }
                               for (const auto& q : g.queries) {
                                 if (q->from() != name_it->second) continue;
                                 auto r = q->EvaluateJson(e.raw, e.event_time_ms, now_ms);
                                 if (!r.ok()) {
                                   ++c.bad_events;
                                 } else if (*r) {
                                   c.evals.push_back(std::move(**r));
                                 }
                               }
                               c.scanned = e.seq;
                               return true;
                             });
  return c;
}

void ProfileStage::Rewind(Gen* g) {
  if (g->next.valid()) g->next.get();  // evaluated from where the writer no longer is
  g->writer->Reset();
  g->applied = g->checkpoint;
  g->unflushed = 0;
}

Status ProfileStage::RunGen(Gen* g, uint64_t last_seq, bool* progressed) {
  if (g->applied >= last_seq && g->checkpoint >= g->applied) return Status::Ok();
  if (g->queries.empty()) {
    // Nothing to apply, so nothing to make durable: a generation without queries has no
    // profiles, and after a restart it skips to the head of the log again. Writing the
    // checkpoint here would add a RocksDB write (queued behind the log writer's fsync) to every
    // pipeline round while events stream in.
    g->checkpoint = g->applied = last_seq;
    *progressed = true;
    return Status::Ok();
  }
  const bool serving = g == serving_.get();
  if (g->applied < last_seq) {
    const int64_t now = clock_->NowMs();
    Chunk c;
    if (g->next.valid()) {
      c = g->next.get();
      if (c.from != g->applied + 1) c = Chunk{};  // not where the writer is (cannot happen)
    }
    if (c.from == 0) c = EvaluateChunk(*g, g->applied + 1, last_seq, now);
    RETURN_IF_ERROR(c.status);
    if (!serving && c.scanned < last_seq) {
      // Evaluate the next chunk on another thread while this one is applied. The lambda holds
      // only what outlives the future (Gen waits for it before its queries go).
      const uint64_t from = c.scanned + 1;
      g->next = std::async(std::launch::async,
                           [this, g, from, last_seq, now, spent = std::move(g->spent)]() mutable {
                             SetThreadName("cohort-prefetch");
                             spent.clear();
                             spent.shrink_to_fit();
                             return EvaluateChunk(*g, from, last_seq, now);
                           });
    }
    for (const auto& ev : c.evals) {
      Status s = g->writer->Apply(ev);
      if (!s.ok()) {
        Rewind(g);
        return s;
      }
    }
    if (!serving) g->spent = std::move(c.evals);
    g->unflushed += c.scanned - g->applied;
    g->applied = c.scanned;
    *progressed = true;
    if (serving) {
      std::lock_guard l(mu_);
      counters_.bad_events += c.bad_events;
    }
  }
  // A building generation writes only now and then (see the header); the serving one always.
  const bool write = serving || g->applied >= last_seq ||
                     g->unflushed >= options_.rebuild_flush_events ||
                     g->writer->cached_profiles() > options_.writer.cache_limit;
  if (!write) return Status::Ok();
  storage::WriteBatch b(serving ? 0 : g->writer->FlushBytesEstimate());
  profile::ProfileWriter::Changes changes;
  g->writer->Flush(&b, serving && audiences_ ? &changes : nullptr);
  if (serving && audiences_) RETURN_IF_ERROR(audiences_->OnProfiles(g->id, changes, &b));
  b.Put(storage::Family::kMeta, CheckpointKey(GenCheckpointName(g->id)),
        EncodeCheckpoint(g->applied));
  Status w = db_->Write(&b, /*sync=*/false);
  if (!w.ok()) {
    Rewind(g);
    if (audiences_ && serving) audiences_->Abort();
    return w;
  }
  if (audiences_ && serving) audiences_->Commit();
  g->checkpoint = g->applied;
  g->unflushed = 0;
  *progressed = true;
  return Status::Ok();
}

Status ProfileStage::Switch() {
  storage::WriteBatch b;
  uint32_t old = serving_->id;
  DeleteGen(&b, old);
  std::string job = building_->job;
  // The old generation's writer may cache every profile: free it on another thread, with the
  // new generation's last evaluations.
  if (retired_.valid()) retired_.get();
  retired_ = std::async(std::launch::async,
                        [old = std::move(serving_), spent = std::move(building_->spent)]() mutable {
                          old.reset();
                          spent.clear();
                        });
  serving_ = std::move(building_);
  serving_->writer->set_track_changes(true);  // now serving: audiences follow its changes
  RETURN_IF_ERROR(PersistState(&b));
  if (audiences_) {
    UpdateAudienceSchema();
    // The new generation's profiles are in its writer's memory after a rebuild: the index is
    // built from there instead of reading every profile back from the store.
    const profile::ProfileWriter* writer = serving_->writer.get();
    RETURN_IF_ERROR(audiences_->OnGeneration(
        serving_->id, &b, [writer](const auto& fn) { return writer->ForEachProfileInMemory(fn); }));
  }
  Status w = db_->Write(&b, /*sync=*/true);
  if (!w.ok()) {
    if (audiences_) audiences_->Abort();
    return w;
  }
  if (audiences_) audiences_->Commit();
  serving_gen_ = serving_->id;
  serving_checkpoint_ = serving_->checkpoint;
  {
    std::lock_guard l(mu_);
    serving_queries_ = serving_->queries;
    building_job_.clear();
  }
  if (!job.empty()) {
    jobs_->Log(job, "profile generation " + std::to_string(serving_->id) + " now serves");
    jobs_->Finish(job, "completed", "").IgnoreError();
  }
  return Status::Ok();
}

Status ProfileStage::Erase(const mapping::Identity& id, int timeout_ms) {
  auto req = std::make_unique<EraseRequest>();
  req->id = id;
  auto fut = req->done.get_future();
  {
    std::lock_guard l(mu_);
    erase_requests_.push_back(std::move(req));
  }
  if (fut.wait_for(std::chrono::milliseconds(timeout_ms)) != std::future_status::ready) {
    return UnavailableError("the pipeline did not get to the erasure in time; retry");
  }
  return fut.get();
}

Status ProfileStage::DoErase(const mapping::Identity& id) {
  storage::WriteBatch b;
  bool found = false;
  std::set<std::string> tomb = {profile::IdentityText(id)};
  for (Gen* g : {serving_.get(), building_.get()}) {
    if (!g) continue;
    profile::ProfileReader reader(db_, g->id);
    ASSIGN_OR_RETURN(auto rec, reader.ByIdentity(id));
    if (!rec) continue;
    found |= g == serving_.get();
    b.Delete(storage::Family::kProfile, profile::ProfileKey(g->id, rec->id));
    b.Delete(storage::Family::kProfile, profile::OrderKey(g->id, rec->OrderText()));
    for (const auto& i : rec->identities) {
      b.Delete(storage::Family::kIdentity, profile::IdentityKey(g->id, i));
      tomb.insert(profile::IdentityText(i));
    }
  }
  if (!found) return NotFoundError("no profile has " + id.field + " = " + id.value);
  if (audiences_) {
    profile::ProfileReader reader(db_, serving_->id);
    ASSIGN_OR_RETURN(auto rec, reader.ByIdentity(id));
    if (rec) {
      profile::ProfileWriter::Changes gone;
      gone.deleted.push_back(rec->id);
      RETURN_IF_ERROR(audiences_->OnProfiles(serving_->id, gone, &b, "erased"));
    }
  }
  for (const auto& t : tomb) b.Put(storage::Family::kMeta, stream::MetaKey("tombstone", t), "");
  Status w = db_->Write(&b, /*sync=*/true);
  if (audiences_) {
    if (w.ok()) {
      audiences_->Commit();
    } else {
      audiences_->Abort();
    }
  }
  RETURN_IF_ERROR(w);
  tombstones_.insert(tomb.begin(), tomb.end());
  for (Gen* g : {serving_.get(), building_.get()}) {
    if (g) Rewind(g);  // a building generation re-applies what it had not written yet
  }
  return Status::Ok();
}

Status ProfileStage::RunOnce(uint64_t last_seq, bool* progressed) {
  *progressed = false;
  std::vector<std::unique_ptr<EraseRequest>> erasures;
  {
    std::lock_guard l(mu_);
    erasures.swap(erase_requests_);
  }
  for (auto& r : erasures) r->done.set_value(DoErase(r->id));
  if (audiences_) {
    RETURN_IF_ERROR(audiences_->ProcessRequests(serving_->id));
    storage::WriteBatch timers;
    bool due = false;
    RETURN_IF_ERROR(audiences_->RunTimers(serving_->id, &timers, &due));
    if (due) {
      Status w = db_->Write(&timers, /*sync=*/false);
      if (!w.ok()) {
        audiences_->Abort();
        return w;
      }
      audiences_->Commit();
      *progressed = true;
    }
  }
  RETURN_IF_ERROR(StartPendingBuild());
  RETURN_IF_ERROR(RunGen(serving_.get(), last_seq, progressed));
  serving_checkpoint_ = serving_->checkpoint;
  {
    std::lock_guard l(mu_);
    const auto& c = serving_->writer->counters();
    counters_.applied = c.applied;
    counters_.unidentified = c.unidentified;
    counters_.merges = c.merges;
    counters_.created = c.created;
    counters_.errors = c.errors;
    counters_.erased = c.erased;
  }
  if (building_) {
    bool built = false;
    RETURN_IF_ERROR(RunGen(building_.get(), last_seq, &built));
    *progressed |= built;
    if (!building_->job.empty()) jobs_->Progress(building_->job, building_->applied, last_seq);
    if (building_->checkpoint >= last_seq) RETURN_IF_ERROR(Switch());
  }
  return Status::Ok();
}

}  // namespace cohort::pipeline
