// CohortServer: wires storage, the stream log, tokens, the pipeline, the API and the HTTP
// server together, in that order, and takes them down in reverse.
//
// Thread-safe: Start/Stop from one controlling thread (main or a test).
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "server/config.h"

namespace cohort::server {

class CohortServer {
 public:
  // Opens the data directory, bootstraps the admin token (printing `admin token: <token>` to
  // `out` when one is generated), starts the writer, pipeline and HTTP server. `clock` must
  // outlive the server.
  static StatusOr<std::unique_ptr<CohortServer>> Start(const Config& config, const Clock* clock,
                                                       std::ostream& out);
  ~CohortServer();

  uint16_t port() const;
  // The base URL clients use (public_url, or http://host:port with the bound port).
  std::string BaseUrl() const;
  // Graceful: stop accepting, finish in-flight requests, drain the writer and pipeline.
  void Stop();

 private:
  struct Parts;
  explicit CohortServer(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

// Blocks until SIGINT or SIGTERM. Call BlockTerminationSignals() first, before any thread
// starts, so the signal reaches this waiter.
void BlockTerminationSignals();
int WaitForTerminationSignal();

// Sets up spdlog with the given level name; unknown names fall back to info.
void SetupLogging(const std::string& level);

}  // namespace cohort::server
