// Query API (SPEC §2.4).
#include "api/api.h"
#include "api/json_views.h"
#include "api/reply.h"
#include "profile/memory_build.h"
#include "stream/prepare.h"

namespace cohort::api {
namespace {

// 400 with "line" and "column" members for language errors.
http::Response LangErrorResponse(const lang::LangError& e, const std::string& rid) {
  boost::json::object extra;
  extra["line"] = e.position().line;
  extra["column"] = e.position().column;
  return ErrorWith(e.ToStatus(), rid, std::move(extra));
}

}  // namespace

void Api::AddQueryRoutes() {
  router_.Add("GET", "/api/query", RouteAccess::kApiRead,
              [this](const RouteContext&, http::Responder respond) {
                boost::json::array a;
                for (const auto& q : s_.profiles->Installed()) a.push_back(QueryJson(*q));
                respond(Ok(std::move(a)));
              });
  router_.Add("POST", "/api/query/_validate", RouteAccess::kApiRead,
              [](const RouteContext& c, http::Responder respond) {
                auto q = mapping::CompileWithPosition(c.request.body);
                if (!q.ok()) {
                  respond(LangErrorResponse(q.error(), c.request.request_id));
                  return;
                }
                boost::json::object o = QueryJson(*q.value());
                o["valid"] = true;
                respond(Ok(std::move(o)));
              });
  router_.Add(
      "POST", "/api/query/_test", RouteAccess::kApiRead,
      [this](const RouteContext& c, http::Responder respond) {
        const std::string& rid = c.request.request_id;
        auto body = BodyObjectOrAnswer(c.request, respond, "{\"query\":\"...\",\"events\":[...]}");
        if (!body) return;
        auto text = GetString(*body, "query");
        const boost::json::value* events = body->if_contains("events");
        if (!text.ok() || text->empty() || !events || !events->is_array()) {
          respond(Error(InvalidArgumentError("send {\"query\":\"<mapping statement>\",\"events\":"
                                             "[{...}, ...]}"),
                        rid));
          return;
        }
        auto q = mapping::CompileWithPosition(*text);
        if (!q.ok()) {
          respond(LangErrorResponse(q.error(), rid));
          return;
        }
        std::vector<mapping::Evaluation> evals;
        const int64_t now = s_.clock->NowMs();
        const auto& tsf = (*q.value()).from();
        stream::StreamConfig cfg = s_.catalog->ConfigOf(tsf);
        for (const auto& ev : events->as_array()) {
          if (!ev.is_object()) {
            respond(Error(InvalidArgumentError("every item of \"events\" must be an object"), rid));
            return;
          }
          std::string json = boost::json::serialize(ev);
          // Event time: the stream's timestamp field (SPEC §3.3), else now.
          auto prepared = stream::PrepareEventText(json, cfg, now);
          int64_t t = prepared.ok() ? prepared->event_time_ms : now;
          auto r = (*q.value()).EvaluateJson(json, t, now);
          if (r.ok() && *r) evals.push_back(std::move(**r));
        }
        auto profiles = profile::BuildProfilesInMemory(evals);
        std::string data = "[";
        for (size_t i = 0; i < profiles.size(); ++i) {
          if (i) data += ",";
          data += ProfileDataJson(profiles[i], {});
        }
        data += "]";
        respond(OkRaw(data));
      });
  router_.Add("POST", "/api/query", RouteAccess::kApiWrite,
              [this](const RouteContext& c, http::Responder respond) {
                const std::string& rid = c.request.request_id;
                auto q = mapping::CompileWithPosition(c.request.body);
                if (!q.ok()) {
                  respond(LangErrorResponse(q.error(), rid));
                  return;
                }
                auto job = s_.profiles->Install(q.value());
                if (!job.ok()) {
                  respond(Error(job.status(), rid));
                  return;
                }
                boost::json::object o = QueryJson(*q.value());
                o["job_id"] = job->id;
                respond(Ok(std::move(o)));
              });
  router_.Add("GET", "/api/query/{alias}", RouteAccess::kApiRead,
              [this](const RouteContext& c, http::Responder respond) {
                for (const auto& q : s_.profiles->Installed()) {
                  if (q->alias() == c.params.at("alias")) {
                    respond(Ok(QueryJson(*q)));
                    return;
                  }
                }
                respond(Error(NotFoundError("no query with alias " + c.params.at("alias") +
                                            "; list them with GET /api/query"),
                              c.request.request_id));
              });
  router_.Add("DELETE", "/api/query/{alias}", RouteAccess::kApiWrite,
              [this](const RouteContext& c, http::Responder respond) {
                auto job = s_.profiles->Remove(c.params.at("alias"));
                if (!job.ok()) {
                  respond(Error(job.status(), c.request.request_id));
                  return;
                }
                boost::json::object o{{"alias", c.params.at("alias")}, {"deleted", true},
                                      {"job_id", job->id}};
                respond(Ok(std::move(o)));
              });
}

}  // namespace cohort::api
