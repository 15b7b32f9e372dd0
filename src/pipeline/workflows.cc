#include "pipeline/workflows.h"

#include <cstdio>

#include "common/coding.h"
#include "customerio/integration.h"
#include "mapping/query.h"
#include "stream/key_codec.h"

namespace cohort::pipeline {
namespace {

std::string Encode(const WorkflowRun& r) {
  std::string v;
  v.push_back(1);
  for (const std::string* s :
       {&r.id, &r.integration, &r.workflow, &r.status, &r.reason, &r.job_id}) {
    PutLengthPrefixed(&v, *s);
  }
  PutVarint64(&v, r.done);
  PutVarint64(&v, r.total);
  PutVarsint64(&v, r.started_ms);
  PutVarsint64(&v, r.finished_ms);
  v.push_back(r.webhook_configured ? 1 : 0);
  PutVarint64(&v, r.log.size());
  for (const auto& l : r.log) PutLengthPrefixed(&v, l);
  return v;
}

bool Decode(std::string_view v, WorkflowRun* r) {
  if (v.empty() || v[0] != 1) return false;
  v.remove_prefix(1);
  for (std::string* s : {&r->id, &r->integration, &r->workflow, &r->status, &r->reason, &r->job_id}) {
    std::string_view x;
    if (!GetLengthPrefixed(&v, &x)) return false;
    *s = x;
  }
  uint64_t n;
  if (!GetVarint64(&v, &r->done) || !GetVarint64(&v, &r->total) ||
      !GetVarsint64(&v, &r->started_ms) || !GetVarsint64(&v, &r->finished_ms) || v.empty()) {
    return false;
  }
  r->webhook_configured = v[0] == 1;
  v.remove_prefix(1);
  if (!GetVarint64(&v, &n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view x;
    if (!GetLengthPrefixed(&v, &x)) return false;
    r->log.emplace_back(x);
  }
  return true;
}

}  // namespace

StatusOr<std::unique_ptr<WorkflowRunner>> WorkflowRunner::Load(storage::Db* db,
                                                               ProfileStage* profiles,
                                                               JobRegistry* jobs,
                                                               const Clock* clock) {
  std::unique_ptr<WorkflowRunner> w(new WorkflowRunner(db, profiles, jobs, clock));
  auto it = db->NewIterator(storage::Family::kMeta);
  const std::string prefix = stream::MetaPrefix("workflow");
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    WorkflowRun r;
    if (!Decode(it->value(), &r)) return InternalError("stored workflow run is corrupt");
    unsigned long long n = 0;
    if (std::sscanf(r.id.c_str(), "wf-%llu", &n) == 1) w->next_ = std::max<uint64_t>(w->next_, n + 1);
    w->runs_[r.id] = std::move(r);
  }
  RETURN_IF_ERROR(it->status());
  return w;
}

Status WorkflowRunner::Persist(const WorkflowRun& r) {
  storage::WriteBatch b;
  b.Put(storage::Family::kMeta, stream::MetaKey("workflow", r.id), Encode(r));
  return db_->Write(&b, /*sync=*/true);
}

StatusOr<WorkflowRun> WorkflowRunner::Start(const std::string& integration,
                                            const std::string& workflow, bool webhook_configured) {
  if (integration != customerio::kIntegrationId) {
    return NotFoundError("no integration \"" + integration + "\"; GET /api/integration lists them");
  }
  if (workflow != customerio::kImportWorkflowId) {
    return NotFoundError("integration customerio has no workflow \"" + workflow +
                         "\"; it has import_webhook_events");
  }
  if (!webhook_configured) {
    return FailedPreconditionError(
        "set up the Customer.io reporting webhook first, then tick \"I have set up the "
        "Customer.io webhook\" (config.webhook_configured = true) and start the import again");
  }
  WorkflowRun r;
  {
    std::lock_guard l(mu_);
    char id[32];
    std::snprintf(id, sizeof id, "wf-%06llu", static_cast<unsigned long long>(next_++));
    r.id = id;
  }
  r.integration = integration;
  r.workflow = workflow;
  r.status = "running";
  r.started_ms = clock_->NowMs();
  r.webhook_configured = true;
  const std::string alias(customerio::kDefaultQueryAlias);
  bool installed = false;
  for (const auto& q : profiles_->Installed()) installed |= q->alias() == alias;
  if (installed) {
    r.log.push_back("query " + alias +
                    " is already installed and keeps profiles current; nothing to do");
    if (auto job = profiles_->running_job()) {
      r.job_id = *job;
      r.log.push_back("following the running rebuild " + *job);
    } else {
      r.status = "completed";
      r.finished_ms = clock_->NowMs();
    }
  } else {
    ASSIGN_OR_RETURN(auto q, mapping::Compile(customerio::DefaultQueryText()));
    ASSIGN_OR_RETURN(JobInfo job, profiles_->Install(q));
    r.job_id = job.id;
    r.log.push_back("installed the default query " + alias);
    r.log.push_back("rebuilding profiles from every stored event (job " + job.id + ")");
  }
  RETURN_IF_ERROR(Persist(r));
  std::lock_guard l(mu_);
  runs_[r.id] = r;
  Refresh(&runs_[r.id]);
  return runs_[r.id];
}

void WorkflowRunner::Refresh(WorkflowRun* r) {
  if (r->status != "running") return;
  std::optional<JobInfo> job = r->job_id.empty() ? std::nullopt : jobs_->Get(r->job_id);
  if (!job) {
    r->status = "failed";
    r->reason = "the rebuild it started is gone (interrupted); run the workflow again";
  } else {
    r->done = job->done;
    r->total = job->total;
    if (job->status == "running") return;
    r->status = job->status;
    r->reason = job->reason;
    if (job->status == "completed") {
      r->log.push_back("profiles rebuilt from " + std::to_string(job->total) +
                       " log events; new events keep them current");
      r->reason.clear();
    } else {
      r->log.push_back("rebuild failed: " + job->reason);
    }
  }
  r->finished_ms = clock_->NowMs();
  Persist(*r).IgnoreError();  // best effort: the state is derived again after a restart
}

std::optional<WorkflowRun> WorkflowRunner::Get(const std::string& id) {
  std::lock_guard l(mu_);
  auto it = runs_.find(id);
  if (it == runs_.end()) return std::nullopt;
  Refresh(&it->second);
  return it->second;
}

std::vector<WorkflowRun> WorkflowRunner::List() {
  std::lock_guard l(mu_);
  std::vector<WorkflowRun> out;
  for (auto& [id, r] : runs_) {
    Refresh(&r);
    out.push_back(r);
  }
  return out;
}

}  // namespace cohort::pipeline
