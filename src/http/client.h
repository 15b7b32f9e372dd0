// A small blocking HTTP/1.1 client for the command line and the integration tests: one
// request per connection, plain http:// only, Content-Length or chunked responses.
// Thread-compatible; each call opens its own connection.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace cohort::http {

struct HttpResult {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  const std::string* Header(const std::string& lowercase_name) const;
};

struct HttpCall {
  std::string method = "GET";
  std::string url;  // http://host:port/path?query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int timeout_ms = 30000;
};

// Performs the call. kUnavailable when the server cannot be reached (with the URL), never an
// error for an HTTP error status (that is in HttpResult::status).
StatusOr<HttpResult> Fetch(const HttpCall& call);

// Percent-encodes a path segment or query value.
std::string UrlEncode(std::string_view s);

}  // namespace cohort::http
