#include "reference.h"

#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace cohort::bench {
namespace {

namespace json = boost::json;

const json::value* Get(const json::value* v, std::string_view key) {
  if (!v || !v->is_object()) return nullptr;
  return v->as_object().if_contains(key);
}

// A non-empty string, else "".
std::string_view Text(const json::value* v) {
  if (!v || !v->is_string()) return {};
  return v->as_string();
}

// SPEC §4 "ids as strings": a number as its decimal text, a string as is.
std::string IdText(const json::value* v) {
  if (!v) return "";
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  if (v->is_uint64()) return std::to_string(v->as_uint64());
  return "";
}

// SPEC §5.2 email(): the address inside "Name <ADDR>" or the bare text, trimmed, lowercased;
// "" unless it has one '@', a local part, and a dotted domain.
std::string Email(std::string_view s) {
  if (size_t lt = s.find('<'); lt != std::string_view::npos) {
    size_t gt = s.find('>', lt);
    if (gt == std::string_view::npos) return "";
    s = s.substr(lt + 1, gt - lt - 1);
  }
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  std::string out;
  int ats = 0;
  for (char c : s) {
    if (c == ' ' || c == '<' || c == '>') return "";
    ats += c == '@';
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  size_t at = out.find('@');
  if (ats != 1 || at == 0) return "";
  std::string_view domain = std::string_view(out).substr(at + 1);
  size_t dot = domain.find('.');
  if (dot == std::string_view::npos || domain.front() == '.' || domain.back() == '.') return "";
  return out;
}

// Seconds (below 1e11) or milliseconds, rounded down to whole seconds.
int64_t EpochSeconds(double v) {
  return static_cast<int64_t>(std::floor(std::fabs(v) < 1e11 ? v : v / 1000));
}

std::optional<int64_t> Timestamp(const json::value* v) {
  if (!v || v->is_null()) return std::nullopt;
  if (v->is_int64()) return EpochSeconds(static_cast<double>(v->as_int64()));
  if (v->is_uint64()) return EpochSeconds(static_cast<double>(v->as_uint64()));
  if (v->is_double()) return EpochSeconds(v->as_double());
  std::string_view s = Text(v);
  if (s.empty()) return std::nullopt;
  bool digits = true;
  for (char c : s) digits &= std::isdigit(static_cast<unsigned char>(c)) != 0;
  if (digits && s.size() < 19) return EpochSeconds(std::stod(std::string(s)));
  std::tm tm{};
  char z = 0;
  if (s.size() == 20 &&
      std::sscanf(std::string(s).c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z) == 7 &&
      z == 'Z') {
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<int64_t>(timegm(&tm));
  }
  return std::nullopt;  // "abc": the record gets no timestamp
}

// object_type/metric, or the legacy event_type split at its first '_' (in_app has its own).
bool Kind(const json::value& root, std::string* object_type, std::string* metric) {
  std::string_view ot = Text(Get(&root, "object_type"));
  std::string_view m = Text(Get(&root, "metric"));
  if (!ot.empty() && !m.empty()) {
    *object_type = ot == "in-app" ? "in_app" : std::string(ot);
    *metric = m;
    return true;
  }
  std::string_view et = Text(Get(&root, "event_type"));
  for (std::string_view prefix : {"in_app_", "in-app_"}) {
    if (et.starts_with(prefix) && et.size() > prefix.size()) {
      *object_type = "in_app";
      *metric = et.substr(prefix.size());
      return true;
    }
  }
  size_t us = et.find('_');
  if (us == std::string_view::npos || us == 0 || us + 1 == et.size()) return false;
  *object_type = et.substr(0, us);
  *metric = et.substr(us + 1);
  return true;
}

void Walk(const json::value& v, Shape* s) {
  ++s->values;
  if (v.is_object()) {
    for (const auto& [k, child] : v.as_object()) {
      s->string_bytes += k.size();
      Walk(child, s);
    }
  } else if (v.is_array()) {
    for (const auto& child : v.as_array()) Walk(child, s);
  } else if (v.is_string()) {
    s->string_bytes += v.as_string().size();
  }
}

}  // namespace

ReferenceRecord ReferenceMap(std::string_view raw) {
  ReferenceRecord r;
  boost::system::error_code ec;
  json::value root = json::parse(raw, ec);
  if (ec || !root.is_object()) return r;
  std::string object_type, metric;
  if (!Kind(root, &object_type, &metric)) return r;
  r.mapped = true;
  r.event = object_type + "_" + metric;
  r.timestamp = Timestamp(Get(&root, "timestamp"));
  const json::value* data = Get(&root, "data");
  const json::value* candidates[] = {
      Get(Get(data, "identifiers"), "email"),
      Get(data, "email_address"),
      object_type == "email" ? Get(data, "recipient") : nullptr,
  };
  for (const json::value* c : candidates) {
    if ((r.email = Email(Text(c))) != "") break;
  }
  r.campaign_id = IdText(Get(data, "campaign_id"));
  if (r.campaign_id.empty())
    r.campaign_id = IdText(Get(Get(Get(data, "variables"), "campaign"), "id"));
  return r;
}

Shape ReferenceShape(std::string_view raw) {
  Shape s;
  boost::system::error_code ec;
  json::value root = json::parse(raw, ec);
  if (!ec) Walk(root, &s);
  return s;
}

}  // namespace cohort::bench
