// An in-process Cohort server with an injected clock, for tests that move time (audiences)
// or restart the server on the same data directory.
#pragma once

#include <boost/json.hpp>

#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "harness.h"
#include "server/config.h"
#include "server/server.h"

namespace cohort::integration {

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

 private:
  std::string data_dir_;
  const Clock* clock_;
  std::unique_ptr<server::CohortServer> server_;
  std::string base_url_;
};

}  // namespace cohort::integration
