#include "api/static_files.h"

namespace cohort::api {

bool ServeStatic(const http::Request& request, const http::Responder& respond) {
  if (request.method != "GET" && request.method != "HEAD") return false;
  if (request.path != "/") return false;
  http::Response r;
  r.content_type = "text/html; charset=utf-8";
  r.body =
      "<!doctype html><title>Cohort</title><p>Cohort is running. The web UI is not built into "
      "this binary; the API is at <code>/api</code>.</p>";
  respond(std::move(r));
  return true;
}

}  // namespace cohort::api
