// The response envelope of SPEC §2 and the one table that maps a Status to an HTTP code.
// Only api/ turns a Status into an HTTP code.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string_view>

#include "common/status.h"
#include "http/types.h"

namespace cohort::api {

// 400, 401, 403, 404, 409, 413, 503, 500 ... (docs/api.md lists the table).
int HttpStatusFor(StatusCode code);

// {"status":200,"message":"success","data":...[,"meta":...]}
http::Response Ok(boost::json::value data, boost::json::object meta = {});
// The same envelope around `data_json`/`meta_json`, which must be JSON texts (rendered
// elsewhere, e.g. profiles).
http::Response OkRaw(const std::string& data_json, const std::string& meta_json = "");
// {"status":N,"message":"...","request_id":"..."}; 503s carry Retry-After.
http::Response Error(const Status& status, const std::string& request_id);

// An error with extra members in the envelope (e.g. "line" and "column").
http::Response ErrorWith(const Status& status, const std::string& request_id,
                         boost::json::object extra);
// Parses a JSON request body that must be an object.
StatusOr<boost::json::object> ParseJsonObject(std::string_view body);
// The request's body as a JSON object; when it is not one, answers the request with the
// error (400; `example`, a valid body, appended to the message when given) and returns
// nullopt, so a handler can `if (!body) return;`.
std::optional<boost::json::object> BodyObjectOrAnswer(const http::Request& request,
                                                      const http::Responder& respond,
                                                      std::string_view example = {});
// Optional string member; error if present but not a string.
StatusOr<std::string> GetString(const boost::json::object& o, std::string_view key,
                                const std::string& fallback = "");
// Parses a decimal query parameter; `fallback` when absent; error names the parameter.
StatusOr<int64_t> QueryInt(const http::Request& r, std::string_view name, int64_t fallback,
                           int64_t min, int64_t max);

}  // namespace cohort::api
