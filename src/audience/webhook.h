// WebhookSender: delivers each audience's enter/exit log to its webhook (SPEC §2.6), in order,
// signed like Customer.io signs (X-Cohort-Timestamp, X-Cohort-Signature = hex
// HMAC-SHA256(secret, "v0:" + timestamp + ":" + body)), retried with exponential backoff
// (1 s doubling to 60 s) until a 2xx. The delivery cursor of each audience is persisted after
// every acknowledged batch, so nothing is lost or reordered across restarts (a batch that was
// delivered but not yet recorded may be delivered again: receivers de-duplicate by `cursor`).
//
// One thread. Thread-safe accessors.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "audience/engine.h"
#include "storage/db.h"

namespace cohort::audience {

struct DeliveryState {
  uint64_t delivered = 0;  // last change seq acknowledged
  uint64_t attempts = 0;   // failed attempts of the current batch
  std::string last_error;
  int64_t last_success_ms = 0;
  int64_t next_attempt_ms = 0;  // wall clock, 0 = now
};

class WebhookSender {
 public:
  // `db`, `engine` and `clock` must outlive the sender.
  WebhookSender(storage::Db* db, AudienceEngine* engine, const Clock* clock);
  ~WebhookSender();  // Stop()s
  Status Start();
  void Stop();
  // Wakes the thread (new changes or settings).
  void Poke();
  DeliveryState StateOf(uint32_t segment_id) const;
  uint64_t delivered_total() const { return delivered_total_.load(); }

 private:
  void Run();
  // Delivers one batch of `slug` if due; true when something was sent successfully.
  bool DeliverOne(const AudienceInfo& info);

  storage::Db* const db_;
  AudienceEngine* const engine_;
  const Clock* const clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;                         // GUARDED_BY(mu_)
  bool poked_ = false;                        // GUARDED_BY(mu_)
  std::map<uint32_t, DeliveryState> state_;   // GUARDED_BY(mu_)
  std::atomic<uint64_t> delivered_total_{0};
  std::thread thread_;
};

}  // namespace cohort::audience
