#include "api/json_views.h"

#include <set>

#include "common/time_format.h"
#include "profile/json_writer.h"
#include "profile/render.h"

namespace cohort::api {

boost::json::object QueryJson(const mapping::CompiledQuery& q) {
  boost::json::object o;
  o["alias"] = q.alias();
  o["from"] = q.from();
  o["into"] = q.into();
  boost::json::array by;
  for (const auto& b : q.by()) by.push_back(boost::json::value(b));
  o["by"] = std::move(by);
  boost::json::array fields;
  for (const auto& c : q.columns()) {
    boost::json::object f;
    f["name"] = c.name;
    f["kind"] = std::string(mapping::KindName(c.kind));
    f["mergeop"] = std::string(mapping::MergeOpName(c.op));
    f["shortdesc"] = c.shortdesc;
    f["longdesc"] = c.longdesc;
    f["is_identity"] = c.identity;
    f["source"] = c.source;
    fields.push_back(std::move(f));
  }
  o["fields"] = std::move(fields);
  o["text"] = q.text();
  return o;
}

boost::json::object JobJson(const pipeline::JobInfo& j) {
  boost::json::object o;
  o["id"] = j.id;
  o["kind"] = j.kind;
  o["status"] = j.status;
  if (!j.reason.empty()) o["reason"] = j.reason;
  o["progress"] = boost::json::object{{"done", j.done}, {"total", j.total}};
  boost::json::array log;
  for (const auto& l : j.log) log.push_back(boost::json::value(l));
  o["log"] = std::move(log);
  o["started"] = FormatRfc3339(j.started_ms);
  o["finished"] = j.finished_ms ? boost::json::value(FormatRfc3339(j.finished_ms)) : nullptr;
  return o;
}

std::string ProfileDataJson(const profile::ProfileRecord& r,
                            const std::vector<std::string>& segments) {
  profile::JsonWriter w;
  w.BeginObject();
  profile::WriteProfileFields(r.profile, &w);
  w.Key("_segments");
  w.BeginArray();
  for (const auto& s : segments) w.String(s);
  w.EndArray();
  w.EndObject();
  return std::move(w).Release();
}

std::string ProfileMetaJson(const profile::ProfileRecord& r) {
  std::set<std::string> fields;
  for (const auto& id : r.identities) fields.insert(id.field);
  profile::JsonWriter w;
  w.BeginObject();
  w.Key("by_fields");
  w.BeginArray();
  for (const auto& f : fields) w.String(f);
  w.EndArray();
  w.Key("identities");
  w.BeginObject();
  for (const auto& f : fields) {
    w.Key(f);
    w.BeginArray();
    for (const auto& id : r.identities) {
      if (id.field == f) w.String(id.value);
    }
    w.EndArray();
  }
  w.EndObject();
  w.EndObject();
  return std::move(w).Release();
}

}  // namespace cohort::api
