// Stream API (SPEC §2.3).
#include "api/api.h"
#include "api/reply.h"
#include "common/time_format.h"
#include "stream/log_reader.h"

namespace cohort::api {
namespace {

boost::json::value TimeOrNull(int64_t ms) {
  if (!ms) return nullptr;
  return boost::json::value(FormatRfc3339(ms));
}

boost::json::object StreamJson(const stream::StreamInfo& s, bool with_fields) {
  boost::json::object o;
  o["name"] = s.name;
  o["event_count"] = s.stats.event_count;
  o["first_received"] = TimeOrNull(s.stats.first_received_ms);
  o["last_received"] = TimeOrNull(s.stats.last_received_ms);
  o["bytes"] = s.stats.bytes;
  o["duplicate_count"] = s.stats.duplicate_count;
  o["rejected_count"] = s.stats.rejected_count;
  o["unmapped_count"] = s.stats.unmapped_count;
  o["timestamp_fallback_count"] = s.stats.time_fallback_count;
  if (with_fields) {
    boost::json::array fields;
    for (const auto& [name, f] : s.fields) {
      boost::json::object fo;
      fo["name"] = name;
      fo["count"] = f.count;
      boost::json::array samples;
      for (const auto& smp : f.samples) {
        boost::system::error_code ec;
        boost::json::value v = boost::json::parse(smp, ec);
        samples.push_back(ec ? boost::json::value(smp) : std::move(v));
      }
      fo["samples"] = std::move(samples);
      fields.push_back(std::move(fo));
    }
    o["fields"] = std::move(fields);
  }
  return o;
}

boost::json::object ConfigJson(const std::string& name, const stream::StreamConfig& c) {
  boost::json::object o;
  o["stream"] = name;
  o["signing_key_set"] = !c.signing_key.empty();
  o["id_field"] = c.id_field;
  o["timestamp_field"] = c.timestamp_field;
  return o;
}

}  // namespace

void Api::AddStreamRoutes() {
  router_.Add("GET", "/api/stream", RouteAccess::kApiRead,
              [this](const RouteContext&, http::Responder respond) {
                boost::json::array a;
                for (const auto& s : s_.catalog->List(false)) a.push_back(StreamJson(s, false));
                respond(Ok(std::move(a)));
              });
  router_.Add("GET", "/api/stream/{name}", RouteAccess::kApiRead,
              [this](const RouteContext& c, http::Responder respond) {
                auto s = s_.catalog->Get(c.params.at("name"));
                if (!s) {
                  respond(Error(NotFoundError("no stream \"" + c.params.at("name") +
                                              "\"; streams are created by their first event"),
                                c.request.request_id));
                  return;
                }
                respond(Ok(StreamJson(*s, true)));
              });
  router_.Add("GET", "/api/stream/{name}/events", RouteAccess::kApiRead,
              [this](const RouteContext& c, http::Responder respond) {
                const std::string& rid = c.request.request_id;
                auto limit = QueryInt(c.request, "limit", 100, 1, 10000);
                auto before = QueryInt(c.request, "before", 0, 0, INT64_MAX);
                if (!limit.ok() || !before.ok()) {
                  respond(Error(limit.ok() ? before.status() : limit.status(), rid));
                  return;
                }
                auto id = s_.catalog->FindId(c.params.at("name"));
                if (!id) {
                  respond(Error(NotFoundError("no stream \"" + c.params.at("name") + "\""), rid));
                  return;
                }
                auto events = stream::ReadStreamNewestFirst(s_.db, *id, *before, *limit);
                if (!events.ok()) {
                  respond(Error(events.status(), rid));
                  return;
                }
                boost::json::array a;
                for (const auto& e : *events) {
                  boost::json::object o;
                  o["seq"] = e.seq;
                  o["received_at"] = FormatRfc3339(e.received_at_ms);
                  o["event_time"] = FormatRfc3339(e.event_time_ms);
                  boost::system::error_code ec;
                  boost::json::value ev = boost::json::parse(e.raw, ec);
                  o["event"] = ec ? boost::json::value(e.raw) : std::move(ev);
                  a.push_back(std::move(o));
                }
                respond(Ok(std::move(a)));
              });
  router_.Add("GET", "/api/stream/{name}/config", RouteAccess::kApiRead,
              [this](const RouteContext& c, http::Responder respond) {
                const std::string& name = c.params.at("name");
                if (!stream::ValidStreamName(name)) {
                  respond(Error(InvalidArgumentError("stream names are 1-64 characters of a-z, "
                                                     "0-9 and _"),
                                c.request.request_id));
                  return;
                }
                respond(Ok(ConfigJson(name, s_.catalog->ConfigOf(name))));
              });
  router_.Add(
      "PUT", "/api/stream/{name}/config", RouteAccess::kApiWrite,
      [this](const RouteContext& c, http::Responder respond) {
        const std::string& name = c.params.at("name");
        const std::string& rid = c.request.request_id;
        if (!stream::ValidStreamName(name)) {
          respond(Error(InvalidArgumentError("stream names are 1-64 characters of a-z, 0-9 and _"),
                        rid));
          return;
        }
        auto body = BodyObjectOrAnswer(c.request, respond);
        if (!body) return;
        stream::StreamConfig cfg = s_.catalog->ConfigOf(name);
        for (const auto& [k, v] : *body) {
          if (k != "signing_key" && k != "id_field" && k != "timestamp_field") {
            respond(Error(InvalidArgumentError("unknown config key \"" + std::string(k) +
                                               "\"; use signing_key, id_field, timestamp_field"),
                          rid));
            return;
          }
          if (!v.is_string() && !v.is_null()) {
            respond(Error(InvalidArgumentError("\"" + std::string(k) + "\" must be a string"), rid));
            return;
          }
        }
        auto sk = GetString(*body, "signing_key", cfg.signing_key);
        auto idf = GetString(*body, "id_field", cfg.id_field);
        auto tsf = GetString(*body, "timestamp_field", cfg.timestamp_field);
        cfg.signing_key = *sk;
        cfg.id_field = *idf;
        cfg.timestamp_field = *tsf;
        Status st = s_.catalog->PutConfig(name, cfg);
        if (!st.ok()) {
          respond(Error(st, rid));
          return;
        }
        respond(Ok(ConfigJson(name, cfg)));
      });
}

}  // namespace cohort::api
