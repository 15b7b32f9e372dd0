// Clock: the only source of "now" in Cohort, injected so that tests advance time instead of
// sleeping. All instants are milliseconds since the Unix epoch (UTC). Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

namespace cohort {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t NowMs() const = 0;
};

// The real wall clock.
class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override;
  // A process-wide instance; never destroyed.
  static SystemClock* Default();
};

// A clock that moves only when told to. For tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
  int64_t NowMs() const override { return now_.load(std::memory_order_relaxed); }
  void SetMs(int64_t ms) { now_.store(ms, std::memory_order_relaxed); }
  void AdvanceMs(int64_t ms) { now_.fetch_add(ms, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace cohort
