// Driving a server through a corpus (corpus.h): metrics, waits, jobs, queries, listings and
// the retrying body poster.
#include "corpus.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <numeric>
#include <optional>
#include <sstream>
#include <utility>

#include "customerio/integration.h"

namespace cohort::integration::corpus {
namespace {

std::string Tail(const std::string& s, size_t n) {
  return s.size() > n ? s.substr(s.size() - n) : s;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Driving a server.

double MetricIn(const std::string& metrics_body, const std::string& series) {
  std::istringstream lines(metrics_body);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > series.size() && line.starts_with(series) && line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return -1;
}

double Metric(const ServerProcess& server, const std::string& series) {
  Reply r = server.Get("/metrics", "");
  return r.status == 200 ? MetricIn(r.body, series) : -1;
}

bool WaitForPipeline(const ServerProcess& server, std::chrono::milliseconds timeout) {
  std::string pending;
  bool done = Eventually(
      [&] {
        // Jobs first: once none runs, the serving generation is fixed, and lag 0 after that
        // means it has every event.
        Reply jobs = server.Get("/api/job", server.admin_token());
        if (jobs.status != 200 || !jobs.Data().is_array()) {
          pending = "GET /api/job → " + jobs.Describe();
          return false;
        }
        for (const auto& j : jobs.Data().as_array()) {
          if (j.is_object() && j.as_object().contains("status") &&
              j.at("status") == boost::json::value("running")) {
            pending = "job running: " + boost::json::serialize(j);
            return false;
          }
        }
        Reply m = server.Get("/metrics", "");
        if (m.status != 200) {
          pending = "GET /metrics → " + m.Describe();
          return false;
        }
        double processor = MetricIn(m.body, kProcessorLag);
        double profiles = MetricIn(m.body, kProfilesLag);
        pending = "lag: processor " + std::to_string(processor) + ", profiles " +
                  std::to_string(profiles);
        return processor == 0 && profiles == 0;
      },
      timeout, 10ms);
  if (!done) {
    ADD_FAILURE() << "the pipeline did not finish within " << timeout.count() << " ms; " << pending
                  << "\nserver log tail:\n"
                  << Tail(server.Log(), 3000);
  }
  return done;
}

boost::json::value Job(const ServerProcess& server, const std::string& id) {
  Reply r = server.Get("/api/job/" + id, server.admin_token());
  if (r.status != 200) return nullptr;
  return r.Data();
}

std::string WaitForJob(const ServerProcess& server, const std::string& id,
                       std::chrono::milliseconds timeout) {
  std::string status;
  boost::json::value last;
  bool done = Eventually(
      [&] {
        last = Job(server, id);
        const boost::json::value* s =
            last.is_object() ? last.as_object().if_contains("status") : nullptr;
        status = s && s->is_string() ? std::string(s->as_string()) : "";
        return !status.empty() && status != "running";
      },
      timeout, 10ms);
  if (!done) {
    ADD_FAILURE() << "job " << id << " did not end within " << timeout.count() << " ms: " << last
                  << "\nserver log tail:\n"
                  << Tail(server.Log(), 3000);
    return "";
  }
  return status;
}

std::string InstallQuery(const ServerProcess& server, std::string_view text) {
  Reply r = server.Post("/api/query", std::string(text), server.admin_token(),
                        {{"Content-Type", "text/plain"}});
  const boost::json::value* job =
      r.Data().is_object() ? r.Data().as_object().if_contains("job_id") : nullptr;
  if (r.status != 200 || !job || !job->is_string()) {
    ADD_FAILURE() << "POST /api/query → " << r.Describe();
    return "";
  }
  return std::string(job->as_string());
}

std::string InstallDefaultQuery(const ServerProcess& server) {
  return InstallQuery(server, customerio::DefaultQueryText());
}

Listing ListProfiles(const ServerProcess& server, int limit) {
  Listing out;
  std::string cursor;
  for (;;) {
    std::string target = "/api/entity/user?limit=" + std::to_string(limit);
    if (!cursor.empty()) target += "&cursor=" + cursor;
    Reply r = server.Get(target, server.admin_token());
    if (r.status != 200 || !r.Data().is_array()) {
      out.error = "GET " + target + " → " + r.Describe();
      return out;
    }
    ++out.pages;
    out.bytes += r.body;
    out.bytes += '\n';
    const auto& page = r.Data().as_array();
    if (page.size() > static_cast<size_t>(limit)) {
      out.error = "GET " + target + " returned " + std::to_string(page.size()) + " profiles";
      return out;
    }
    for (const auto& p : page) {
      if (!p.is_object()) {
        out.error = "a listed profile is not an object: " + boost::json::serialize(p);
        return out;
      }
      out.profiles.push_back(p.as_object());
    }
    const boost::json::value* meta = r.json.as_object().if_contains("meta");
    const boost::json::value* next =
        meta && meta->is_object() ? meta->as_object().if_contains("next_cursor") : nullptr;
    if (!next) return out;
    if (!next->is_string() || next->as_string().empty() || next->as_string() == cursor) {
      out.error = "GET " + target + " gave next_cursor " + boost::json::serialize(*next);
      return out;
    }
    cursor = std::string(next->as_string());
  }
}

BodyPoster::BodyPoster(const std::vector<std::string>* bodies, int threads)
    : bodies_(bodies), threads_(threads), acked_(bodies->size(), false) {}

BodyPoster::~BodyPoster() { Join(); }

void BodyPoster::Start(const ServerProcess* server, std::string target) {
  Join();
  {
    std::lock_guard l(mu_);
    next_ = 0;
  }
  running_ = threads_;
  for (int t = 0; t < threads_; ++t) {
    workers_.emplace_back([this, server, target] { Run(server, target); });
  }
}

void BodyPoster::Join() {
  for (auto& t : workers_) t.join();
  workers_.clear();
}

size_t BodyPoster::acked() const {
  std::lock_guard l(mu_);
  return static_cast<size_t>(std::count(acked_.begin(), acked_.end(), true));
}

std::string BodyPoster::error() const {
  std::lock_guard l(mu_);
  return error_;
}

void BodyPoster::Run(const ServerProcess* server, const std::string& target) {
  for (;;) {
    size_t i;
    {
      std::lock_guard l(mu_);
      while (next_ < acked_.size() && acked_[next_]) ++next_;
      if (next_ == acked_.size() || !error_.empty()) break;
      i = next_++;
    }
    Reply r = server->Post(target, (*bodies_)[i], "");
    if (r.status == 0) break;  // the server is gone (killed)
    std::lock_guard l(mu_);
    if (r.status != 200) {
      error_ = "body " + std::to_string(i) + ": " + r.Describe();
      break;
    }
    acked_[i] = true;
  }
  --running_;
}

std::string CustomerIoTarget(const ServerProcess& server) {
  return CollectPath("customerio") + "?key=" + server.collect_key();
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace cohort::integration::corpus
