#include "server/server.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include "api/api.h"
#include "audience/engine.h"
#include "audience/webhook.h"
#include "auth/token_store.h"
#include "http/server.h"
#include "ingest/collector.h"
#include "pipeline/customerio_stage.h"
#include "pipeline/pipeline.h"
#include "pipeline/profile_stage.h"
#include "pipeline/workflows.h"
#include "storage/db.h"
#include "stream/catalog.h"
#include "stream/log_writer.h"

namespace cohort::server {

struct CohortServer::Parts {
  Config config;
  const Clock* clock = nullptr;
  std::unique_ptr<storage::Db> db;
  std::unique_ptr<stream::StreamCatalog> catalog;
  std::unique_ptr<stream::LogWriter> writer;
  std::unique_ptr<auth::TokenStore> tokens;
  std::unique_ptr<ingest::Collector> collector;
  std::unique_ptr<pipeline::JobRegistry> jobs;
  std::unique_ptr<audience::AudienceEngine> audiences;
  std::unique_ptr<audience::WebhookSender> webhooks;
  pipeline::ProfileStage* profiles = nullptr;  // owned by the pipeline
  std::unique_ptr<pipeline::Pipeline> pipeline;
  std::unique_ptr<pipeline::WorkflowRunner> workflows;
  std::unique_ptr<api::Api> api;
  std::unique_ptr<http::Server> http;
  std::string base_url;
};

CohortServer::CohortServer(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
CohortServer::~CohortServer() { Stop(); }

StatusOr<std::unique_ptr<CohortServer>> CohortServer::Start(const Config& config,
                                                            const Clock* clock,
                                                            std::ostream& out) {
  auto p = std::make_unique<Parts>();
  p->config = config;
  p->clock = clock;
  ASSIGN_OR_RETURN(auto hostport, config.ListenHostPort());

  storage::DbOptions dbo;
  dbo.path = config.data;
  dbo.dedup_ttl_ms = config.dedup_window_seconds * 1000;
  dbo.wal_zeroed_file_bytes = static_cast<uint64_t>(config.wal_zeroed_file_bytes);
  ASSIGN_OR_RETURN(p->db, storage::Db::Open(dbo));
  ASSIGN_OR_RETURN(p->catalog, stream::StreamCatalog::Load(p->db.get()));
  ASSIGN_OR_RETURN(p->tokens, auth::TokenStore::Load(p->db.get(), clock));
  const bool fresh = p->tokens->List().empty();
  ASSIGN_OR_RETURN(std::string admin, p->tokens->Bootstrap(config.admin_token));
  if (!admin.empty() && config.admin_token.empty()) {
    out << "admin token: " << admin << std::endl;
  }
  // On a fresh data directory also create the collect token for the Customer.io webhook, so
  // the first start can print a URL to paste into Customer.io.
  std::string webhook_key = "<collect token>";
  if (fresh) {
    ASSIGN_OR_RETURN(auto collect, p->tokens->Create("customerio webhook", auth::Role::kCollect));
    webhook_key = collect.second;
  }

  stream::LogWriterOptions wo;
  wo.dedup_window_ms = config.dedup_window_seconds * 1000;
  wo.max_batch_events = static_cast<size_t>(config.commit_max_batch_events);
  wo.max_batch_bytes = static_cast<size_t>(config.commit_max_batch_bytes);
  wo.max_queue_bytes = static_cast<size_t>(config.commit_queue_limit_bytes);
  ASSIGN_OR_RETURN(p->writer,
                   stream::LogWriter::Start(p->db.get(), p->catalog.get(), clock, wo));
  p->collector = std::make_unique<ingest::Collector>(p->catalog.get(), p->writer.get(),
                                                     p->db.get(), clock, wo.dedup_window_ms);

  std::vector<std::unique_ptr<pipeline::Stage>> stages;
  ASSIGN_OR_RETURN(auto cio_stage, pipeline::CustomerIoStage::Create(p->db.get(), p->catalog.get(),
                                                                    p->writer.get(), 2000));
  stages.push_back(std::move(cio_stage));
  ASSIGN_OR_RETURN(p->jobs, pipeline::JobRegistry::Load(p->db.get(), clock));
  ASSIGN_OR_RETURN(p->audiences, audience::AudienceEngine::Load(p->db.get(), clock));
  pipeline::ProfileStageOptions profile_options;
  profile_options.rebuild_flush_events = static_cast<size_t>(config.rebuild_flush_events);
  ASSIGN_OR_RETURN(auto profile_stage,
                   pipeline::ProfileStage::Create(p->db.get(), p->catalog.get(), p->jobs.get(),
                                                  clock, profile_options, p->audiences.get()));
  p->profiles = profile_stage.get();
  stages.push_back(std::move(profile_stage));
  p->pipeline = std::make_unique<pipeline::Pipeline>(
      p->writer.get(), std::move(stages), /*min_round_interval_ms=*/2,
      static_cast<int>(config.pipeline_nice));
  p->pipeline->Start();
  p->webhooks = std::make_unique<audience::WebhookSender>(p->db.get(), p->audiences.get(), clock);
  RETURN_IF_ERROR(p->webhooks->Start());
  ASSIGN_OR_RETURN(p->workflows, pipeline::WorkflowRunner::Load(p->db.get(), p->profiles,
                                                                p->jobs.get(), clock));

  api::Services s;
  s.db = p->db.get();
  s.catalog = p->catalog.get();
  s.writer = p->writer.get();
  s.collector = p->collector.get();
  s.tokens = p->tokens.get();
  s.clock = clock;
  s.profiles = p->profiles;
  s.jobs = p->jobs.get();
  s.pipeline = p->pipeline.get();
  s.workflows = p->workflows.get();
  s.audiences = p->audiences.get();
  s.webhooks = p->webhooks.get();
  pipeline::Pipeline* pl = p->pipeline.get();
  stream::LogWriter* writer = p->writer.get();
  s.pipeline_running = [pl] { return pl->running(); };
  s.extra_metrics = [pl, writer](std::string* out) {
    uint64_t last = writer->LastSeq();
    api::MetricHeader(out, "cohort_pipeline_lag_events", "gauge",
                      "Log events not yet applied, per stage.");
    for (const auto& [name, cp] : pl->Checkpoints()) {
      api::MetricSample(out, "cohort_pipeline_lag_events", "stage=\"" + name + "\"",
                        static_cast<double>(last > cp ? last - cp : 0));
    }
  };
  p->api = std::make_unique<api::Api>(std::move(s));

  http::ServerOptions ho;
  ho.host = hostport.first;
  ho.port = hostport.second;
  ho.io_threads = config.io_threads;
  ho.body_limit_bytes = static_cast<size_t>(config.body_limit_bytes);
  ho.header_timeout_ms = static_cast<int>(config.header_timeout_ms);
  ho.body_timeout_ms = static_cast<int>(config.body_timeout_ms);
  ho.idle_timeout_ms = static_cast<int>(config.idle_timeout_ms);
  ho.write_timeout_ms = static_cast<int>(config.write_timeout_ms);
  ho.max_connections = static_cast<size_t>(config.max_connections);
  ho.shutdown_grace_ms = static_cast<int>(config.shutdown_grace_ms);
  api::Api* api = p->api.get();
  ho.on_complete = [api](const http::Request& r, int status, double seconds) {
    api->OnComplete(r, status, seconds);
  };
  ASSIGN_OR_RETURN(p->http, http::Server::Start(ho, [api](http::Request&& r,
                                                          http::Responder respond) {
    api->Handle(std::move(r), std::move(respond));
  }));
  p->base_url = config.public_url.empty()
                    ? "http://" + hostport.first + ":" + std::to_string(p->http->port())
                    : config.PublicUrl();
  // The API reports URLs with the real port.
  const_cast<api::Services&>(p->api->services()).public_url = p->base_url;
  out << "webhook URL: " << p->base_url << "/collect/json/customerio?key=" << webhook_key
      << std::endl;
  spdlog::info("cohort listening on {} (data {})", p->base_url, config.data);
  return std::unique_ptr<CohortServer>(new CohortServer(std::move(p)));
}

uint16_t CohortServer::port() const { return parts_->http ? parts_->http->port() : 0; }
std::string CohortServer::BaseUrl() const { return parts_->base_url; }

void CohortServer::Stop() {
  if (!parts_) return;
  if (parts_->http) parts_->http->Stop();  // in-flight requests finish, incl. pending commits
  if (parts_->api)
    parts_->api->Stop();  // blocking handlers still queued, while the
                          // pipeline they may wait for still runs
  if (parts_->webhooks) parts_->webhooks->Stop();
  if (parts_->pipeline) parts_->pipeline->Stop();
  if (parts_->writer) parts_->writer->Stop();
  parts_->http.reset();
  parts_->api.reset();
  parts_->collector.reset();
  parts_->workflows.reset();
  parts_->webhooks.reset();
  parts_->pipeline.reset();
  parts_->jobs.reset();
  parts_->audiences.reset();
  parts_->writer.reset();
  parts_->tokens.reset();
  parts_->catalog.reset();
  parts_->db.reset();
}

void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForTerminationSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

void SetupLogging(const std::string& level) {
  auto lvl = spdlog::level::from_str(level);
  spdlog::set_level(lvl);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
}

}  // namespace cohort::server
