#include "api/metrics.h"

#include <cmath>
#include <cstdio>

namespace cohort::api {

void RequestMetrics::Count(const std::string& route, int code, double seconds) {
  std::lock_guard l(mu_);
  auto& v = by_route_[{route, code}];
  ++v.first;
  v.second += seconds;
}

void RequestMetrics::Render(std::string* out) const {
  std::lock_guard l(mu_);
  MetricHeader(out, "cohort_http_requests_total", "counter", "HTTP requests by route and code.");
  for (const auto& [k, v] : by_route_) {
    MetricSample(out, "cohort_http_requests_total",
                 "route=\"" + k.first + "\",code=\"" + std::to_string(k.second) + "\"", v.first);
  }
  MetricHeader(out, "cohort_http_request_seconds_sum", "counter",
               "Total seconds spent answering, by route and code.");
  for (const auto& [k, v] : by_route_) {
    MetricSample(out, "cohort_http_request_seconds_sum",
                 "route=\"" + k.first + "\",code=\"" + std::to_string(k.second) + "\"", v.second);
  }
}

void MetricHeader(std::string* out, const std::string& name, const std::string& type,
                  const std::string& help) {
  *out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void MetricSample(std::string* out, const std::string& name, const std::string& labels,
                  double value) {
  char buf[64];
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.6g", value);
  }
  *out += name;
  if (!labels.empty()) *out += "{" + labels + "}";
  *out += " ";
  *out += buf;
  *out += "\n";
}

}  // namespace cohort::api
