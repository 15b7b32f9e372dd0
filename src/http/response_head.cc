#include "http/response_head.h"

#include <spdlog/spdlog.h>

#include <boost/beast/http/status.hpp>

namespace cohort::http {
namespace {

bool EqualsLowercase(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

bool SendableHeader(const std::string& name, const std::string& value,
                    const std::string& request_id) {
  if (EqualsLowercase(name, "content-length") || EqualsLowercase(name, "transfer-encoding") ||
      EqualsLowercase(name, "connection") || EqualsLowercase(name, "x-request-id")) {
    return false;  // the transport owns these
  }
  if (name.find_first_of("\r\n:") != std::string::npos ||
      value.find_first_of("\r\n") != std::string::npos) {
    spdlog::error("http: dropped response header \"{}\" with a line break (request {})", name,
                  request_id);
    return false;
  }
  return true;
}

void AppendResponseHead(int status, unsigned version, const Response& response,
                        const std::string& request_id, size_t content_length, bool close,
                        std::string* out) {
  namespace bhttp = boost::beast::http;
  const bhttp::status known = bhttp::int_to_status(static_cast<unsigned>(status));
  const std::string_view reason = known == bhttp::status::unknown
                                      ? std::string_view("Unknown")
                                      : std::string_view(bhttp::obsolete_reason(known));
  out->append(version >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ");
  out->append(std::to_string(status));
  out->push_back(' ');
  out->append(reason);
  out->append("\r\n");
  ForEachResponseHeader(response, request_id, [out](std::string_view name, std::string_view value) {
    out->append(name);
    out->append(": ");
    out->append(value);
    out->append("\r\n");
  });
  out->append("Content-Length: ");
  out->append(std::to_string(content_length));
  out->append("\r\n");
  // HTTP/1.1 is persistent unless it says close; HTTP/1.0 only when it says keep-alive.
  if (version >= 11 && close) out->append("Connection: close\r\n");
  if (version < 11 && !close) out->append("Connection: keep-alive\r\n");
  out->append("\r\n");
}

}  // namespace cohort::http
