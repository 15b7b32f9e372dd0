// Blocking routes run on the handler pool, not on the calling (HTTP I/O) thread.
#include "api/api.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "api/handler_pool.h"

namespace cohort::api {
namespace {

using namespace std::chrono_literals;

http::Request Get(std::string path) {
  http::Request r;
  r.method = "GET";
  r.target = path;
  r.path = std::move(path);
  r.request_id = "test";
  return r;
}

TEST(ApiTest, BlockingRoutesDoNotHoldTheCallingThread) {
  Api api(Services{});
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<std::thread::id> ran_on;
  api.router().Add(
      "GET", "/test/slow", RouteAccess::kOpen,
      [&](const RouteContext& c, http::Responder respond) {
        ran_on.set_value(std::this_thread::get_id());
        released.wait();
        http::Response r;
        r.body = "slow " + c.request.path;  // the request is still there
        respond(std::move(r));
      },
      /*blocking=*/true);
  api.router().Add("GET", "/test/fast", RouteAccess::kOpen,
                   [](const RouteContext&, http::Responder respond) {
                     http::Response r;
                     r.body = "fast";
                     respond(std::move(r));
                   });

  std::promise<std::string> slow_body;
  const auto start = std::chrono::steady_clock::now();
  api.Handle(Get("/test/slow"),
             [&](http::Response r) { slow_body.set_value(std::move(r.body)); });
  // Handle returned while the slow handler waits, on another thread.
  auto on = ran_on.get_future();
  ASSERT_EQ(on.wait_for(5s), std::future_status::ready);
  EXPECT_NE(on.get(), std::this_thread::get_id());
  std::string fast;
  api.Handle(Get("/test/fast"), [&](http::Response r) { fast = std::move(r.body); });
  EXPECT_EQ(fast, "fast");  // answered at once, on this thread
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);

  release.set_value();
  auto body = slow_body.get_future();
  ASSERT_EQ(body.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(body.get(), "slow /test/slow");

  // After Stop, a blocking route is refused rather than queued.
  api.Stop();
  int status = 0;
  api.Handle(Get("/test/slow"), [&](http::Response r) { status = r.status; });
  EXPECT_EQ(status, 503);
}

TEST(HandlerPoolTest, StopRunsWhatIsQueuedThenRefuses) {
  HandlerPool pool(1);
  std::promise<void> gate;
  std::shared_future<void> open = gate.get_future().share();
  std::atomic<int> ran{0};
  ASSERT_TRUE(pool.Post([&] {
    open.wait();
    ++ran;
  }));
  ASSERT_TRUE(pool.Post([&] { ++ran; }));
  std::thread stopper([&] { pool.Stop(); });
  gate.set_value();
  stopper.join();
  EXPECT_EQ(ran.load(), 2);
  EXPECT_FALSE(pool.Post([&] { ++ran; }));
  EXPECT_EQ(ran.load(), 2);
}

}  // namespace
}  // namespace cohort::api
