// Audience API (SPEC §2.6).
#include <cctype>
#include <set>

#include "api/api.h"
#include "api/json_views.h"
#include "api/reply.h"
#include "common/time_format.h"
#include "profile/json_writer.h"
#include "profile/reader.h"
#include "profile/render.h"

namespace cohort::api {
namespace {

// The builder may send a bare phrase; the language wants FILTER in front.
std::string AsFilter(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  std::string head;
  for (size_t j = i; j < text.size() && j < i + 6; ++j) {
    head.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(text[j]))));
  }
  if (head == "FILTER") return std::string(text);
  return "FILTER " + std::string(text);
}

boost::json::object SegmentJson(const audience::AudienceInfo& i,
                                const audience::WebhookSender* hooks) {
  boost::json::object o;
  o["slug"] = i.def.slug;
  o["name"] = i.def.name;
  o["description"] = i.def.description;
  o["segment_ql"] = i.def.segment_ql;
  o["size"] = i.size;
  o["time_relative"] = i.time_relative;
  o["last_change"] = i.last_change_seq;
  o["created"] = FormatRfc3339(i.def.created_ms);
  o["updated"] = FormatRfc3339(i.def.updated_ms);
  boost::json::object hook;
  hook["url"] = i.def.webhook_url;
  hook["secret_set"] = !i.def.webhook_secret.empty();
  if (hooks && !i.def.webhook_url.empty()) {
    audience::DeliveryState d = hooks->StateOf(i.def.id);
    hook["delivered_through"] = d.delivered;
    hook["pending"] = i.last_change_seq > d.delivered ? i.last_change_seq - d.delivered : 0;
    hook["failed_attempts"] = d.attempts;
    hook["last_error"] = d.last_error;
    hook["last_success"] = d.last_success_ms ? boost::json::value(FormatRfc3339(d.last_success_ms))
                                             : nullptr;
    hook["next_attempt"] = d.next_attempt_ms ? boost::json::value(FormatRfc3339(d.next_attempt_ms))
                                             : nullptr;
    hook["state"] = d.attempts ? "retrying" : (i.last_change_seq > d.delivered ? "pending" : "delivered");
  }
  o["webhook"] = std::move(hook);
  return o;
}

http::Response CompileErrorResponse(const lang::LangError& e, const std::string& rid) {
  boost::json::object extra;
  extra["line"] = e.position().line;
  extra["column"] = e.position().column;
  return ErrorWith(e.ToStatus(), rid, std::move(extra));
}

std::vector<std::string> SplitFields(const std::string* fields) {
  std::vector<std::string> out;
  if (!fields) return out;
  size_t pos = 0;
  while (pos <= fields->size()) {
    size_t comma = fields->find(',', pos);
    if (comma == std::string::npos) comma = fields->size();
    if (comma > pos) out.push_back(fields->substr(pos, comma - pos));
    pos = comma + 1;
  }
  return out;
}

// One member as a JSON object: the chosen fields (all when none chosen) plus `_profile`.
std::string MemberJson(const profile::ProfileRecord& r, const std::vector<std::string>& fields) {
  profile::JsonWriter w;
  w.BeginObject();
  w.Key("_id");
  w.Uint(r.id);
  if (fields.empty()) {
    profile::WriteProfileFields(r.profile, &w);
  } else {
    for (const auto& f : fields) {
      w.Key(f);
      const profile::FieldState* s = r.profile.Find(f);
      if (s) {
        profile::WriteFieldValue(*s, &w);
      } else {
        w.Null();
      }
    }
  }
  w.EndObject();
  return std::move(w).Release();
}

std::string CsvCell(std::string v) {
  if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += "\"\"";
    else out.push_back(c);
  }
  return out + "\"";
}

// A field's value as CSV text: strings bare, everything else as JSON.
std::string CsvValue(const profile::ProfileRecord& r, const std::string& f) {
  const profile::FieldState* s = r.profile.Find(f);
  if (!s) return "";
  profile::JsonWriter w;
  profile::WriteFieldValue(*s, &w);
  std::string j = std::move(w).Release();
  if (j.size() >= 2 && j.front() == '"' && j.back() == '"') {
    boost::system::error_code ec;
    auto v = boost::json::parse(j, ec);
    if (!ec && v.is_string()) return std::string(v.as_string());
  }
  return j;
}

}  // namespace

void Api::AddSegmentRoutes() {
  auto not_found = [](const std::string& slug, const std::string& rid) {
    return Error(NotFoundError("no audience \"" + slug + "\"; list them with GET /api/segment"),
                 rid);
  };
  router_.Add("GET", "/api/segment", RouteAccess::kApiRead,
              [this](const RouteContext&, http::Responder respond) {
                boost::json::array a;
                for (const auto& i : s_.audiences->List()) a.push_back(SegmentJson(i, s_.webhooks));
                respond(Ok(std::move(a)));
              });
  router_.Add("POST", "/api/segment/validate", RouteAccess::kApiRead,
              [this](const RouteContext& c, http::Responder respond) {
                auto compiled = s_.audiences->CompileFilter(AsFilter(c.request.body));
                if (!compiled.ok()) {
                  respond(CompileErrorResponse(compiled.error(), c.request.request_id));
                  return;
                }
                boost::json::array fields;
                for (const auto& f : compiled.value()->fields()) fields.push_back(boost::json::value(f));
                respond(Ok(boost::json::object{{"valid", true},
                                               {"time_relative", compiled.value()->time_relative()},
                                               {"fields", std::move(fields)}}));
              });
  router_.Add(
      "POST", "/api/segment/size", RouteAccess::kApiRead,
      [this](const RouteContext& c, http::Responder respond) {
        const std::string& rid = c.request.request_id;
        auto compiled = s_.audiences->CompileFilter(AsFilter(c.request.body));
        if (!compiled.ok()) {
          respond(CompileErrorResponse(compiled.error(), rid));
          return;
        }
        auto n = s_.audiences->Count(*compiled.value(), s_.profiles->serving_gen());
        if (!n.ok()) {
          respond(Error(n.status(), rid));
          return;
        }
        respond(Ok(boost::json::object{{"size", *n}}));
      },
      /*blocking=*/true);
  router_.Add(
      "POST", "/api/segment", RouteAccess::kApiWrite,
      [this](const RouteContext& c, http::Responder respond) {
        const std::string& rid = c.request.request_id;
        audience::SegmentDef def;
        std::string_view body = c.request.body;
        size_t first = body.find_first_not_of(" \t\r\n");
        if (first != std::string_view::npos && body[first] == '{') {
          auto o = ParseJsonObject(body);
          if (!o.ok()) {
            respond(Error(o.status(), rid));
            return;
          }
          auto slug = GetString(*o, "slug");
          auto name = GetString(*o, "name");
          auto ql = GetString(*o, "segment_ql");
          auto desc = GetString(*o, "description");
          if (!slug.ok() || !name.ok() || !ql.ok() || !desc.ok() || ql->empty()) {
            respond(Error(InvalidArgumentError("send {\"name\",\"slug\",\"segment_ql\",\"description\"} "
                                               "with a non-empty segment_ql"),
                          rid));
            return;
          }
          def.slug = *slug;
          def.name = *name;
          def.segment_ql = AsFilter(*ql);
          def.description = *desc;
        } else {
          def.segment_ql = AsFilter(body);
        }
        auto compiled = s_.audiences->CompileFilter(def.segment_ql);
        if (!compiled.ok()) {
          respond(CompileErrorResponse(compiled.error(), rid));
          return;
        }
        if (def.slug.empty()) def.slug = compiled.value()->alias();
        if (def.slug.empty()) {
          respond(Error(InvalidArgumentError("name the audience: end the filter with ALIAS <slug>, "
                                             "or send JSON with \"slug\""),
                        rid));
          return;
        }
        if (def.name.empty()) def.name = def.slug;
        auto info = s_.audiences->Save(std::move(def));
        if (!info.ok()) {
          respond(Error(info.status(), rid));
          return;
        }
        respond(Ok(SegmentJson(*info, s_.webhooks)));
      },
      /*blocking=*/true);
  router_.Add("GET", "/api/segment/{slug}", RouteAccess::kApiRead,
              [this, not_found](const RouteContext& c, http::Responder respond) {
                auto i = s_.audiences->Get(c.params.at("slug"));
                if (!i) {
                  respond(not_found(c.params.at("slug"), c.request.request_id));
                  return;
                }
                respond(Ok(SegmentJson(*i, s_.webhooks)));
              });
  router_.Add(
      "PUT", "/api/segment/{slug}", RouteAccess::kApiWrite,
      [this](const RouteContext& c, http::Responder respond) {
        const std::string& rid = c.request.request_id;
        auto o = BodyObjectOrAnswer(c.request, respond);
        if (!o) return;
        auto existing = s_.audiences->Get(c.params.at("slug"));
        audience::SegmentDef def = existing ? existing->def : audience::SegmentDef{};
        def.slug = c.params.at("slug");
        auto name = GetString(*o, "name", def.name.empty() ? def.slug : def.name);
        auto ql = GetString(*o, "segment_ql", def.segment_ql);
        auto desc = GetString(*o, "description", def.description);
        if (!name.ok() || !ql.ok() || !desc.ok() || ql->empty()) {
          respond(
              Error(InvalidArgumentError("send {\"name\",\"segment_ql\",\"description\"}"), rid));
          return;
        }
        def.name = *name;
        def.segment_ql = AsFilter(*ql);
        def.description = *desc;
        auto compiled = s_.audiences->CompileFilter(def.segment_ql);
        if (!compiled.ok()) {
          respond(CompileErrorResponse(compiled.error(), rid));
          return;
        }
        auto info = s_.audiences->Save(std::move(def));
        if (!info.ok()) {
          respond(Error(info.status(), rid));
          return;
        }
        respond(Ok(SegmentJson(*info, s_.webhooks)));
      },
      /*blocking=*/true);
  router_.Add(
      "DELETE", "/api/segment/{slug}", RouteAccess::kApiWrite,
      [this](const RouteContext& c, http::Responder respond) {
        Status s = s_.audiences->Delete(c.params.at("slug"));
        if (!s.ok()) {
          respond(Error(s, c.request.request_id));
          return;
        }
        respond(Ok(boost::json::object{{"slug", c.params.at("slug")}, {"deleted", true}}));
      },
      /*blocking=*/true);
  router_.Add("GET", "/api/segment/{slug}/size", RouteAccess::kApiRead,
              [this, not_found](const RouteContext& c, http::Responder respond) {
                auto i = s_.audiences->Get(c.params.at("slug"));
                if (!i) {
                  respond(not_found(c.params.at("slug"), c.request.request_id));
                  return;
                }
                respond(Ok(boost::json::object{{"size", i->size}}));
              });
  router_.Add("GET", "/api/segment/{slug}/scan", RouteAccess::kApiRead,
              [this, not_found](const RouteContext& c, http::Responder respond) {
                const std::string& rid = c.request.request_id;
                const std::string& slug = c.params.at("slug");
                if (!s_.audiences->Get(slug)) {
                  respond(not_found(slug, rid));
                  return;
                }
                auto limit = QueryInt(c.request, "limit", 100, 1, 1000);
                auto cursor = QueryInt(c.request, "cursor", 0, 0, INT64_MAX);
                if (!limit.ok() || !cursor.ok()) {
                  respond(Error(limit.ok() ? cursor.status() : limit.status(), rid));
                  return;
                }
                auto fields = SplitFields(c.request.Query("fields"));
                auto pids = s_.audiences->Members(slug, *cursor, *limit + 1);
                bool more = pids.size() > static_cast<size_t>(*limit);
                if (more) pids.pop_back();
                profile::ProfileReader reader(s_.db, s_.profiles->serving_gen());
                std::string data = "[";
                for (uint64_t pid : pids) {
                  auto r = reader.ByPid(pid);
                  if (!r.ok()) {
                    respond(Error(r.status(), rid));
                    return;
                  }
                  if (!*r) continue;
                  if (data.size() > 1) data += ",";
                  data += MemberJson(**r, fields);
                }
                data += "]";
                std::string meta;
                if (more && !pids.empty()) meta = "{\"next_cursor\":\"" + std::to_string(pids.back()) + "\"}";
                respond(OkRaw(data, meta));
              });
  router_.Add(
      "GET", "/api/segment/{slug}/export", RouteAccess::kApiRead,
      [this, not_found](const RouteContext& c, http::Responder respond) {
        const std::string& rid = c.request.request_id;
        const std::string slug = c.params.at("slug");
        if (!s_.audiences->Get(slug)) {
          respond(not_found(slug, rid));
          return;
        }
        std::string format = c.request.Query("format") ? *c.request.Query("format") : "ndjson";
        if (format != "ndjson" && format != "csv") {
          respond(Error(InvalidArgumentError("format must be ndjson or csv"), rid));
          return;
        }
        auto fields = SplitFields(c.request.Query("fields"));
        if (format == "csv" && fields.empty()) fields = {"email", "cio_customer_id", "cio_id"};
        http::Response r;
        r.content_type = format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson";
        r.headers.emplace_back("Content-Disposition",
                               "attachment; filename=\"" + slug + "." + format + "\"");
        if (format == "csv") {
          std::string header = "_id";
          for (const auto& f : fields) header += "," + CsvCell(f);
          r.body = header + "\n";
        }
        // Streamed: every call sends the next 1,000 members, read through one snapshot.
        auto reader = std::make_shared<profile::ProfileReader>(s_.db, s_.profiles->serving_gen());
        auto after = std::make_shared<uint64_t>(0);
        audience::AudienceEngine* audiences = s_.audiences;
        r.next_chunk = [audiences, reader, after, slug, fields, format](std::string* out) {
          auto pids = audiences->Members(slug, *after, 1000);
          if (pids.empty()) return false;
          *after = pids.back();
          for (uint64_t pid : pids) {
            auto rec = reader->ByPid(pid);
            if (!rec.ok() || !*rec) continue;
            if (format == "csv") {
              *out += std::to_string(pid);
              for (const auto& f : fields) *out += "," + CsvCell(CsvValue(**rec, f));
              *out += "\n";
            } else {
              *out += MemberJson(**rec, fields);
              *out += "\n";
            }
          }
          return true;
        };
        respond(std::move(r));
      });
  router_.Add("GET", "/api/segment/{slug}/changes", RouteAccess::kApiRead,
              [this](const RouteContext& c, http::Responder respond) {
                const std::string& rid = c.request.request_id;
                auto after = QueryInt(c.request, "after", 0, 0, INT64_MAX);
                auto limit = QueryInt(c.request, "limit", 1000, 1, 10000);
                if (!after.ok() || !limit.ok()) {
                  respond(Error(after.ok() ? limit.status() : after.status(), rid));
                  return;
                }
                auto changes = s_.audiences->Changes(c.params.at("slug"), *after, *limit);
                if (!changes.ok()) {
                  respond(Error(changes.status(), rid));
                  return;
                }
                boost::json::array a;
                for (const auto& ch : *changes) {
                  a.push_back(boost::json::object{{"cursor", std::to_string(ch.seq)},
                                                  {"profile", ch.profile},
                                                  {"email", ch.email},
                                                  {"change", ch.enter ? "enter" : "exit"},
                                                  {"at", FormatRfc3339(ch.at_ms)},
                                                  {"reason", ch.reason}});
                }
                boost::json::object meta;
                if (!changes->empty()) meta["next_cursor"] = std::to_string(changes->back().seq);
                respond(Ok(std::move(a), std::move(meta)));
              });
  router_.Add("PUT", "/api/segment/{slug}/webhook", RouteAccess::kApiWrite,
              [this](const RouteContext& c, http::Responder respond) {
                const std::string& rid = c.request.request_id;
                auto o = BodyObjectOrAnswer(c.request, respond);
                if (!o) return;
                auto url = GetString(*o, "url");
                auto secret = GetString(*o, "secret");
                if (!url.ok() || !secret.ok()) {
                  respond(Error(url.ok() ? secret.status() : url.status(), rid));
                  return;
                }
                if (!url->empty() && url->rfind("http://", 0) != 0) {
                  respond(Error(InvalidArgumentError("url must start with http:// (https is not "
                                                     "supported yet; put a TLS proxy in front)"),
                                rid));
                  return;
                }
                Status s = s_.audiences->SetWebhook(c.params.at("slug"), *url, *secret);
                if (!s.ok()) {
                  respond(Error(s, rid));
                  return;
                }
                if (s_.webhooks) s_.webhooks->Poke();
                auto info = s_.audiences->Get(c.params.at("slug"));
                respond(Ok(SegmentJson(*info, s_.webhooks)));
              });
}

}  // namespace cohort::api
