// Api: the REST handlers of SPEC §2 behind one http::Handler. Routes are grouped by concern
// in handlers_*.cc; this class wires them, authenticates, authorises, and counts.
//
// Thread-safe: Handle runs on any I/O thread; every service it uses is thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "api/handler_pool.h"
#include "api/metrics.h"
#include "api/router.h"
#include "audience/engine.h"
#include "audience/webhook.h"
#include "auth/token_store.h"
#include "common/clock.h"
#include "http/types.h"
#include "ingest/collector.h"
#include "pipeline/jobs.h"
#include "pipeline/pipeline.h"
#include "pipeline/profile_stage.h"
#include "pipeline/workflows.h"
#include "storage/db.h"
#include "stream/catalog.h"
#include "stream/log_writer.h"

namespace cohort::api {

// The services the handlers use; all must outlive the Api.
struct Services {
  storage::Db* db = nullptr;
  stream::StreamCatalog* catalog = nullptr;
  stream::LogWriter* writer = nullptr;
  ingest::Collector* collector = nullptr;
  auth::TokenStore* tokens = nullptr;
  const Clock* clock = nullptr;
  pipeline::ProfileStage* profiles = nullptr;
  pipeline::JobRegistry* jobs = nullptr;
  pipeline::Pipeline* pipeline = nullptr;
  pipeline::WorkflowRunner* workflows = nullptr;
  audience::AudienceEngine* audiences = nullptr;
  audience::WebhookSender* webhooks = nullptr;
  std::string public_url;  // e.g. http://127.0.0.1:8080
  // Extra readiness (e.g. the pipeline thread is running); empty = ready.
  std::function<bool()> pipeline_running;
  // Extra /metrics lines from other modules.
  std::function<void(std::string*)> extra_metrics;
};

class Api {
 public:
  explicit Api(Services services);
  // Finishes the blocking handlers already queued (they may still use the services), then
  // stops their threads. Call after the HTTP server stopped, before the services stop.
  void Stop() { pool_.Stop(); }
  void Handle(http::Request&& request, http::Responder respond);
  // Called by the HTTP server after each response (for metrics).
  void OnComplete(const http::Request& request, int status, double seconds);
  RequestMetrics& metrics() { return metrics_; }
  Router& router() { return router_; }
  const Services& services() const { return s_; }

 private:
  void AddCollectRoutes();
  void AddStreamRoutes();
  void AddTokenRoutes();
  void AddOpsRoutes();
  void AddQueryRoutes();
  void AddEntityRoutes();
  void AddJobRoutes();
  void AddIntegrationRoutes();
  void AddSegmentRoutes();
  std::string RouteLabel(const http::Request& r) const;

  Services s_;
  Router router_;
  RequestMetrics metrics_;
  HandlerPool pool_{2};  // blocking routes (Route::blocking)
};

// The token a request carries (SPEC §2.1 order), or "".
std::string TokenFromRequest(const http::Request& r);

}  // namespace cohort::api
