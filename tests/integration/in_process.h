// An in-process Cohort server with an injected clock, for tests that move time (audiences)
// or restart the server on the same data directory.
#pragma once

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "harness.h"
#include "server/config.h"
#include "server/server.h"

namespace cohort::integration {

// Times for tests that move an injected clock.
inline constexpr int64_t kMinuteMs = 60'000;
inline constexpr int64_t kHourMs = 60 * kMinuteMs;
inline constexpr int64_t kDayMs = 24 * kHourMs;
// 2024-06-01T00:00:00Z: the fixed "now" such tests start at.
inline constexpr int64_t kStartMs = 1'717'200'000'000;

// Starts the Customer.io workflow with its box ticked.
inline constexpr char kWorkflowBody[] =
    R"({"integration":"customerio","workflow":"import_webhook_events",)"
    R"("config":{"webhook_configured":true}})";

// v[key] as a string, "" if absent or not a string.
inline std::string Str(const boost::json::value& v, std::string_view key) {
  const boost::json::value* x = v.is_object() ? v.as_object().if_contains(key) : nullptr;
  return x && x->is_string() ? std::string(x->as_string()) : "";
}

// A Cohort server in this process on port 0 over a data directory that outlives it, with an
// injected clock, so that it can be stopped and started again on the same data.
class InProcessCohort {
 public:
  // `clock` must outlive this object.
  InProcessCohort(std::string data_dir, const Clock* clock)
      : data_dir_(std::move(data_dir)), clock_(clock) {}
  ~InProcessCohort() { Stop(); }

  [[nodiscard]] Status Start() {
    server::Config config;
    config.data = data_dir_;
    config.listen = "127.0.0.1:0";
    config.admin_token = kAdminToken;
    config.io_threads = 2;
    config.shutdown_grace_ms = 2000;
    std::ostringstream out;
    auto s = server::CohortServer::Start(config, clock_, out);
    if (!s.ok()) return s.status();
    server_ = std::move(s).value();
    base_url_ = server_->BaseUrl();
    return Status::Ok();
  }
  void Stop() {
    if (!server_) return;
    server_->Stop();
    server_.reset();
  }

  Reply Request(std::string method, std::string target, std::string body = "") const {
    Call call;
    call.method = std::move(method);
    call.target = std::move(target);
    call.body = std::move(body);
    call.token = kAdminToken;
    return Send(base_url_, call);
  }

  // Runs the Import Webhook Events workflow (which installs the default query) and waits up
  // to 30 s for it, and its rebuild, to complete.
  ::testing::AssertionResult RunImportWebhookEvents() const {
    Reply started = Request("POST", "/api/workflow", kWorkflowBody);
    const std::string id = Str(started.Data(), "id");
    if (started.status != 200 || id.empty()) {
      return ::testing::AssertionFailure() << "workflow not started: " << started.Describe();
    }
    std::string status;
    const bool ended = Eventually(
        [&] {
          Reply r = Request("GET", "/api/workflow/" + id);
          status = Str(r.Data(), "status");
          return r.status == 200 && !status.empty() && status != "running";
        },
        std::chrono::seconds(30));
    if (!ended) return ::testing::AssertionFailure() << "workflow still running after 30 s";
    if (status != "completed") return ::testing::AssertionFailure() << "workflow " << status;
    return ::testing::AssertionSuccess();
  }

  // Posts one Customer.io email event (current format) for a person known by customer id and
  // the email <customer>@example.com, at `at_ms` (whole seconds are kept).
  Reply PostEmailEvent(const std::string& event_id, const std::string& metric,
                       const std::string& customer, int64_t at_ms,
                       const std::string& subject = "") const {
    const std::string email = customer + "@example.com";
    boost::json::object data{{"customer_id", customer},
                             {"recipient", email},
                             {"identifiers", boost::json::object{{"id", customer}, {"email", email}}}};
    if (!subject.empty()) data["subject"] = subject;
    boost::json::object e{{"event_id", event_id},
                          {"object_type", "email"},
                          {"metric", metric},
                          {"timestamp", at_ms / 1000},
                          {"data", std::move(data)}};
    return Request("POST", "/collect/json/customerio?key=" + std::string(kAdminToken),
                   boost::json::serialize(e));
  }

 private:
  std::string data_dir_;
  const Clock* clock_;
  std::unique_ptr<server::CohortServer> server_;
  std::string base_url_;
};

}  // namespace cohort::integration
