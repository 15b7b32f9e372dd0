// Pipeline: the one thread that runs every stage (processors, then queries → profiles) over
// the stream log, in order, each from its own checkpoint. Wakes when the writer commits, but
// starts rounds at most every `min_round_interval_ms`: under a stream of small group commits
// (one per fsync, ~16 single-event requests each) a round per commit would cost a log scan, a
// processor append and several thread wake-ups per handful of events, on the cores that
// answer the requests. The interval adds at most that much to the live lag of profiles.
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
  // `writer` must outlive the pipeline; stages are owned. The pipeline's thread runs `nice`
  // levels below the process (config pipeline_nice), so that when the CPU is short the
  // durable answers to collect requests come first.
  Pipeline(stream::LogWriter* writer, std::vector<std::unique_ptr<Stage>> stages,
           int min_round_interval_ms = 2, int nice = 0);
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
  const int min_round_interval_ms_;
  const int nice_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> running_{false};
  mutable std::mutex mu_;
  Status error_;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace cohort::pipeline
