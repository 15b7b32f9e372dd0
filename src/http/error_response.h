// The project's JSON error envelope for errors the transport itself produces (bad HTTP, body
// too large, overload, a throwing handler): {"status":413,"message":"...","request_id":"..."}.
// Handlers in api/ build their own envelopes; this one exists so that http/ needs no JSON
// library. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "http/types.h"

namespace cohort::http {

// Appends `s` to *out as the body of a JSON string (quotes not included), escaping '"', '\\'
// and control characters. Bytes >= 0x80 are copied unchanged.
void AppendJsonEscaped(std::string_view s, std::string* out);

// {"status":<status>,"message":"<message>","request_id":"<request_id>"}
std::string ErrorEnvelope(int status, std::string_view message, std::string_view request_id);

// A Response carrying ErrorEnvelope with Content-Type application/json.
Response ErrorResponse(int status, std::string_view message, std::string_view request_id);

}  // namespace cohort::http
