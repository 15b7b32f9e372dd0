// Pipeline: the one thread that runs every stage (processors, then queries → profiles) over
// the stream log, in order, each from its own checkpoint. Wakes when the writer commits.
//
// Thread-safe: Start/Stop from the owner; status accessors from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "pipeline/stage.h"
#include "stream/log_writer.h"

namespace cohort::pipeline {

class Pipeline {
 public:
  // `writer` must outlive the pipeline; stages are owned.
  Pipeline(stream::LogWriter* writer, std::vector<std::unique_ptr<Stage>> stages);
  ~Pipeline();  // Stop()s

  void Start();
  void Stop();
  bool running() const { return running_.load(); }
  // The last error that stopped the pipeline (OK while running).
  Status last_error() const;
  // Per stage: name and checkpoint (for lag metrics).
  std::vector<std::pair<std::string, uint64_t>> Checkpoints() const;
  // Blocks until every stage has reached `seq` or timeout; true if reached. For tests and
  // "read your writes" callers.
  bool WaitFor(uint64_t seq, int timeout_ms) const;

 private:
  void Run();

  stream::LogWriter* const writer_;
  std::vector<std::unique_ptr<Stage>> stages_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> running_{false};
  mutable std::mutex mu_;
  Status error_;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace cohort::pipeline
