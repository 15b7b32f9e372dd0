// HandlerPool: threads for the few API handlers that may wait a long time (an audience save or
// delete waits for the pipeline thread; an audience size may scan every profile; an erasure
// waits for the pipeline). The HTTP server runs handlers on its I/O threads, each serving many
// connections (collect requests among them); a handler that waits there would delay all of
// them. Routes marked `blocking` run here instead and answer through their Responder.
//
// Thread-safe. Stop() runs what is queued, then joins; later Posts run nothing.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace cohort::api {

class HandlerPool {
 public:
  explicit HandlerPool(int threads);
  ~HandlerPool();  // Stop()s

  // Queues `task`; false (task dropped) once stopping.
  bool Post(std::function<void()> task);
  void Stop();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                    // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
};

}  // namespace cohort::api
