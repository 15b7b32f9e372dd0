// A small router: method + path pattern ("/api/stream/{name}/events") → handler, with the
// access each route needs. Matching is exact on literal segments; {x} captures one segment.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "auth/token_store.h"
#include "http/types.h"

namespace cohort::api {

using Params = std::map<std::string, std::string, std::less<>>;

struct RouteContext {
  // The request; handlers that answer later move out what they need (e.g. the body).
  http::Request& request;
  const Params& params;
  const auth::TokenInfo* token;  // nullptr on open routes
};

using RouteHandler = std::function<void(const RouteContext&, http::Responder)>;

enum class RouteAccess { kOpen, kCollect, kApiRead, kApiWrite };

struct Route {
  std::string method;
  std::string pattern;
  RouteAccess access;
  RouteHandler handler;
  // The handler may wait a long time (on the pipeline, or a scan): it runs on the API's
  // handler pool instead of an HTTP I/O thread (api/handler_pool.h).
  bool blocking = false;
  std::vector<std::string> segments;  // filled by Router::Add
};

class Router {
 public:
  void Add(std::string method, std::string pattern, RouteAccess access, RouteHandler handler,
           bool blocking = false);
  // The matching route and its params; nullptr if none. *path_matched is set when some route
  // has the path but not the method (→ 405).
  const Route* Match(std::string_view method, std::string_view path, Params* params,
                     bool* path_matched) const;

 private:
  std::vector<Route> routes_;
};

}  // namespace cohort::api
