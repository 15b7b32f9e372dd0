#include "api/static_files.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "api/web_assets.h"

namespace cohort::api {
namespace {

const WebAsset* Find(std::string_view path) {
  auto assets = WebAssets();
  auto it = std::lower_bound(assets.begin(), assets.end(), path,
                             [](const WebAsset& a, std::string_view p) { return a.path < p; });
  return it != assets.end() && it->path == path ? &*it : nullptr;
}

std::string_view ContentType(std::string_view path) {
  auto dot = path.rfind('.');
  std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "woff2") return "font/woff2";
  if (ext == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Paths that belong to the server, never to the UI: unknown ones stay a JSON 404.
bool IsServerPath(std::string_view path) {
  for (std::string_view p : {"/api", "/collect", "/metrics", "/healthz", "/readyz"}) {
    if (path == p || StartsWith(path, std::string(p) + "/")) return true;
  }
  return false;
}

void Send(const http::Request& request, const http::Responder& respond, const WebAsset& asset,
          bool immutable) {
  http::Response r;
  r.content_type = std::string(ContentType(asset.path));
  r.headers.emplace_back("ETag", std::string(asset.etag));
  // Hashed file names under /assets never change content; index.html must be revalidated so
  // a new binary's UI is picked up at once.
  r.headers.emplace_back("Cache-Control",
                         immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (asset.path == "/index.html") {
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
                           "script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
  }
  const std::string* inm = request.Header("if-none-match");
  if (inm && *inm == asset.etag) {
    r.status = 304;
    respond(std::move(r));
    return;
  }
  r.body = std::string(asset.body);
  respond(std::move(r));
}

}  // namespace

bool ServeStatic(const http::Request& request, const http::Responder& respond) {
  if (request.method != "GET" && request.method != "HEAD") return false;
  const std::string& path = request.path;
  if (IsServerPath(path)) return false;
  const WebAsset* index = Find("/index.html");
  if (!index) {
    // Built without the UI (-DCOHORT_WEB=OFF).
    if (path != "/") return false;
    http::Response r;
    r.content_type = "text/html; charset=utf-8";
    r.body =
        "<!doctype html><title>Cohort</title><p>Cohort is running. The web UI is not built "
        "into this binary (configured with -DCOHORT_WEB=OFF); the API is at <code>/api</code>."
        "</p>";
    respond(std::move(r));
    return true;
  }
  if (StartsWith(path, "/assets/")) {
    const WebAsset* a = Find(path);
    if (!a) return false;  // a missing asset is a real 404, not the app
    Send(request, respond, *a, true);
    return true;
  }
  // A top-level file name that is not embedded (/favicon.ico, /robots.txt) is a 404; any other
  // path is a client-side route and gets the app (profile routes may hold dots: emails).
  if (path.rfind('/') == 0 && path.find('.') != std::string::npos) {
    const WebAsset* a = Find(path);
    if (!a) return false;
    Send(request, respond, *a, false);
    return true;
  }
  Send(request, respond, *index, false);
  return true;
}

}  // namespace cohort::api
