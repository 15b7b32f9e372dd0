// The header of a response as the transport sends it: which fields go out, and the status line
// and header block of a plain (not streamed) response, serialised directly (Beast's generic
// serializer cost more than the rest of the response path).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/types.h"

namespace cohort::http {

using HeaderList = std::vector<std::pair<std::string_view, std::string_view>>;

// Content-Type (if set), X-Request-Id and the handler's extra headers, in that order. Headers
// the transport owns (Content-Length, Transfer-Encoding, Connection, X-Request-Id) are skipped,
// and one with a line break (or a ':' in its name) is dropped and logged. The views point
// into `response` and `request_id`.
HeaderList ResponseHeaders(const Response& response, const std::string& request_id);
HeaderList ResponseHeaders(const Response& response, std::string&& request_id) = delete;

// "HTTP/1.x <status> <reason>", the headers, Content-Length and the Connection field HTTP/1.x
// needs for `close`, and the blank line, appended to *out. `version` is 10 or 11.
void AppendResponseHead(int status, unsigned version, const HeaderList& headers,
                        size_t content_length, bool close, std::string* out);

}  // namespace cohort::http
