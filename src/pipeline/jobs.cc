#include "pipeline/jobs.h"

#include <cstdio>

#include "common/coding.h"
#include "stream/key_codec.h"

namespace cohort::pipeline {
namespace {

std::string Encode(const JobInfo& j) {
  std::string v;
  v.push_back(1);
  for (const std::string* s : {&j.id, &j.kind, &j.status, &j.reason}) PutLengthPrefixed(&v, *s);
  PutVarint64(&v, j.done);
  PutVarint64(&v, j.total);
  PutVarsint64(&v, j.started_ms);
  PutVarsint64(&v, j.finished_ms);
  PutVarint64(&v, j.log.size());
  for (const auto& l : j.log) PutLengthPrefixed(&v, l);
  return v;
}

bool Decode(std::string_view v, JobInfo* j) {
  if (v.empty() || v[0] != 1) return false;
  v.remove_prefix(1);
  for (std::string* s : {&j->id, &j->kind, &j->status, &j->reason}) {
    std::string_view x;
    if (!GetLengthPrefixed(&v, &x)) return false;
    *s = x;
  }
  uint64_t n;
  if (!GetVarint64(&v, &j->done) || !GetVarint64(&v, &j->total) ||
      !GetVarsint64(&v, &j->started_ms) || !GetVarsint64(&v, &j->finished_ms) ||
      !GetVarint64(&v, &n)) {
    return false;
  }
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view x;
    if (!GetLengthPrefixed(&v, &x)) return false;
    j->log.emplace_back(x);
  }
  return true;
}

}  // namespace

StatusOr<std::unique_ptr<JobRegistry>> JobRegistry::Load(storage::Db* db, const Clock* clock) {
  std::unique_ptr<JobRegistry> r(new JobRegistry(db, clock));
  auto it = db->NewIterator(storage::Family::kMeta);
  const std::string prefix = stream::MetaPrefix("job");
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    JobInfo j;
    if (!Decode(it->value(), &j)) return InternalError("stored job is corrupt");
    unsigned long long n = 0;
    if (std::sscanf(j.id.c_str(), "job-%llu", &n) == 1) r->next_ = std::max<uint64_t>(r->next_, n + 1);
    r->jobs_[j.id] = std::move(j);
  }
  RETURN_IF_ERROR(it->status());
  return r;
}

Status JobRegistry::Persist(const JobInfo& j) {
  storage::WriteBatch b;
  b.Put(storage::Family::kMeta, stream::MetaKey("job", j.id), Encode(j));
  return db_->Write(&b, /*sync=*/true);
}

StatusOr<JobInfo> JobRegistry::Create(const std::string& kind, const std::string& reason,
                                      uint64_t total) {
  JobInfo j;
  {
    std::lock_guard l(mu_);
    char id[32];
    std::snprintf(id, sizeof id, "job-%06llu", static_cast<unsigned long long>(next_++));
    j.id = id;
  }
  j.kind = kind;
  j.status = "running";
  j.reason = reason;
  j.total = total;
  j.started_ms = clock_->NowMs();
  RETURN_IF_ERROR(Persist(j));
  std::lock_guard l(mu_);
  jobs_[j.id] = j;
  return j;
}

void JobRegistry::Progress(const std::string& id, uint64_t done, uint64_t total) {
  std::lock_guard l(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  it->second.done = done;
  it->second.total = total;
}

void JobRegistry::Log(const std::string& id, const std::string& line) {
  JobInfo copy;
  {
    std::lock_guard l(mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return;
    it->second.log.push_back(line);
    copy = it->second;
  }
  // Log lines are few and worth keeping across restarts.
  Persist(copy).IgnoreError();
}

Status JobRegistry::Finish(const std::string& id, const std::string& status,
                           const std::string& reason) {
  JobInfo copy;
  {
    std::lock_guard l(mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return NotFoundError("no job " + id);
    it->second.status = status;
    if (!reason.empty()) it->second.reason = reason;
    it->second.finished_ms = clock_->NowMs();
    if (status == "completed") it->second.done = it->second.total;
    copy = it->second;
  }
  return Persist(copy);
}

std::optional<JobInfo> JobRegistry::Get(const std::string& id) const {
  std::lock_guard l(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second;
}

std::vector<JobInfo> JobRegistry::List() const {
  std::lock_guard l(mu_);
  std::vector<JobInfo> out;
  for (const auto& [id, j] : jobs_) out.push_back(j);
  return out;
}

}  // namespace cohort::pipeline
