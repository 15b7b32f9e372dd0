// Integrations and workflow runs (SPEC §2.7).
#include "api/api.h"
#include "api/reply.h"
#include "common/time_format.h"
#include "customerio/integration.h"

namespace cohort::api {
namespace {

boost::json::object RunJson(const pipeline::WorkflowRun& r) {
  boost::json::object o;
  o["id"] = r.id;
  o["integration"] = r.integration;
  o["workflow"] = r.workflow;
  o["status"] = r.status;
  if (!r.reason.empty()) o["reason"] = r.reason;
  o["config"] = boost::json::object{{"webhook_configured", r.webhook_configured}};
  o["progress"] = boost::json::object{{"done", r.done}, {"total", r.total}};
  boost::json::array log;
  for (const auto& l : r.log) log.push_back(boost::json::value(l));
  o["log"] = std::move(log);
  if (!r.job_id.empty()) o["job_id"] = r.job_id;
  o["started"] = FormatRfc3339(r.started_ms);
  o["finished"] = r.finished_ms ? boost::json::value(FormatRfc3339(r.finished_ms)) : nullptr;
  return o;
}

boost::json::object IntegrationJson(const std::string& base_url, const std::string* token,
                                    bool signing_key_set) {
  const auto& d = customerio::CustomerIoIntegration();
  boost::json::object o;
  o["id"] = d.id;
  o["name"] = d.name;
  o["description"] = d.description;
  o["webhook_url_template"] = base_url + d.webhook_path + "?key=<collect token>";
  if (token && !token->empty()) o["webhook_url"] = customerio::WebhookUrl(base_url, *token);
  o["signing_key"] = boost::json::object{
      {"stream", "customerio"},
      {"set", signing_key_set},
      {"how", "PUT /api/stream/customerio/config {\"signing_key\":\"...\"}"}};
  boost::json::array steps;
  for (const auto& s : d.setup_steps) steps.push_back(boost::json::value(s));
  o["setup_steps"] = std::move(steps);
  boost::json::array workflows;
  for (const auto& w : d.workflows) {
    boost::json::array options;
    for (const auto& opt : w.options) {
      options.push_back(boost::json::object{
          {"id", opt.id}, {"label", opt.label}, {"type", opt.type}, {"required", opt.required}});
    }
    workflows.push_back(boost::json::object{{"id", w.id},
                                            {"name", w.name},
                                            {"description", w.description},
                                            {"options", std::move(options)}});
  }
  o["workflows"] = std::move(workflows);
  o["default_query_alias"] = std::string(customerio::kDefaultQueryAlias);
  return o;
}

}  // namespace

void Api::AddIntegrationRoutes() {
  auto catalogue = [this](const RouteContext& c, http::Responder respond, bool one) {
    bool key_set = !s_.catalog->ConfigOf("customerio").signing_key.empty();
    auto o = IntegrationJson(s_.public_url, c.request.Query("collect_token"), key_set);
    if (one) {
      respond(Ok(std::move(o)));
    } else {
      respond(Ok(boost::json::array{std::move(o)}));
    }
  };
  router_.Add("GET", "/api/integration", RouteAccess::kApiRead,
              [catalogue](const RouteContext& c, http::Responder respond) {
                catalogue(c, std::move(respond), false);
              });
  router_.Add("GET", "/api/integration/{id}", RouteAccess::kApiRead,
              [catalogue](const RouteContext& c, http::Responder respond) {
                if (c.params.at("id") != customerio::kIntegrationId) {
                  respond(Error(NotFoundError("no integration " + c.params.at("id")),
                                c.request.request_id));
                  return;
                }
                catalogue(c, std::move(respond), true);
              });
  router_.Add("POST", "/api/workflow", RouteAccess::kApiWrite,
              [this](const RouteContext& c, http::Responder respond) {
                const std::string& rid = c.request.request_id;
                auto body = BodyObjectOrAnswer(
                    c.request, respond,
                    "{\"integration\":\"customerio\",\"workflow\":"
                    "\"import_webhook_events\",\"config\":{\"webhook_configured\":true}}");
                if (!body) return;
                auto integration = GetString(*body, "integration");
                auto workflow = GetString(*body, "workflow");
                if (!integration.ok() || !workflow.ok()) {
                  respond(Error(integration.ok() ? workflow.status() : integration.status(), rid));
                  return;
                }
                bool configured = false;
                if (const auto* cfg = body->if_contains("config"); cfg && cfg->is_object()) {
                  if (const auto* v = cfg->as_object().if_contains("webhook_configured")) {
                    configured = v->is_bool() && v->as_bool();
                  }
                }
                auto run = s_.workflows->Start(*integration, *workflow, configured);
                if (!run.ok()) {
                  respond(Error(run.status(), rid));
                  return;
                }
                respond(Ok(RunJson(*run)));
              });
  router_.Add("GET", "/api/workflow", RouteAccess::kApiRead,
              [this](const RouteContext&, http::Responder respond) {
                boost::json::array a;
                for (const auto& r : s_.workflows->List()) a.push_back(RunJson(r));
                respond(Ok(std::move(a)));
              });
  router_.Add("GET", "/api/workflow/{id}", RouteAccess::kApiRead,
              [this](const RouteContext& c, http::Responder respond) {
                auto r = s_.workflows->Get(c.params.at("id"));
                if (!r) {
                  respond(Error(NotFoundError("no workflow run " + c.params.at("id")),
                                c.request.request_id));
                  return;
                }
                respond(Ok(RunJson(*r)));
              });
}

}  // namespace cohort::api
