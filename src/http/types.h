// The HTTP contract between the transport (http/server.*, the only code that includes
// Boost.Beast) and the handlers in api/. Plain structs: no Beast types leak out.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cohort::http {

struct Request {
  std::string method;  // "GET", "POST", ... as sent
  std::string target;  // raw request target, e.g. "/collect/json/x?key=abc"
  std::string path;    // percent-decoded path without the query string
  std::vector<std::pair<std::string, std::string>> query;    // percent-decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  std::string request_id;  // assigned by the server; also sent back as X-Request-Id
  std::string remote;      // "ip:port" of the peer

  // First header with the lowercase name, or nullptr.
  const std::string* Header(std::string_view lowercase_name) const;
  // First query parameter with the name, or nullptr.
  const std::string* Query(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;
  // When set, the body is streamed with chunked transfer encoding: the server calls
  // next_chunk repeatedly (on an I/O thread) until it returns false; each call may append to
  // *out. `body` is sent first if non-empty.
  std::function<bool(std::string* out)> next_chunk;
};

// Sends the response for one request. Call exactly once, from any thread.
using Responder = std::function<void(Response)>;

// Handles one request. May answer synchronously (call `respond` before returning) or later
// from another thread (e.g. when a group commit is durable). Must not throw; the server
// still catches and answers 500 if it does.
using Handler = std::function<void(Request&& request, Responder respond)>;

}  // namespace cohort::http
