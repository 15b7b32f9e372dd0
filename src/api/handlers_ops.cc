// /healthz, /readyz, /metrics (SPEC §2.8).
#include "api/api.h"
#include "api/reply.h"

namespace cohort::api {

void Api::AddOpsRoutes() {
  router_.Add("GET", "/healthz", RouteAccess::kOpen,
              [](const RouteContext&, http::Responder respond) {
                boost::json::object o;
                o["alive"] = true;
                respond(Ok(std::move(o)));
              });
  router_.Add("GET", "/readyz", RouteAccess::kOpen,
              [this](const RouteContext& c, http::Responder respond) {
                auto probe = s_.db->Get(storage::Family::kMeta, "readyz-probe");
                bool pipeline = !s_.pipeline_running || s_.pipeline_running();
                if (!probe.ok() || !pipeline) {
                  respond(Error(UnavailableError(!probe.ok() ? "storage is not readable: " +
                                                                   probe.status().message()
                                                             : "the pipeline is not running"),
                                c.request.request_id));
                  return;
                }
                boost::json::object o;
                o["storage"] = "ok";
                o["pipeline"] = s_.pipeline_running ? "running" : "not configured";
                respond(Ok(std::move(o)));
              });
  router_.Add("GET", "/metrics", RouteAccess::kOpen,
              [this](const RouteContext&, http::Responder respond) {
                std::string out;
                metrics_.Render(&out);
                auto streams = s_.catalog->List(false);
                struct Family {
                  const char* name;
                  const char* help;
                  uint64_t stream::StreamStats::*field;
                };
                const Family families[] = {
                    {"cohort_events_collected_total", "Events stored, per stream.",
                     &stream::StreamStats::event_count},
                    {"cohort_events_duplicate_total", "Duplicate events acknowledged, per stream.",
                     &stream::StreamStats::duplicate_count},
                    {"cohort_events_rejected_total", "Body items refused, per stream.",
                     &stream::StreamStats::rejected_count},
                    {"cohort_events_unmapped_total", "Events a processor could not map.",
                     &stream::StreamStats::unmapped_count},
                    {"cohort_events_time_fallback_total",
                     "Events whose timestamp was unparsable.",
                     &stream::StreamStats::time_fallback_count},
                    {"cohort_stream_bytes", "Raw bytes stored, per stream.",
                     &stream::StreamStats::bytes},
                };
                for (const auto& f : families) {
                  MetricHeader(&out, f.name, "counter", f.help);
                  for (const auto& s : streams) {
                    MetricSample(&out, f.name, "stream=\"" + s.name + "\"",
                                 static_cast<double>(s.stats.*f.field));
                  }
                }
                MetricHeader(&out, "cohort_log_last_seq", "gauge", "Highest durable sequence.");
                MetricSample(&out, "cohort_log_last_seq", "", s_.writer->LastSeq());
                MetricHeader(&out, "cohort_log_group_commits_total", "counter",
                             "Synced group commits.");
                MetricSample(&out, "cohort_log_group_commits_total", "", s_.writer->CommitCount());
                MetricHeader(&out, "cohort_log_pipelined_syncs_total", "counter",
                             "WAL syncs of large groups made off the writer thread.");
                MetricSample(&out, "cohort_log_pipelined_syncs_total", "",
                             s_.writer->PipelinedSyncCount());
                MetricHeader(&out, "cohort_storage_bytes", "gauge", "Approximate storage size.");
                MetricSample(&out, "cohort_storage_bytes", "", s_.db->ApproximateSizeBytes());
                if (s_.extra_metrics) s_.extra_metrics(&out);
                http::Response r;
                r.content_type = "text/plain; version=0.0.4";
                r.body = std::move(out);
                respond(std::move(r));
              });
}

}  // namespace cohort::api
