#include "api/handler_pool.h"

#include <spdlog/spdlog.h>

#include <exception>

#include "common/thread_setup.h"

namespace cohort::api {

HandlerPool::HandlerPool(int threads) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this, i] {
      SetThreadName("cohort-api-" + std::to_string(i));
      Run();
    });
  }
}

HandlerPool::~HandlerPool() { Stop(); }

bool HandlerPool::Post(std::function<void()> task) {
  {
    std::lock_guard l(mu_);
    if (stopping_) return false;
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

void HandlerPool::Stop() {
  {
    std::lock_guard l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void HandlerPool::Run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock l(mu_);
      cv_.wait(l, [&] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping and drained
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    try {
      task();
    } catch (const std::exception& e) {
      spdlog::error("api: a blocking handler threw: {}", e.what());
    } catch (...) {
      spdlog::error("api: a blocking handler threw");
    }
  }
}

}  // namespace cohort::api
