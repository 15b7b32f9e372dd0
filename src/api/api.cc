#include "api/api.h"

#include <memory>
#include <optional>
#include <tuple>

#include "api/reply.h"
#include "api/static_files.h"

namespace cohort::api {

std::string TokenFromRequest(const http::Request& r) {
  if (const std::string* h = r.Header("authorization"); h && !h->empty()) {
    std::string_view v = *h;
    if (v.size() > 7 && (v.substr(0, 7) == "Bearer " || v.substr(0, 7) == "bearer ")) {
      v.remove_prefix(7);
    }
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    return std::string(v);
  }
  if (const std::string* t = r.Query("access_token"); t && !t->empty()) return *t;
  if (const std::string* k = r.Query("key"); k && !k->empty()) return *k;
  return "";
}

Api::Api(Services services) : s_(std::move(services)) {
  AddOpsRoutes();
  AddCollectRoutes();
  AddTokenRoutes();
  AddStreamRoutes();
  AddQueryRoutes();
  AddEntityRoutes();
  AddJobRoutes();
  AddIntegrationRoutes();
  AddSegmentRoutes();
}

void Api::Handle(http::Request&& request, http::Responder respond) {
  Params params;
  bool path_matched = false;
  const Route* route = router_.Match(request.method, request.path, &params, &path_matched);
  const std::string rid = request.request_id;
  if (!route) {
    if (!path_matched && ServeStatic(request, respond)) return;
    if (path_matched) {
      respond(Error(InvalidArgumentError("method " + request.method + " is not allowed on " +
                                         request.path),
                    rid));
      return;
    }
    respond(Error(NotFoundError("no route " + request.method + " " + request.path +
                                "; see docs/api.md for the API"),
                  rid));
    return;
  }
  std::optional<auth::TokenInfo> token;
  if (route->access != RouteAccess::kOpen) {
    std::string t = TokenFromRequest(request);
    if (t.empty()) {
      respond(Error(UnauthenticatedError("missing API token: send Authorization: Bearer <token>, "
                                         "or ?access_token= / ?key="),
                    rid));
      return;
    }
    token = s_.tokens->Authenticate(t);
    if (!token) {
      respond(Error(UnauthenticatedError("unknown or revoked API token; create one with "
                                         "POST /api/token or `cohort token create`"),
                    rid));
      return;
    }
    auth::Access need = route->access == RouteAccess::kCollect   ? auth::Access::kCollect
                        : route->access == RouteAccess::kApiRead ? auth::Access::kApiRead
                                                                 : auth::Access::kApiWrite;
    if (!auth::RoleAllows(token->role, need)) {
      respond(Error(PermissionDeniedError("a " + std::string(auth::RoleName(token->role)) +
                                          " token cannot " + request.method + " " + request.path +
                                          "; use a token with the right role"),
                    rid));
      return;
    }
  }
  if (route->blocking) {
    // Off the I/O thread (see api/handler_pool.h): the task owns the request and its params.
    auto owned =
        std::make_shared<std::tuple<http::Request, Params, std::optional<auth::TokenInfo>>>(
            std::move(request), std::move(params), std::move(token));
    auto task = [route, owned, respond]() mutable {
      auto& [req, prm, tok] = *owned;
      RouteContext ctx{req, prm, tok ? &*tok : nullptr};
      route->handler(ctx, std::move(respond));
    };
    if (!pool_.Post(std::move(task))) {
      respond(Error(UnavailableError("the server is shutting down; retry shortly"), rid));
    }
    return;
  }
  RouteContext ctx{request, params, token ? &*token : nullptr};
  route->handler(ctx, std::move(respond));
}

std::string Api::RouteLabel(const http::Request& r) const {
  Params p;
  bool matched;
  const Route* route = router_.Match(r.method, r.path, &p, &matched);
  return route ? r.method + " " + route->pattern : "unmatched";
}

void Api::OnComplete(const http::Request& request, int status, double seconds) {
  metrics_.Count(RouteLabel(request), status, seconds);
}

}  // namespace cohort::api
