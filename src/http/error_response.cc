#include "http/error_response.h"

namespace cohort::http {

void AppendJsonEscaped(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char c : s) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          *out += "\\u00";
          *out += kHex[(c >> 4) & 0xf];
          *out += kHex[c & 0xf];
        } else {
          *out += c;
        }
    }
  }
}

std::string ErrorEnvelope(int status, std::string_view message, std::string_view request_id) {
  std::string out = "{\"status\":" + std::to_string(status) + ",\"message\":\"";
  AppendJsonEscaped(message, &out);
  out += "\",\"request_id\":\"";
  AppendJsonEscaped(request_id, &out);
  out += "\"}";
  return out;
}

Response ErrorResponse(int status, std::string_view message, std::string_view request_id) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = ErrorEnvelope(status, message, request_id);
  return r;
}

}  // namespace cohort::http
