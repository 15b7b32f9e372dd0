#include "pipeline/pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "common/thread_setup.h"

namespace cohort::pipeline {

Pipeline::Pipeline(stream::LogWriter* writer, std::vector<std::unique_ptr<Stage>> stages,
                   int min_round_interval_ms, int nice)
    : writer_(writer),
      stages_(std::move(stages)),
      min_round_interval_ms_(min_round_interval_ms),
      nice_(nice) {}

Pipeline::~Pipeline() { Stop(); }

void Pipeline::Start() {
  stop_ = false;
  running_ = true;
  thread_ = std::thread([this] {
    SetThreadName("cohort-pipeline");
    LowerThreadPriority(nice_);  // also for the rebuild's prefetch threads, which inherit it
    Run();
  });
}

void Pipeline::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  running_ = false;
}

Status Pipeline::last_error() const {
  std::lock_guard l(mu_);
  return error_;
}

std::vector<std::pair<std::string, uint64_t>> Pipeline::Checkpoints() const {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const auto& s : stages_) out.emplace_back(s->name(), s->checkpoint());
  return out;
}

bool Pipeline::WaitFor(uint64_t seq, int timeout_ms) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    bool all = true;
    for (const auto& s : stages_) all &= s->checkpoint() >= seq;
    if (all) return true;
    if (std::chrono::steady_clock::now() > deadline || !running_) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void Pipeline::Run() {
  const auto interval = std::chrono::milliseconds(std::max(min_round_interval_ms_, 0));
  auto next_round = std::chrono::steady_clock::now();
  while (!stop_) {
    // Let a few more commits gather before the next round (see the header).
    if (std::chrono::steady_clock::now() < next_round) std::this_thread::sleep_until(next_round);
    next_round = std::chrono::steady_clock::now() + interval;
    uint64_t last = writer_->LastSeq();
    bool any = false;
    for (auto& stage : stages_) {
      bool progressed = false;
      Status s;
      try {
        s = stage->RunOnce(last, &progressed);
      } catch (const std::exception& e) {
        s = InternalError(std::string("stage threw: ") + e.what());
      }
      if (!s.ok()) {
        if (s.code() == StatusCode::kCancelled) break;  // writer is shutting down
        spdlog::error("pipeline stage {} stopped: {}", stage->name(), s.ToString());
        std::lock_guard l(mu_);
        error_ = s.WithContext(stage->name());
        running_ = false;
        return;
      }
      any |= progressed;
    }
    if (!any) writer_->WaitForNewer(last, 100);
  }
  running_ = false;
}

}  // namespace cohort::pipeline
