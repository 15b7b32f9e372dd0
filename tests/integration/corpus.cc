// Generating the Customer.io corpora of corpus.h.
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


constexpr int64_t kBaseTs = 1717200000;  // 2024-06-01T00:00:00Z
constexpr int64_t kGrid = 300;           // timestamps fall on a 5-minute grid …
constexpr int64_t kSlots = 864;          // … over three days

// splitmix64: small, fast and the same on every platform (unlike std distributions).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
  bool Chance(int percent) { return Below(100) < static_cast<size_t>(percent); }
  template <typename T, size_t N>
  const T& Pick(const T (&a)[N]) {
    return a[Below(N)];
  }

 private:
  uint64_t s_;
};

const char* const kFirst[] = {"Dana", "Lee", "Sam", "Alex", "Jo", "Kim", "Ray", "Noor", "Ana"};
const char* const kLast[] = {"Ortiz", "Park", "Reyes", "Novak", "Singh", "Okafor", "Berg"};
const char* const kSubjects[] = {
    "Your spring plan is ready",
    "June newsletter",
    "Three tips for your first week",
    "We miss you",
    "Your receipt",
    "Quote \"inside\" and a back\\slash",
    "Ünïcödé – sale ends tonight",
    "Reset your password",
};
const char* const kLegacyMetrics[] = {"sent",    "delivered", "opened",      "opened",
                                      "clicked", "bounced",   "drafted",     "converted",
                                      "spammed", "dropped",   "unsubscribed"};
const char* const kEmailMetrics[] = {"sent",      "delivered", "opened",        "opened",
                                     "clicked",   "bounced",   "human_clicked", "machine_opened",
                                     "converted", "spammed",   "dropped",       "deferred"};
const char* const kPushMetrics[] = {"sent",    "delivered", "opened",
                                    "clicked", "converted", "failed"};
const char* const kSmsMetrics[] = {"sent", "delivered", "clicked", "failed", "undeliverable"};
const char* const kWebhookMetrics[] = {"sent", "clicked", "failed", "attempted"};
const char* const kSlackMetrics[] = {"sent", "clicked", "failed"};
const char* const kCustomerMetrics[] = {"subscribed", "unsubscribed",
                                        "cio_subscription_preferences_changed"};

struct Person {
  int index = 0;
  std::string cid;       // the customer id as text
  bool numeric = false;  // sent as a JSON number in current-format events
  std::string cio;
  std::vector<std::string> emails;  // normalised
  std::string name;
  bool split = false;  // never bridged
};

// Which identities one event carries ("" = not this one).
struct Ids {
  std::string cid, cio, email;
  bool numeric_cid = false;
};

// What to generate for one event beyond its identities.
struct Plan {
  Ids ids;
  int64_t ts = -1;            // -1: pick one
  std::string forced_metric;  // a customer event with this metric
  bool bridging = false;
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string MixCase(const std::string& s, Rng& rng) {
  std::string out = s;
  for (char& c : out) {
    if (std::isalpha(static_cast<unsigned char>(c)) && rng.Chance(35)) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

std::string Hex(uint64_t v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*llx", digits, static_cast<unsigned long long>(v));
  std::string s(buf);
  return s.substr(s.size() - static_cast<size_t>(digits));
}

std::vector<Person> MakePeople(size_t n, Rng& rng) {
  std::vector<Person> people(n);
  for (size_t i = 0; i < n; ++i) {
    Person& p = people[i];
    p.index = static_cast<int>(i);
    p.numeric = i % 7 == 0;
    p.cid = p.numeric ? std::to_string(100000 + i) : "cust-" + std::to_string(i);
    p.cio = Hex(rng.Next(), 12);
    std::string first = rng.Pick(kFirst), last = rng.Pick(kLast);
    p.name = first + " " + last;
    p.emails.push_back(Lower(first) + "." + Lower(last) + std::to_string(i) + "@example.com");
    if (i % 4 == 1) p.emails.push_back("p" + std::to_string(i) + "@old-mail.example.net");
    p.split = i % 10 == 3;
  }
  return people;
}

// Adds the identities of `which` ("c" customer id, "i" cio_id, "e" email) of `p`.
Ids IdsOf(const Person& p, const std::string& which, size_t email_index = 0) {
  Ids ids;
  for (char w : which) {
    if (w == 'c') ids.cid = p.cid, ids.numeric_cid = p.numeric;
    if (w == 'i') ids.cio = p.cio;
    if (w == 'e') ids.email = p.emails[email_index % p.emails.size()];
  }
  return ids;
}

// A bridging event: it names several identities of one person (or two people).
Plan Bridge(Ids ids, int64_t ts = -1) {
  Plan plan;
  plan.ids = std::move(ids);
  plan.ts = ts;
  plan.bridging = true;
  return plan;
}

// A customer (un)subscription at `ts`.
Plan Subscription(Ids ids, int64_t ts, std::string metric) {
  Plan plan;
  plan.ids = std::move(ids);
  plan.ts = ts;
  plan.forced_metric = std::move(metric);
  return plan;
}

boost::json::value IdValue(const std::string& text, bool numeric) {
  if (numeric) return std::stoll(text);
  return boost::json::value(text);
}

// A current-format event (SPEC §4) for `plan`; fills `t`.
std::string CurrentEvent(const Plan& plan, const Person* person, Rng& rng, Truth* t) {
  std::string object_type;
  if (!plan.forced_metric.empty()) {
    object_type = "customer";
    t->metric = plan.forced_metric;
  } else {
    size_t r = rng.Below(100);
    object_type = r < 45   ? "email"
                  : r < 57 ? "push"
                  : r < 67 ? "sms"
                  : r < 77 ? "in_app"
                  : r < 85 ? "webhook"
                  : r < 90 ? "slack"
                           : "customer";
    if (object_type == "email") t->metric = rng.Pick(kEmailMetrics);
    if (object_type == "push" || object_type == "in_app") t->metric = rng.Pick(kPushMetrics);
    if (object_type == "sms") t->metric = rng.Pick(kSmsMetrics);
    if (object_type == "webhook") t->metric = rng.Pick(kWebhookMetrics);
    if (object_type == "slack") t->metric = rng.Pick(kSlackMetrics);
    if (object_type == "customer") t->metric = rng.Pick(kCustomerMetrics);
    if (rng.Chance(1)) t->metric = "future_metric_v2";  // unknown metrics pass through
  }
  t->object_type = object_type;
  const bool email_object = object_type == "email";

  boost::json::object data;
  boost::json::object identifiers;
  if (!plan.ids.cid.empty()) {
    t->customer_id = plan.ids.cid;
    size_t v = rng.Below(3);
    if (v != 1) data["customer_id"] = IdValue(plan.ids.cid, plan.ids.numeric_cid);
    if (v != 0) identifiers["id"] = IdValue(plan.ids.cid, plan.ids.numeric_cid);
  }
  if (!plan.ids.cio.empty()) {
    t->cio_id = plan.ids.cio;
    identifiers["cio_id"] = plan.ids.cio;
  }
  if (!plan.ids.email.empty()) {
    t->email = plan.ids.email;
    size_t v = rng.Below(email_object ? 3 : 2);
    const std::string shown = MixCase(plan.ids.email, rng);
    if (v == 0) identifiers["email"] = shown;
    if (v == 1) {
      const std::string name = person ? person->name : "Someone";
      data["email_address"] = rng.Chance(70) ? name + " <" + shown + ">" : shown;
    }
    if (v == 2) data["recipient"] = shown;  // an email object's recipient is its address
  }
  if (object_type == "sms")
    data["recipient"] = "+1555" + std::to_string(1000000 + rng.Below(9000000));
  if (object_type == "webhook") {
    data["recipient"] = "https://hooks.example.org/cio/" + std::to_string(rng.Below(50));
  }
  if (object_type == "push") {
    data["recipients"] = boost::json::array{boost::json::object{
        {"device_id", "fcm:" + Hex(rng.Next(), 6)}, {"device_platform", "android"}}};
  }
  size_t c = rng.Below(10);
  if (c < 6) {
    const int64_t id = 1 + static_cast<int64_t>(rng.Below(40));
    t->campaign_id = std::to_string(id);
    if (rng.Chance(50)) {
      data["campaign_id"] = id;
    } else {
      data["campaign_id"] = t->campaign_id;
    }
  } else if (c == 6) {
    data["broadcast_id"] = static_cast<int64_t>(rng.Below(20));
  } else if (c == 7) {
    data["newsletter_id"] = static_cast<int64_t>(rng.Below(20));
  }
  if (rng.Chance(25)) {
    t->journey_id = "jrn_" + std::to_string(rng.Below(12));
    data["journey_id"] = t->journey_id;
  }
  if (email_object && rng.Chance(70)) {
    t->subject = rng.Pick(kSubjects);
    data["subject"] = t->subject;
  }
  data["action_id"] = static_cast<int64_t>(rng.Below(200));
  data["delivery_id"] = "dlv_" + Hex(rng.Next(), 8);
  if (!identifiers.empty()) data["identifiers"] = std::move(identifiers);

  boost::json::object e;
  e["event_id"] = t->event_id;
  e["object_type"] = object_type == "in_app" && rng.Chance(30) ? "in-app" : object_type;
  e["metric"] = t->metric;
  if (rng.Chance(20)) {
    e["timestamp"] = std::to_string(t->timestamp);
  } else {
    e["timestamp"] = t->timestamp;
  }
  e["data"] = std::move(data);
  return boost::json::serialize(e);
}

// A legacy-format event (SPEC §4); `plan` carries no cio_id.
std::string LegacyEvent(const Plan& plan, const Person* person, Rng& rng, Truth* t) {
  t->object_type = "email";
  t->metric = rng.Pick(kLegacyMetrics);
  boost::json::object data;
  size_t c = rng.Below(10);
  if (c < 8) {
    const int64_t id = 1 + static_cast<int64_t>(rng.Below(40));
    t->campaign_id = std::to_string(id);
    t->campaign_name = "Campaign " + std::to_string(id) + (id % 5 == 0 ? " – Ünïcödé" : "");
    if (c < 6) {
      data["campaign_id"] = t->campaign_id;
      data["campaign_name"] = t->campaign_name;
    } else {
      data["variables"] = boost::json::object{
          {"campaign",
           boost::json::object{
               {"id", rng.Chance(50) ? boost::json::value(id) : boost::json::value(t->campaign_id)},
               {"name", t->campaign_name}}}};
    }
  }
  if (!plan.ids.cid.empty()) {
    t->customer_id = plan.ids.cid;
    data["customer_id"] = plan.ids.cid;
  }
  if (!plan.ids.email.empty()) {
    t->email = plan.ids.email;
    const std::string shown = MixCase(plan.ids.email, rng);
    const std::string name = person ? person->name : "Someone";
    size_t v = rng.Below(3);
    data["email_address"] = v == 0 ? name + " <" + shown + ">" : v == 1 ? shown : plan.ids.email;
  } else if (rng.Chance(50)) {
    data["email_address"] = nullptr;
  }
  data["email_id"] = "em_" + Hex(rng.Next(), 6);
  data["message_id"] = std::to_string(rng.Below(100));
  data["template_id"] = std::to_string(rng.Below(10));
  size_t s = rng.Below(10);
  if (s < 6) {
    t->subject = rng.Pick(kSubjects);
    data["subject"] = t->subject;
  } else if (s < 8) {
    data["subject"] = nullptr;
  }
  boost::json::object e;
  e["event_id"] = t->event_id;
  e["event_type"] = "email_" + t->metric;
  e["timestamp"] = t->timestamp;
  e["data"] = std::move(data);
  return boost::json::serialize(e);
}

// An event that names nobody: an SMS to a phone number, a webhook to a URL, a push to a
// device, or a legacy draft with a null address.
std::string UnidentifiedEvent(Rng& rng, Truth* t) {
  boost::json::object e;
  e["event_id"] = t->event_id;
  e["timestamp"] = t->timestamp;
  size_t k = rng.Below(4);
  if (k == 3) {
    t->object_type = "email";
    t->metric = "drafted";
    e["event_type"] = "email_drafted";
    e["data"] = boost::json::object{{"email_address", nullptr}, {"campaign_id", "3"}};
    t->campaign_id = "3";
    return boost::json::serialize(e);
  }
  boost::json::object data;
  if (k == 0) {
    t->object_type = "sms";
    t->metric = "clicked";
    data["recipient"] = "+15550001111";
  } else if (k == 1) {
    t->object_type = "webhook";
    t->metric = "failed";
    data["recipient"] = "https://hooks.example.org/none";
  } else {
    t->object_type = "push";
    t->metric = "opened";
    data["recipients"] = boost::json::array{
        boost::json::object{{"device_id", "apns:x"}, {"device_platform", "ios"}}};
  }
  e["object_type"] = t->object_type;
  e["metric"] = t->metric;
  e["data"] = std::move(data);
  return boost::json::serialize(e);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Generating.

Corpus Generate(const Options& options) {
  Rng rng(options.seed);
  const std::vector<Person> people = MakePeople(options.people, rng);
  auto slot = [&] { return kBaseTs + kGrid * static_cast<int64_t>(rng.Below(kSlots)); };

  std::vector<Plan> plans;
  std::vector<const Person*> owners;
  auto add = [&](const Person* p, Plan plan) {
    plans.push_back(std::move(plan));
    owners.push_back(p);
  };
  // Bridges: every identity of a person who is not split is tied to the others. A person
  // with two addresses uses both at the same second, so that `email` (latest) is decided by
  // the tie-break on the value.
  for (const Person& p : people) {
    if (p.split) continue;
    const int64_t t = slot();
    add(&p, Bridge(IdsOf(p, "ce", 0), t));
    add(&p, Bridge(IdsOf(p, "ci")));
    if (p.emails.size() > 1) add(&p, Bridge(IdsOf(p, "ie", 1), t));
    if (p.index % 9 == 0) add(&p, Bridge(IdsOf(p, "cie")));
    // Someone who shares the next person's address: the two become one profile.
    if (p.index % 25 == 5 && static_cast<size_t>(p.index) + 1 < people.size()) {
      Ids ids = IdsOf(p, "c");
      ids.email = people[p.index + 1].emails[0];
      add(&p, Bridge(ids));
    }
  }
  // Subscribe and unsubscribe at the same second: `latest` breaks the tie on the value.
  for (const Person& p : people) {
    if (p.index % 11 != 0) continue;
    const int64_t t = slot();
    add(&p, Subscription(IdsOf(p, "c"), t, "subscribed"));
    add(&p, Subscription(IdsOf(p, p.split ? "c" : "i"), t, "unsubscribed"));
  }
  const size_t unidentified = std::max<size_t>(1, options.events / 100);
  const size_t unmappable = std::max<size_t>(1, options.events / 200);
  while (plans.size() + unidentified + unmappable < options.events) {
    const Person& p = people[rng.Below(people.size())];
    size_t r = rng.Below(100);
    const size_t e = rng.Below(p.emails.size());
    std::string which = r < 35   ? "e"
                        : r < 60 ? "c"
                        : r < 75 ? "i"
                        : r < 85 ? "ce"
                        : r < 95 ? "ci"
                                 : "ie";
    if (p.split) which = which.substr(0, 1);
    Plan plan;
    plan.ids = IdsOf(p, which, e);
    add(&p, std::move(plan));
  }

  Corpus corpus;
  char idbuf[64];
  auto next_id = [&] {
    std::snprintf(idbuf, sizeof idbuf, "01HZ%04llX%08zu",
                  static_cast<unsigned long long>(options.seed % 0x10000), corpus.events.size());
    return std::string(idbuf);
  };
  for (size_t i = 0; i < plans.size(); ++i) {
    const Plan& plan = plans[i];
    Truth t;
    t.event_id = next_id();
    t.timestamp = plan.ts >= 0 ? plan.ts : slot();
    const bool legacy = plan.ids.cio.empty() && plan.forced_metric.empty() && rng.Chance(30);
    corpus.events.push_back(legacy ? LegacyEvent(plan, owners[i], rng, &t)
                                   : CurrentEvent(plan, owners[i], rng, &t));
    (legacy ? corpus.legacy : corpus.current)++;
    if (plan.bridging) ++corpus.bridging;
    corpus.truth.push_back(std::move(t));
  }
  for (size_t i = 0; i < unidentified; ++i) {
    Truth t;
    t.event_id = next_id();
    t.timestamp = slot();
    corpus.events.push_back(UnidentifiedEvent(rng, &t));
    corpus.truth.push_back(std::move(t));
    ++corpus.unidentified;
  }
  for (size_t i = 0; i < unmappable; ++i) {
    Truth t;
    t.event_id = next_id();
    t.timestamp = slot();
    boost::json::object e{{"event_id", t.event_id},
                          {"timestamp", t.timestamp},
                          {"kind", "test ping"},
                          {"data", boost::json::object{{"customer_id", "ping-only"}}}};
    corpus.events.push_back(boost::json::serialize(e));
    corpus.truth.push_back(std::move(t));
    ++corpus.unmappable;
  }
  return corpus;
}

std::vector<size_t> InOrder(size_t n) {
  std::vector<size_t> v(n);
  std::iota(v.begin(), v.end(), size_t{0});
  return v;
}

std::vector<size_t> Shuffled(size_t n, uint64_t seed) {
  std::vector<size_t> v = InOrder(n);
  Rng rng(seed ^ 0x5eed);
  for (size_t i = n; i > 1; --i) std::swap(v[i - 1], v[rng.Below(i)]);
  return v;
}

std::vector<std::string> Bodies(const Corpus& corpus, const std::vector<size_t>& order,
                                Framing framing, size_t per_body) {
  if (framing == Framing::kSingle) per_body = 1;
  std::vector<std::string> bodies;
  for (size_t i = 0; i < order.size(); i += per_body) {
    std::string body = framing == Framing::kArray ? "[" : "";
    for (size_t j = i; j < i + per_body && j < order.size(); ++j) {
      if (j > i) body += framing == Framing::kArray ? "," : "\n";
      body += corpus.events[order[j]];
    }
    if (framing == Framing::kArray) body += "]";
    bodies.push_back(std::move(body));
  }
  return bodies;
}

}  // namespace cohort::integration::corpus
