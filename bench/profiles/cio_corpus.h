// A deterministic Customer.io corpus for the profile benchmarks: raw webhook events of both
// formats (SPEC §4) for a population of people, turned into flat `customerio_events` records
// by the real processor (customerio::ProcessCustomerIoEvent), exactly as the server's
// customerio stage would store them.
//
// Every person p has one stable email, customer id ("acct-p") and cio_id; each event names
// the person in one of four identity styles, so profiles have to be joined by identity
// resolution (SPEC §5.4) and some events merge two profiles that were separate until then:
//   all   (40%): customer id, cio_id and email
//   email (20%): only the email (identifiers.email / email_address / recipient)
//   id    (20%): only the customer id (data.customer_id)
//   cio   (20%): only identifiers.cio_id (current format only; legacy falls back to `id`)
// Formats: 70% current (object_type + metric: email, push, sms, in_app, customer, webhook,
// slack), 30% legacy (event_type such as email_opened). Emails arrive plain, mixed case, as
// "Name <ADDR>" or padded. Timestamps mostly increase with some arriving up to ~2 h late.
// People are drawn with a skew (20% of the events go to 5% of the people).
//
// Header-only; used by profile_rebuild_bench.cc. Thread-compatible.
#pragma once

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "customerio/processor.h"

namespace cohort::bench {

struct CioCorpusOptions {
  size_t events = 300000;
  uint32_t people = 50000;
  uint64_t seed = 7;
};

struct CioRecord {
  std::string json;      // the flat customerio_events record
  int64_t event_time_ms; // its event time, as the customerio stage sets it
};

struct CioCorpus {
  std::vector<CioRecord> records;
  size_t raw_bytes = 0, record_bytes = 0;
  size_t current = 0, legacy = 0;
  size_t style_counts[4] = {0, 0, 0, 0};  // all, email, id, cio
};

namespace cio_detail {

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }
  uint32_t Percent() { return Below(100); }
  template <size_t N>
  std::string_view Pick(const std::string_view (&v)[N]) {
    return v[Below(N)];
  }
  std::string Token(size_t n) {
    static constexpr char k[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    std::string s(n, ' ');
    for (char& c : s) c = k[Below(62)];
    return s;
  }

 private:
  std::mt19937_64 rng_;
};

inline constexpr std::string_view kFirst[] = {"Dana", "Sam", "Lee", "Ana", "Noor", "Kai",
                                              "Ravi", "Mia", "Jon", "Zoe", "Ike",  "Lou"};
inline constexpr std::string_view kLast[] = {"Ortiz", "Reyes", "Park",  "Silva", "Haddad",
                                             "Kim",   "Nair",  "Rossi", "Berg",  "Okafor"};
inline constexpr std::string_view kDomains[] = {"example.org", "example.com", "mail.example.io"};
inline constexpr std::string_view kSubjects[] = {
    "Your spring plan is ready", "Three tips for your first week", "June newsletter",
    "We miss you - 20% off inside", "Your receipt from Example Shop",
    "Verify your email address to finish signing up"};
inline constexpr std::string_view kCampaigns[] = {"Onboarding", "Winback", "Trial ending",
                                                  "Newsletter"};
inline constexpr std::string_view kPaths[] = {"spring", "pricing", "account/settings", "cart"};

inline std::string PersonEmail(uint32_t p) {
  std::string s = std::string(kFirst[p % 12]) + "." + std::string(kLast[p / 7 % 10]) +
                  std::to_string(p) + "@" + std::string(kDomains[p % 3]);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
inline std::string PersonCioId(uint32_t p) {
  uint64_t x = (p + 1) * 0x9E3779B97F4A7C15ULL;
  x ^= x >> 29;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(x));
  return std::string("c") + std::string(buf, 12);
}
inline std::string Quote(std::string_view s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o.push_back('\\');
    o.push_back(c);
  }
  return o + "\"";
}
// The address as it arrives: plain, mixed case, "Name <ADDR>" or padded.
inline std::string EmailForm(Gen* g, uint32_t p) {
  std::string plain = PersonEmail(p);
  uint32_t x = g->Percent();
  if (x < 60) return plain;
  if (x < 75) {
    for (size_t i = 0; i < plain.size(); i += 2) {
      plain[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(plain[i])));
    }
    return plain;
  }
  if (x < 95) {
    return std::string(kFirst[p % 12]) + " " + std::string(kLast[p / 7 % 10]) + " <" + plain + ">";
  }
  return "  " + plain + " ";
}

// Appends `"key":value` (value already JSON) to an object being built in `o`.
inline void Add(std::string* o, std::string_view key, const std::string& json_value) {
  if (o->back() != '{') o->push_back(',');
  *o += Quote(key);
  o->push_back(':');
  *o += json_value;
}

}  // namespace cio_detail

// Generates options.events raw events and processes each into its flat record. Aborts (returns
// false) if the processor does not map one (the generator only makes mappable events).
inline bool MakeCioCorpus(const CioCorpusOptions& opt, CioCorpus* out) {
  using namespace cio_detail;
  Gen g(opt.seed);
  out->records.reserve(opt.events);
  const uint32_t heavy = std::max<uint32_t>(1, opt.people / 20);
  static constexpr std::string_view kDelivery[] = {"sent",    "delivered", "opened",
                                                   "opened",  "clicked",   "converted",
                                                   "bounced", "dropped",   "unsubscribed"};
  static constexpr std::string_view kLegacyTypes[] = {
      "email_sent",    "email_delivered", "email_opened",       "email_opened",
      "email_clicked", "email_bounced",   "email_unsubscribed", "customer_subscribed",
      "push_sent",     "sms_sent",        "in_app_opened"};
  for (size_t i = 0; i < opt.events; ++i) {
    const uint32_t p = g.Percent() < 20 ? g.Below(heavy) : g.Below(opt.people);
    uint32_t style = g.Percent();
    style = style < 40 ? 0 : style < 60 ? 1 : style < 80 ? 2 : 3;
    const bool legacy = g.Percent() < 30;
    if (legacy && style == 3) style = 2;
    const bool with_email = style == 0 || style == 1;
    const bool with_id = style == 0 || style == 2;
    const bool with_cio = style == 0 || style == 3;
    ++out->style_counts[style];
    // Mostly increasing, up to ~2 h late now and then.
    int64_t ts = 1717000000 + static_cast<int64_t>(i) * 9 + g.Below(60);
    if (g.Percent() < 5) ts -= g.Below(7200);
    char eid[40];
    std::snprintf(eid, sizeof eid, "01HZPB%020zu", i);

    std::string raw = "{";
    std::string data = "{";
    const uint32_t campaign = 1 + g.Below(300);
    if (!legacy) {
      ++out->current;
      uint32_t t = g.Percent();
      std::string_view object_type = t < 55   ? "email"
                                     : t < 65 ? "push"
                                     : t < 73 ? "sms"
                                     : t < 80 ? "in_app"
                                     : t < 90 ? "customer"
                                     : t < 95 ? "webhook"
                                              : "slack";
      std::string_view metric = object_type == "customer"
                                    ? (g.Percent() < 70 ? "subscribed" : "unsubscribed")
                                    : g.Pick(kDelivery);
      Add(&data, "action_id", std::to_string(1 + g.Below(500)));
      if (g.Percent() < 80) {
        Add(&data, "campaign_id", std::to_string(campaign));
      } else {
        Add(&data, "broadcast_id", std::to_string(1 + g.Below(40)));
      }
      if (with_id) Add(&data, "customer_id", Quote("acct-" + std::to_string(p)));
      if (object_type != "customer") Add(&data, "delivery_id", Quote("dlv_" + g.Token(10)));
      if (metric == "clicked") {
        Add(&data, "href", Quote("https://shop.example.org/" + std::string(g.Pick(kPaths))));
        Add(&data, "link_id", std::to_string(1 + g.Below(12)));
      }
      // Where the email goes: email objects carry it in `recipient` (and sometimes in
      // identifiers), customer objects in `email_address`, other channels in identifiers only.
      const bool email_obj = object_type == "email", customer_obj = object_type == "customer";
      const bool ids_email =
          with_email && (email_obj ? g.Percent() < 40 : !customer_obj || g.Percent() < 30);
      std::string ids = "{";
      if (with_cio) Add(&ids, "cio_id", Quote(PersonCioId(p)));
      if (ids_email) Add(&ids, "email", Quote(PersonEmail(p)));
      if (with_id) Add(&ids, "id", Quote("acct-" + std::to_string(p)));
      if (ids.size() > 1) Add(&data, "identifiers", ids + "}");
      if (g.Percent() < 30) Add(&data, "journey_id", Quote("jrn_" + std::to_string(g.Below(80))));
      if (email_obj) {
        if (with_email) Add(&data, "recipient", Quote(EmailForm(&g, p)));
        Add(&data, "subject", Quote(g.Pick(kSubjects)));
      } else if (customer_obj && with_email) {
        Add(&data, "email_address", Quote(EmailForm(&g, p)));
      } else if (object_type == "sms") {
        Add(&data, "recipient", Quote("+1555555" + std::to_string(1000 + g.Below(9000))));
      }
      Add(&raw, "data", data + "}");
      Add(&raw, "event_id", Quote(eid));
      Add(&raw, "metric", Quote(metric));
      Add(&raw, "object_type", Quote(object_type == "in_app" && g.Percent() < 25 ? "in-app" : object_type));
      Add(&raw, "timestamp", std::to_string(ts));
    } else {
      ++out->legacy;
      std::string_view type = g.Pick(kLegacyTypes);
      const std::string cname =
          std::string(g.Pick(kCampaigns)) + " - Day " + std::to_string(1 + g.Below(14));
      Add(&data, "campaign_id", Quote(std::to_string(campaign)));
      Add(&data, "campaign_name", Quote(cname));
      if (with_id) Add(&data, "customer_id", Quote("acct-" + std::to_string(p)));
      if (with_email) Add(&data, "email_address", Quote(EmailForm(&g, p)));
      Add(&data, "email_id", Quote("em_" + g.Token(6)));
      if (type == "email_clicked") {
        Add(&data, "href", Quote("https://shop.example.org/" + std::string(g.Pick(kPaths))));
        Add(&data, "link_id", Quote(std::to_string(1 + g.Below(12))));
      }
      Add(&data, "message_id", Quote(std::to_string(1 + g.Below(99))));
      Add(&data, "subject", Quote(g.Pick(kSubjects)));
      Add(&data, "template_id", Quote(std::to_string(1 + g.Below(20))));
      Add(&raw, "data", data + "}");
      Add(&raw, "event_id", Quote(eid));
      Add(&raw, "event_type", Quote(type));
      Add(&raw, "timestamp", std::to_string(ts));
    }
    raw.push_back('}');
    out->raw_bytes += raw.size();
    auto r = customerio::ProcessCustomerIoEvent(raw);
    if (!r.ok() || r->outcome != customerio::ProcessResult::Outcome::kMapped || !r->timestamp_s) {
      std::fprintf(stderr, "corpus: the processor did not map event %zu: %s\n", i, raw.c_str());
      return false;
    }
    out->record_bytes += r->record_json.size();
    out->records.push_back({std::move(r->record_json), *r->timestamp_s * 1000});
  }
  return true;
}

}  // namespace cohort::bench
