// Schema and entity API (SPEC §2.5).
#include <map>
#include <set>

#include "api/api.h"
#include "api/json_views.h"
#include "api/reply.h"
#include "common/coding.h"
#include "profile/reader.h"

namespace cohort::api {
namespace {

constexpr size_t kMaxPage = 1000;

// Finds a profile by any field: an identity field is answered by the identity index alone (a
// miss is a miss, with no scan); other fields by a scan.
StatusOr<std::optional<profile::ProfileRecord>> FindProfile(
    const profile::ProfileReader& reader, const pipeline::ProfileStage& profiles,
    const std::string& field, const std::string& value) {
  for (const auto& q : profiles.Serving()) {
    for (const auto& by : q->by()) {
      if (by == field) return reader.ByIdentity({field, value});
    }
  }
  return reader.ByField(field, value);
}

}  // namespace

void Api::AddEntityRoutes() {
  router_.Add(
      "GET", "/api/schema/user", RouteAccess::kApiRead,
      [this](const RouteContext& c, http::Responder respond) {
        struct FieldRow {
          std::string kind, mergeop, shortdesc, longdesc;
          bool identity = false;
          std::set<std::string> queries;
          uint64_t count = 0;
        };
        std::map<std::string, FieldRow> rows;
        for (const auto& q : s_.profiles->Serving()) {
          for (const auto& col : q->columns()) {
            FieldRow& r = rows[col.name];
            r.kind = mapping::KindName(col.kind);
            r.mergeop = mapping::MergeOpName(col.op);
            if (r.shortdesc.empty()) r.shortdesc = col.shortdesc;
            if (r.longdesc.empty()) r.longdesc = col.longdesc;
            r.identity |= col.identity;
            r.queries.insert(q->alias());
          }
        }
        profile::ProfileReader reader(s_.db, s_.profiles->serving_gen());
        Status st = reader.ForEachById([&](const profile::ProfileRecord& p) {
          for (const auto& [name, state] : p.profile.fields()) {
            auto it = rows.find(name);
            if (it != rows.end()) ++it->second.count;
          }
          return true;
        });
        if (!st.ok()) {
          respond(Error(st, c.request.request_id));
          return;
        }
        boost::json::array a;
        for (const auto& [name, r] : rows) {
          boost::json::array qs;
          for (const auto& q : r.queries) qs.push_back(boost::json::value(q));
          a.push_back(boost::json::object{{"name", name},
                                          {"kind", r.kind},
                                          {"mergeop", r.mergeop},
                                          {"shortdesc", r.shortdesc},
                                          {"longdesc", r.longdesc},
                                          {"is_identity", r.identity},
                                          {"queries", std::move(qs)},
                                          {"profile_count", r.count}});
        }
        respond(Ok(std::move(a)));
      },
      /*blocking=*/true);
  router_.Add("GET", "/api/entity/user", RouteAccess::kApiRead,
              [this](const RouteContext& c, http::Responder respond) {
                const std::string& rid = c.request.request_id;
                auto limit = QueryInt(c.request, "limit", 100, 1, kMaxPage);
                if (!limit.ok()) {
                  respond(Error(limit.status(), rid));
                  return;
                }
                // Cursors are the hex of the last profile's order key (its smallest identity).
                std::string cursor;
                if (const auto* cur = c.request.Query("cursor")) {
                  auto decoded = FromHex(*cur);
                  if (!decoded) {
                    respond(Error(InvalidArgumentError("cursor is not one this API returned; "
                                                       "start again without it"),
                                  rid));
                    return;
                  }
                  cursor = *decoded;
                }
                profile::ProfileReader reader(s_.db, s_.profiles->serving_gen());
                std::string next;
                auto page = reader.List(cursor, *limit, &next);
                if (!page.ok()) {
                  respond(Error(page.status(), rid));
                  return;
                }
                std::string data = "[";
                for (size_t i = 0; i < page->size(); ++i) {
                  if (i) data += ",";
                  std::vector<std::string> segs;
                  if (s_.audiences) segs = s_.audiences->SegmentsOf((*page)[i].id);
                  data += ProfileDataJson((*page)[i], segs);
                }
                data += "]";
                std::string meta;
                if (!next.empty()) {
                  meta = "{\"next_cursor\":\"" + ToHex(next) + "\"}";
                }
                respond(OkRaw(data, meta));
              });
  router_.Add(
      "GET", "/api/entity/user/{field}/{value}", RouteAccess::kApiRead,
      [this](const RouteContext& c, http::Responder respond) {
        profile::ProfileReader reader(s_.db, s_.profiles->serving_gen());
        auto r = FindProfile(reader, *s_.profiles, c.params.at("field"), c.params.at("value"));
        if (!r.ok()) {
          respond(Error(r.status(), c.request.request_id));
          return;
        }
        if (!*r) {
          respond(Error(NotFoundError("no profile with " + c.params.at("field") + " = " +
                                      c.params.at("value")),
                        c.request.request_id));
          return;
        }
        std::vector<std::string> segs;
        if (s_.audiences) segs = s_.audiences->SegmentsOf((*r)->id);
        respond(OkRaw(ProfileDataJson(**r, segs), ProfileMetaJson(**r)));
      },
      /*blocking=*/true);
  router_.Add(
      "DELETE", "/api/entity/user/{field}/{value}", RouteAccess::kApiWrite,
      [this](const RouteContext& c, http::Responder respond) {
        const std::string& rid = c.request.request_id;
        // Find the profile by any field, then erase it through one of its identities.
        profile::ProfileReader reader(s_.db, s_.profiles->serving_gen());
        auto r = FindProfile(reader, *s_.profiles, c.params.at("field"), c.params.at("value"));
        if (!r.ok() || !*r || (*r)->identities.empty()) {
          respond(Error(r.ok() ? NotFoundError("no profile with " + c.params.at("field") + " = " +
                                               c.params.at("value"))
                               : r.status(),
                        rid));
          return;
        }
        Status st = s_.profiles->Erase((*r)->identities.front());
        if (!st.ok()) {
          respond(Error(st, rid));
          return;
        }
        boost::json::array ids;
        for (const auto& id : (*r)->identities) {
          ids.push_back(boost::json::value(id.field + "=" + id.value));
        }
        respond(Ok(boost::json::object{{"erased", true}, {"identities", std::move(ids)}}));
      },
      /*blocking=*/true);
}

void Api::AddJobRoutes() {
  router_.Add("GET", "/api/job", RouteAccess::kApiRead,
              [this](const RouteContext&, http::Responder respond) {
                boost::json::array a;
                for (const auto& j : s_.jobs->List()) a.push_back(JobJson(j));
                respond(Ok(std::move(a)));
              });
  router_.Add("GET", "/api/job/{id}", RouteAccess::kApiRead,
              [this](const RouteContext& c, http::Responder respond) {
                auto j = s_.jobs->Get(c.params.at("id"));
                if (!j) {
                  respond(Error(NotFoundError("no job " + c.params.at("id")), c.request.request_id));
                  return;
                }
                respond(Ok(JobJson(*j)));
              });
  router_.Add("POST", "/api/rebuild", RouteAccess::kApiWrite,
              [this](const RouteContext& c, http::Responder respond) {
                auto job = s_.profiles->Rebuild("requested by the API");
                if (!job.ok()) {
                  respond(Error(job.status(), c.request.request_id));
                  return;
                }
                respond(Ok(JobJson(*job)));
              });
}

}  // namespace cohort::api
