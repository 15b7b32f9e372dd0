// Request counters for /metrics (Prometheus text format). Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace cohort::api {

class RequestMetrics {
 public:
  void Count(const std::string& route, int code, double seconds);
  // Appends cohort_http_requests_total and cohort_http_request_seconds_sum lines.
  void Render(std::string* out) const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, std::pair<uint64_t, double>> by_route_;  // GUARDED_BY(mu_)
};

// Appends one metric family header and sample (helpers for the renderer).
void MetricHeader(std::string* out, const std::string& name, const std::string& type,
                  const std::string& help);
void MetricSample(std::string* out, const std::string& name, const std::string& labels,
                  double value);

}  // namespace cohort::api
