// Workflow runs of integrations (SPEC §2.7), persisted in meta. The one workflow today is
// Customer.io's import_webhook_events: install the default query if missing, which rebuilds
// profiles from every stored event; the run follows that rebuild job to its end.
//
// A run's status is derived from its job whenever it is read, and the final state is
// persisted the first time it is seen; so a run survives restarts (the rebuild resumes) and
// can never stay `running` once its job has ended or vanished. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "pipeline/jobs.h"
#include "pipeline/profile_stage.h"

namespace cohort::pipeline {

struct WorkflowRun {
  std::string id;
  std::string integration;  // "customerio"
  std::string workflow;     // "import_webhook_events"
  std::string status;       // running, completed, failed
  std::string reason;       // failure reason
  std::string job_id;       // the rebuild it follows ("" if none was needed)
  uint64_t done = 0, total = 0;
  std::vector<std::string> log;
  int64_t started_ms = 0, finished_ms = 0;
  bool webhook_configured = false;
};

class WorkflowRunner {
 public:
  // All pointers must outlive the runner.
  static StatusOr<std::unique_ptr<WorkflowRunner>> Load(storage::Db* db, ProfileStage* profiles,
                                                        JobRegistry* jobs, const Clock* clock);

  // Starts a run. kNotFound for an unknown integration/workflow; kFailedPrecondition when a
  // required option (webhook_configured) is not true, with a message saying what to do.
  StatusOr<WorkflowRun> Start(const std::string& integration, const std::string& workflow,
                              bool webhook_configured);
  std::optional<WorkflowRun> Get(const std::string& id);
  std::vector<WorkflowRun> List();

 private:
  WorkflowRunner(storage::Db* db, ProfileStage* profiles, JobRegistry* jobs, const Clock* clock)
      : db_(db), profiles_(profiles), jobs_(jobs), clock_(clock) {}
  Status Persist(const WorkflowRun& r);
  void Refresh(WorkflowRun* r);  // requires mu_

  storage::Db* const db_;
  ProfileStage* const profiles_;
  JobRegistry* const jobs_;
  const Clock* const clock_;
  std::mutex mu_;
  std::map<std::string, WorkflowRun> runs_;  // GUARDED_BY(mu_)
  uint64_t next_ = 1;                        // GUARDED_BY(mu_)
};

}  // namespace cohort::pipeline
