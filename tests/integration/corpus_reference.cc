// The reference of corpus.h: the profiles the default query must make of a corpus, and the
// comparison with what a server lists.
#include "corpus.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <numeric>
#include <optional>
#include <sstream>
#include <utility>

#include "customerio/integration.h"

namespace cohort::integration::corpus {
namespace {

// Union-find over identity strings.
class Components {
 public:
  size_t Id(const std::string& identity) {
    auto [it, inserted] = index_.emplace(identity, parent_.size());
    if (inserted) parent_.push_back(parent_.size());
    return it->second;
  }
  size_t Find(size_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void Union(size_t a, size_t b) { parent_[Find(a)] = Find(b); }
  const std::map<std::string, size_t>& index() const { return index_; }

 private:
  std::map<std::string, size_t> index_;
  std::vector<size_t> parent_;
};

std::vector<std::string> IdentitiesOf(const Truth& t) {
  std::vector<std::string> ids;
  if (!t.cio_id.empty()) ids.push_back("cio_id=" + t.cio_id);
  if (!t.customer_id.empty()) ids.push_back("cio_customer_id=" + t.customer_id);
  if (!t.email.empty()) ids.push_back("email=" + t.email);
  return ids;
}

// A field whose value is the (event time, value) pair that compares greatest.
template <typename T>
struct Latest {
  std::optional<std::pair<int64_t, T>> v;
  void Add(int64_t ts, const T& x) {
    if (!v || std::make_pair(ts, x) > *v) v = std::make_pair(ts, x);
  }
};

struct Accumulator {
  std::set<std::string> identities;
  size_t events = 0;
  Latest<std::string> email, customer_id, cio_id;
  Latest<bool> unsubscribed;
  std::map<std::string, int64_t> counts, hourly;
  std::set<std::string> campaign_ids, campaign_names, subjects, channels, journeys;
  int64_t last_open = -1, last_active = -1, last_send = -1, last_click = -1, last_bounce = -1;

  void Add(const Truth& t) {
    ++events;
    if (!t.email.empty()) email.Add(t.timestamp, t.email);
    if (!t.customer_id.empty()) customer_id.Add(t.timestamp, t.customer_id);
    if (!t.cio_id.empty()) cio_id.Add(t.timestamp, t.cio_id);
    ++counts[t.event()];
    if (!t.campaign_id.empty()) campaign_ids.insert(t.campaign_id);
    if (!t.campaign_name.empty()) campaign_names.insert(t.campaign_name);
    if (!t.subject.empty()) subjects.insert(t.subject);
    if (!t.journey_id.empty()) journeys.insert(t.journey_id);
    channels.insert(t.object_type);
    const std::string event = t.event();
    if (event == "email_opened") {
      ++hourly[std::to_string(t.timestamp % 86400 / 3600)];
      last_open = std::max(last_open, t.timestamp);
    }
    if (t.metric == "opened" || t.metric == "clicked") {
      last_active = std::max(last_active, t.timestamp);
    }
    if (event == "email_sent") last_send = std::max(last_send, t.timestamp);
    if (event == "email_clicked") last_click = std::max(last_click, t.timestamp);
    if (event == "email_bounced") last_bounce = std::max(last_bounce, t.timestamp);
    if (t.metric == "subscribed" || t.metric == "unsubscribed") {
      unsubscribed.Add(t.timestamp, t.metric == "unsubscribed");
    }
  }

  boost::json::object Render() const {
    boost::json::object o;
    auto set = [&](const char* name, const std::set<std::string>& s) {
      if (s.empty()) return;
      boost::json::array a;
      for (const auto& x : s) a.push_back(boost::json::value(x));
      o[name] = std::move(a);
    };
    auto map = [&](const char* name, const std::map<std::string, int64_t>& m) {
      if (m.empty()) return;
      boost::json::object x;
      for (const auto& [k, v] : m) x[k] = v;
      o[name] = std::move(x);
    };
    auto date = [&](const char* name, int64_t ts) {
      if (ts >= 0) o[name] = Rfc3339(ts);
    };
    if (email.v) o["email"] = email.v->second;
    if (customer_id.v) o["cio_customer_id"] = customer_id.v->second;
    if (cio_id.v) o["cio_id"] = cio_id.v->second;
    set("cio_campaign_ids", campaign_ids);
    set("cio_campaign_names", campaign_names);
    map("cio_events", counts);
    map("cio_hourlyopens", hourly);
    date("cio_last_open_ts", last_open);
    set("cio_subjects", subjects);
    date("last_active_ts", last_active);
    set("cio_channels", channels);
    set("cio_journey_ids", journeys);
    date("cio_email_last_send_ts", last_send);
    date("cio_email_last_clicked_ts", last_click);
    date("cio_email_last_bounced_ts", last_bounce);
    if (unsubscribed.v) o["cio_unsubscribed"] = unsubscribed.v->second;
    return o;
  }
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// The reference.

std::string Rfc3339(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::vector<ExpectedProfile> ExpectedProfiles(const std::vector<Truth>& truth) {
  Components components;
  for (const Truth& t : truth) {
    if (t.object_type.empty()) continue;
    std::vector<std::string> ids = IdentitiesOf(t);
    for (size_t i = 0; i < ids.size(); ++i) {
      size_t a = components.Id(ids[i]);
      if (i > 0) components.Union(components.Id(ids[0]), a);
    }
  }
  std::map<size_t, Accumulator> by_root;
  for (const auto& [identity, id] : components.index()) {
    by_root[components.Find(id)].identities.insert(identity);
  }
  for (const Truth& t : truth) {
    if (t.object_type.empty() || !t.identified()) continue;
    by_root[components.Find(components.Id(IdentitiesOf(t).front()))].Add(t);
  }
  std::vector<ExpectedProfile> out;
  for (const auto& [root, acc] : by_root) {
    out.push_back({.identities = acc.identities, .fields = acc.Render(), .events = acc.events});
  }
  return out;
}

boost::json::object WithoutSegments(boost::json::object profile) {
  profile.erase("_segments");
  return profile;
}

size_t ExpectProfilesMatch(const std::vector<boost::json::object>& got,
                           const std::vector<ExpectedProfile>& want) {
  std::map<std::string, size_t> by_identity;
  for (size_t i = 0; i < want.size(); ++i) {
    for (const auto& id : want[i].identities) by_identity[id] = i;
  }
  std::vector<int> seen(want.size(), 0);
  size_t bad = 0;
  auto report = [&](const std::string& what) {
    if (++bad <= 5) ADD_FAILURE() << what;
  };
  for (const auto& profile : got) {
    std::optional<size_t> match;
    for (const char* field : {"cio_customer_id", "cio_id", "email"}) {
      const boost::json::value* v = profile.if_contains(field);
      if (!v || !v->is_string()) continue;
      auto it = by_identity.find(std::string(field) + "=" + std::string(v->as_string()));
      if (it != by_identity.end()) {
        match = it->second;
        break;
      }
    }
    if (!match) {
      report("a profile no expected profile has an identity of: " +
             boost::json::serialize(profile));
      continue;
    }
    if (++seen[*match] > 1) {
      report("two profiles for one connected component of identities; this one: " +
             boost::json::serialize(profile));
      continue;
    }
    const boost::json::value* segments = profile.if_contains("_segments");
    if (!segments || !segments->is_array()) {
      report("a profile without a _segments array: " + boost::json::serialize(profile));
      continue;
    }
    boost::json::object fields = WithoutSegments(profile);
    if (fields != want[*match].fields) {
      std::string diff;
      for (const auto& [k, v] : want[*match].fields) {
        const boost::json::value* g = fields.if_contains(k);
        if (!g || *g != v) {
          diff += "\n  " + std::string(k) + ": want " + boost::json::serialize(v) + ", got " +
                  (g ? boost::json::serialize(*g) : "(absent)");
        }
      }
      for (const auto& [k, v] : fields) {
        if (!want[*match].fields.contains(k)) {
          diff += "\n  " + std::string(k) + ": want (absent), got " + boost::json::serialize(v);
        }
      }
      std::string ids;
      for (const auto& id : want[*match].identities) ids += " " + id;
      report("the profile of" + ids + " (" + std::to_string(want[*match].events) +
             " events) differs from the reference:" + diff);
    }
  }
  for (size_t i = 0; i < want.size(); ++i) {
    if (seen[i] == 0) {
      std::string ids;
      for (const auto& id : want[i].identities) ids += " " + id;
      report("no profile for the identities" + ids);
    }
  }
  if (bad > 5) ADD_FAILURE() << "… and " << bad - 5 << " more profiles differ";
  return bad;
}

}  // namespace cohort::integration::corpus
