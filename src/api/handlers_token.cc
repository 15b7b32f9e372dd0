// Token API (SPEC §2.8).
#include "api/api.h"
#include "api/reply.h"
#include "common/time_format.h"

namespace cohort::api {
namespace {

boost::json::object TokenJson(const auth::TokenInfo& t) {
  boost::json::object o;
  o["id"] = t.id;
  o["name"] = t.name;
  o["role"] = std::string(auth::RoleName(t.role));
  o["created"] = FormatRfc3339(t.created_at_ms);
  return o;
}

}  // namespace

void Api::AddTokenRoutes() {
  router_.Add("GET", "/api/token", RouteAccess::kApiWrite,
              [this](const RouteContext&, http::Responder respond) {
                boost::json::array a;
                for (const auto& t : s_.tokens->List()) a.push_back(TokenJson(t));
                respond(Ok(std::move(a)));
              });
  router_.Add("POST", "/api/token", RouteAccess::kApiWrite,
              [this](const RouteContext& c, http::Responder respond) {
                const std::string& rid = c.request.request_id;
                auto body = BodyObjectOrAnswer(c.request, respond,
                                               "{\"name\":\"...\",\"role\":\"admin|collect|read\"}");
                if (!body) return;
                auto name = GetString(*body, "name");
                auto role_text = GetString(*body, "role");
                if (!name.ok() || !role_text.ok()) {
                  respond(Error(name.ok() ? role_text.status() : name.status(), rid));
                  return;
                }
                auto role = auth::ParseRole(*role_text);
                if (!role) {
                  respond(Error(InvalidArgumentError("role must be admin, collect or read"), rid));
                  return;
                }
                if (name->empty() || name->size() > 200) {
                  respond(Error(InvalidArgumentError("name must be 1 to 200 characters"), rid));
                  return;
                }
                auto created = s_.tokens->Create(*name, *role);
                if (!created.ok()) {
                  respond(Error(created.status(), rid));
                  return;
                }
                boost::json::object o = TokenJson(created->first);
                o["token"] = created->second;
                respond(Ok(std::move(o)));
              });
  router_.Add("DELETE", "/api/token/{id}", RouteAccess::kApiWrite,
              [this](const RouteContext& c, http::Responder respond) {
                Status s = s_.tokens->Revoke(c.params.at("id"));
                if (!s.ok()) {
                  respond(Error(s, c.request.request_id));
                  return;
                }
                boost::json::object o;
                o["id"] = c.params.at("id");
                o["revoked"] = true;
                respond(Ok(std::move(o)));
              });
}

}  // namespace cohort::api
