#include "api/router.h"

namespace cohort::api {
namespace {

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    out.emplace_back(path.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, RouteAccess access, RouteHandler handler,
                 bool blocking) {
  Route r{std::move(method), std::move(pattern), access, std::move(handler), blocking, {}};
  r.segments = Split(r.pattern);
  routes_.push_back(std::move(r));
}

const Route* Router::Match(std::string_view method, std::string_view path, Params* params,
                           bool* path_matched) const {
  std::vector<std::string> parts = Split(path);
  *path_matched = false;
  for (const Route& r : routes_) {
    if (r.segments.size() != parts.size()) continue;
    Params p;
    bool ok = true;
    for (size_t i = 0; i < parts.size() && ok; ++i) {
      const std::string& s = r.segments[i];
      if (s.size() > 2 && s.front() == '{' && s.back() == '}') {
        p[s.substr(1, s.size() - 2)] = parts[i];
      } else {
        ok = s == parts[i];
      }
    }
    if (!ok) continue;
    *path_matched = true;
    if (r.method == method || (method == "HEAD" && r.method == "GET")) {
      *params = std::move(p);
      return &r;
    }
  }
  return nullptr;
}

}  // namespace cohort::api
