// POST /collect/json/{stream} (SPEC §2.2).
#include <fmt/format.h>

#include <iterator>
#include <memory>

#include "api/api.h"
#include "api/reply.h"

namespace cohort::api {

void Api::AddCollectRoutes() {
  router_.Add("POST", "/collect/json/{stream}", RouteAccess::kCollect,
              [this](const RouteContext& c, http::Responder respond) {
                auto body = std::make_shared<std::string>(std::move(c.request.body));
                ingest::CollectRequest req;
                req.stream = c.params.at("stream");
                req.body = *body;
                if (const auto* h = c.request.Header("x-cio-timestamp")) req.signature_timestamp = *h;
                if (const auto* h = c.request.Header("x-cio-signature")) req.signature = *h;
                if (const auto* d = c.request.Query("dryrun")) req.dryrun = *d == "true" || *d == "1";
                if (const auto* t = c.request.Query("timestamp_field")) req.timestamp_field = *t;
                s_.collector->Collect(
                    req, [body, respond = std::move(respond), rid = c.request.request_id](
                             const StatusOr<ingest::CollectResult>& r) {
                      if (!r.ok()) {
                        respond(Error(r.status(), rid));
                        return;
                      }
                      // Formatted directly: this runs on the log writer's thread, once per
                      // request, where a JSON object and its serialisation cost more.
                      http::Response ok;
                      fmt::format_to(std::back_inserter(ok.body),
                                     "{{\"status\":200,\"message\":\"success\",\"data\":{{"
                                     "\"message_count\":{},\"rejected_count\":{},"
                                     "\"duplicate_count\":{}}}}}",
                                     r->message_count, r->rejected_count, r->duplicate_count);
                      respond(std::move(ok));
                    });
              });
}

}  // namespace cohort::api
