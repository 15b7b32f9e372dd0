#include "api/reply.h"

#include <charconv>

namespace cohort::api {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kFailedPrecondition: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kPayloadTooLarge: return 413;
    case StatusCode::kResourceExhausted: return 503;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kCancelled: return 503;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

http::Response Ok(boost::json::value data, boost::json::object meta) {
  boost::json::object o;
  o["status"] = 200;
  o["message"] = "success";
  o["data"] = std::move(data);
  if (!meta.empty()) o["meta"] = std::move(meta);
  http::Response r;
  r.body = boost::json::serialize(o);
  return r;
}

http::Response OkRaw(const std::string& data_json, const std::string& meta_json) {
  http::Response r;
  r.body = "{\"status\":200,\"message\":\"success\",\"data\":" + data_json;
  if (!meta_json.empty()) r.body += ",\"meta\":" + meta_json;
  r.body += "}";
  return r;
}

http::Response Error(const Status& status, const std::string& request_id) {
  return ErrorWith(status, request_id, {});
}

http::Response ErrorWith(const Status& status, const std::string& request_id,
                         boost::json::object o) {
  http::Response r;
  r.status = HttpStatusFor(status.code());
  o["status"] = r.status;
  o["message"] = status.message();
  o["request_id"] = request_id;
  r.body = boost::json::serialize(o);
  if (r.status == 503) r.headers.emplace_back("Retry-After", "1");
  if (r.status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

StatusOr<boost::json::object> ParseJsonObject(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) return InvalidArgumentError("the body is not valid JSON (" + ec.message() + ")");
  if (!v.is_object()) return InvalidArgumentError("the body must be a JSON object");
  return std::move(v.as_object());
}

std::optional<boost::json::object> BodyObjectOrAnswer(const http::Request& request,
                                                      const http::Responder& respond,
                                                      std::string_view example) {
  auto body = ParseJsonObject(request.body);
  if (body.ok()) return std::move(*body);
  respond(Error(example.empty() ? body.status()
                                : body.status().WithContext("send " + std::string(example)),
                request.request_id));
  return std::nullopt;
}

StatusOr<std::string> GetString(const boost::json::object& o, std::string_view key,
                                const std::string& fallback) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return fallback;
  if (!it->value().is_string()) {
    return InvalidArgumentError("\"" + std::string(key) + "\" must be a string");
  }
  return std::string(it->value().as_string());
}

StatusOr<int64_t> QueryInt(const http::Request& r, std::string_view name, int64_t fallback,
                           int64_t min, int64_t max) {
  const std::string* v = r.Query(name);
  if (!v || v->empty()) return fallback;
  int64_t x;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
  if (ec != std::errc() || p != v->data() + v->size() || x < min || x > max) {
    return InvalidArgumentError("query parameter " + std::string(name) + " must be an integer from " +
                                std::to_string(min) + " to " + std::to_string(max));
  }
  return x;
}

}  // namespace cohort::api
