// Jobs: long-running work (profile rebuilds) with progress, visible at GET /api/job/{id} and
// persisted in meta so that a restart neither forgets nor strands them.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "storage/db.h"

namespace cohort::pipeline {

struct JobInfo {
  std::string id;
  std::string kind;    // "rebuild"
  std::string status;  // "running", "completed", "failed"
  std::string reason;  // why it failed / what it was for
  uint64_t done = 0;
  uint64_t total = 0;
  int64_t started_ms = 0;
  int64_t finished_ms = 0;
  std::vector<std::string> log;
};

class JobRegistry {
 public:
  // `db` and `clock` must outlive the registry. Loads persisted jobs.
  static StatusOr<std::unique_ptr<JobRegistry>> Load(storage::Db* db, const Clock* clock);

  // Creates a running job and persists it.
  StatusOr<JobInfo> Create(const std::string& kind, const std::string& reason, uint64_t total);
  void Progress(const std::string& id, uint64_t done, uint64_t total);
  // Ends a job (persisted). `status` is "completed" or "failed".
  Status Finish(const std::string& id, const std::string& status, const std::string& reason);
  void Log(const std::string& id, const std::string& line);
  std::optional<JobInfo> Get(const std::string& id) const;
  std::vector<JobInfo> List() const;

 private:
  JobRegistry(storage::Db* db, const Clock* clock) : db_(db), clock_(clock) {}
  Status Persist(const JobInfo& j);

  storage::Db* const db_;
  const Clock* const clock_;
  mutable std::mutex mu_;
  std::map<std::string, JobInfo> jobs_;  // GUARDED_BY(mu_)
  uint64_t next_ = 1;                    // GUARDED_BY(mu_)
};

}  // namespace cohort::pipeline
