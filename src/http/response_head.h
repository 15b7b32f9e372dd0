// The header of a response as the transport sends it: which fields go out, and the status line
// and header block of a plain (not streamed) response, serialised directly (Beast's generic
// serializer cost more than the rest of the response path).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "http/types.h"

namespace cohort::http {

// Whether the transport sends the handler's header `name: value`: not the ones it owns
// (Content-Length, Transfer-Encoding, Connection, X-Request-Id), and not one with a line break
// (or a ':' in its name), which is logged with `request_id`.
bool SendableHeader(const std::string& name, const std::string& value,
                    const std::string& request_id);

// Calls add(name, value) for Content-Type (if set), X-Request-Id and each sendable extra
// header, in that order, without copying them.
template <typename Add>
void ForEachResponseHeader(const Response& response, const std::string& request_id, Add add) {
  if (!response.content_type.empty()) add(std::string_view("Content-Type"), response.content_type);
  add(std::string_view("X-Request-Id"), request_id);
  for (const auto& [name, value] : response.headers) {
    if (SendableHeader(name, value, request_id)) add(std::string_view(name), value);
  }
}

// "HTTP/1.x <status> <reason>", the response's headers (ForEachResponseHeader),
// Content-Length and the Connection field HTTP/1.x needs for `close`, and the blank line,
// appended to *out. `version` is 10 or 11.
void AppendResponseHead(int status, unsigned version, const Response& response,
                        const std::string& request_id, size_t content_length, bool close,
                        std::string* out);

}  // namespace cohort::http
