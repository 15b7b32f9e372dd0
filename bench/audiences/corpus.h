// A deterministic Customer.io population for the audience benchmark (issue 6, "Must show" 5):
// raw webhook events of both formats (SPEC §4) for N people, in event-time order, plus the
// ground truth of the five benchmark filters computed from the generator's own bookkeeping
// (no Cohort code: a third answer beside Cohort's and PostgreSQL's).
//
// Every person p has one email (four domains), one customer id ("acct-p") and one cio_id, and
// 1–6 events (3.5 on average) spread over the 60 days before a fixed "now". Each event names
// the person in one of four identity styles — all three ids (40%), only the email (20%), only
// the customer id (20%), only the cio_id (20%; legacy events carry the customer id instead) —
// and exactly one event of every person carries all three, so each person ends as exactly one
// profile although most of them start as several that the writer merges. Formats: 70% current
// (object_type + metric: email, push, sms, in_app, customer, webhook), 30% legacy (event_type).
// Email opens happen at the person's preferred hour of day (UTC) 70% of the time (a morning and
// an evening peak), otherwise at any hour. 85% of messages carry one of 200 campaign ids
// (uniform), the rest a broadcast id. Emails arrive plain, mixed case, as "Name <ADDR>" or
// padded.
//
// Header-only; thread-compatible.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace cohort::bench::aud {

// "now" of the whole benchmark (the injected clock): 2026-09-21T14:13:20Z.
inline constexpr int64_t kNowMs = 1'790'000'000'000;
inline constexpr int64_t kDayMs = 86'400'000;
inline constexpr int64_t kSpanDays = 60;
inline constexpr uint32_t kCampaigns = 200;

// What the generator knows about each person (the ground truth of the five filters).
struct Truth {
  int64_t last_open_ms = INT64_MIN;  // latest email_opened event time
  uint32_t open_hours = 0;           // bit h: an email_opened at hour h (UTC)
  bool opened = false;               // some email_opened
  bool clicked = false;              // some email_clicked
  bool campaign118 = false;          // some event with campaign_id 118
  bool push = false;                 // some event with object_type push
};

namespace detail {

inline uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

inline constexpr std::string_view kFirst[] = {"dana", "sam", "lee", "ana", "noor", "kai",
                                              "ravi", "mia", "jon", "zoe", "ike",  "lou"};
inline constexpr std::string_view kLast[] = {"ortiz", "reyes", "park",  "silva", "haddad",
                                             "kim",   "nair",  "rossi", "berg",  "okafor"};
inline constexpr std::string_view kSubjects[] = {"Your spring plan is ready",
                                                 "Three tips for your first week",
                                                 "June newsletter",
                                                 "We miss you - 20% off inside",
                                                 "Your receipt from Example Shop",
                                                 "Verify your email address",
                                                 "New arrivals this week",
                                                 "Your cart is waiting",
                                                 "Last chance: summer sale ends",
                                                 "How was your order?",
                                                 "Your monthly summary",
                                                 "Invite a friend, get 10 euros",
                                                 "Security alert for your account",
                                                 "Your trial ends in 3 days",
                                                 "Welcome to Example",
                                                 "Weekend reading"};
inline constexpr std::string_view kCampaignNames[] = {"Onboarding", "Winback", "Trial ending",
                                                      "Newsletter", "Cart reminder"};
// Preferred open hour weights (UTC): a morning peak (8–9) and an evening peak (19–20).
inline constexpr int kHourWeights[24] = {1, 1, 1, 1, 1, 2, 4, 7, 10, 10, 7, 5,
                                         5, 5, 4, 4, 4, 5, 6, 8, 8,  6,  3, 2};

inline std::string Quote(std::string_view s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o.push_back('\\');
    o.push_back(c);
  }
  return o + "\"";
}
inline void Add(std::string* o, std::string_view key, std::string_view json_value) {
  if (o->back() != '{') o->push_back(',');
  o->push_back('"');
  *o += key;
  *o += "\":";
  *o += json_value;
}

}  // namespace detail

// Person attributes, all derived from the person's number.
inline std::string_view PersonDomain(uint32_t p) {
  uint64_t d = detail::Mix(p * 7 + 1) % 100;
  return d < 25 ? "example.org" : d < 50 ? "example.com" : d < 80 ? "gmail.com" : "mail.example.io";
}
inline std::string PersonEmail(uint32_t p) {
  return std::string(detail::kFirst[p % 12]) + "." + std::string(detail::kLast[p / 12 % 10]) +
         std::to_string(p) + "@" + std::string(PersonDomain(p));
}
inline std::string PersonCustomerId(uint32_t p) { return "acct-" + std::to_string(p); }
inline std::string PersonCioId(uint32_t p) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "c%012llx",
                static_cast<unsigned long long>(detail::Mix(p + 1) & 0xFFFFFFFFFFFFULL));
  return buf;
}
inline int PersonOpenHour(uint32_t p) {
  int total = 0;
  for (int w : detail::kHourWeights) total += w;
  int x = static_cast<int>(detail::Mix(p * 13 + 5) % total);
  for (int h = 0; h < 24; ++h) {
    if (x < detail::kHourWeights[h]) return h;
    x -= detail::kHourWeights[h];
  }
  return 9;
}

// One raw webhook event for a person, with the facts the ground truth needs.
struct EventSpec {
  uint32_t person = 0;
  int64_t ts_s = 0;  // Unix seconds
  bool legacy = false;
  std::string object_type;  // email, push, sms, in_app, customer, webhook
  std::string metric;       // sent, opened, ...
  int campaign = 0;         // 1..kCampaigns, 0 = none (broadcast or customer event)
  int style = 0;            // 0 all ids, 1 email only, 2 customer id only, 3 cio_id only
  uint64_t serial = 0;      // makes the event_id unique
  std::string email;        // if set, the address to use instead of the person's
};

// Renders the raw webhook JSON of `e` (current or legacy format). `rng` picks the cosmetic
// parts (email form, subject, ids) that do not change any benchmark answer.
inline std::string RenderRaw(const EventSpec& e, std::mt19937_64* rng) {
  using detail::Add;
  using detail::Quote;
  auto below = [&](uint32_t n) { return static_cast<uint32_t>((*rng)() % n); };
  const uint32_t p = e.person;
  const bool with_email = e.style == 0 || e.style == 1;
  const bool with_id = e.style == 0 || e.style == 2 || (e.legacy && e.style == 3);
  const bool with_cio = !e.legacy && (e.style == 0 || e.style == 3);
  const std::string email = e.email.empty() ? PersonEmail(p) : e.email;
  std::string email_form = email;
  {
    uint32_t f = below(100);
    if (f >= 70 && f < 85) {
      for (size_t i = 0; i < email_form.size(); i += 2) {
        email_form[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(email_form[i])));
      }
    } else if (f >= 85 && f < 95) {
      email_form = "Pat Doe <" + email_form + ">";
    } else if (f >= 95) {
      email_form = "  " + email_form + " ";
    }
  }
  char eid[48];
  std::snprintf(eid, sizeof eid, "01J%023llu", static_cast<unsigned long long>(e.serial));
  std::string data = "{";
  std::string raw = "{";
  const bool message = e.object_type != "customer";
  if (!e.legacy) {
    Add(&data, "action_id", std::to_string(1 + below(500)));
    if (message) {
      if (e.campaign) {
        // Campaign ids arrive as numbers or as numeric strings; both map to the text "118".
        Add(&data, "campaign_id",
            below(2) ? std::to_string(e.campaign) : Quote(std::to_string(e.campaign)));
      } else {
        Add(&data, "broadcast_id", std::to_string(1 + below(40)));
      }
    }
    if (with_id) Add(&data, "customer_id", Quote(PersonCustomerId(p)));
    if (message) Add(&data, "delivery_id", Quote("dlv_" + std::to_string((*rng)() % 100000000)));
    if (e.metric == "clicked") {
      Add(&data, "href", Quote("https://shop.example.org/spring"));
      Add(&data, "link_id", std::to_string(1 + below(12)));
    }
    std::string ids = "{";
    if (with_cio) Add(&ids, "cio_id", Quote(PersonCioId(p)));
    // Email objects carry the address in `recipient` (and 40% also in identifiers); customer
    // objects in `email_address`; other channels only in identifiers.
    const bool email_obj = e.object_type == "email";
    const bool customer_obj = e.object_type == "customer";
    if (with_email && !customer_obj && (!email_obj || below(100) < 40)) {
      Add(&ids, "email", Quote(email));
    }
    if (with_id) Add(&ids, "id", Quote(PersonCustomerId(p)));
    if (ids.size() > 1) Add(&data, "identifiers", ids + "}");
    if (below(100) < 30) Add(&data, "journey_id", Quote("jrn_" + std::to_string(below(80))));
    if (email_obj) {
      if (with_email) Add(&data, "recipient", Quote(email_form));
      Add(&data, "subject", Quote(detail::kSubjects[below(std::size(detail::kSubjects))]));
    } else if (customer_obj && with_email) {
      Add(&data, "email_address", Quote(email_form));
    } else if (e.object_type == "sms") {
      Add(&data, "recipient", Quote("+1555555" + std::to_string(1000 + below(9000))));
    }
    Add(&raw, "data", data + "}");
    Add(&raw, "event_id", Quote(eid));
    Add(&raw, "metric", Quote(e.metric));
    Add(&raw, "object_type",
        Quote(e.object_type == "in_app" && below(4) == 0 ? "in-app" : e.object_type));
    Add(&raw, "timestamp", std::to_string(e.ts_s));
  } else {
    if (e.campaign) {
      Add(&data, "campaign_id", Quote(std::to_string(e.campaign)));
      Add(&data, "campaign_name",
          Quote(std::string(detail::kCampaignNames[e.campaign % 5]) + " - Day " +
                std::to_string(1 + e.campaign % 14)));
    }
    if (with_id) Add(&data, "customer_id", Quote(PersonCustomerId(p)));
    if (with_email) Add(&data, "email_address", Quote(email_form));
    Add(&data, "email_id", Quote("em_" + std::to_string((*rng)() % 1000000)));
    if (e.metric == "clicked") Add(&data, "href", Quote("https://shop.example.org/cart"));
    if (e.object_type == "email") {
      Add(&data, "subject", Quote(detail::kSubjects[below(std::size(detail::kSubjects))]));
    }
    Add(&data, "template_id", Quote(std::to_string(1 + below(20))));
    Add(&raw, "data", data + "}");
    Add(&raw, "event_id", Quote(eid));
    Add(&raw, "event_type", Quote(e.object_type + "_" + e.metric));
    Add(&raw, "timestamp", std::to_string(e.ts_s));
  }
  raw.push_back('}');
  return raw;
}

// Updates the ground truth with one event, as the default Customer.io query would see it.
inline void Observe(const EventSpec& e, Truth* t) {
  const int64_t ms = e.ts_s * 1000;
  if (e.object_type == "email" && e.metric == "opened") {
    t->opened = true;
    t->last_open_ms = std::max(t->last_open_ms, ms);
    int64_t hour = ((ms % kDayMs + kDayMs) % kDayMs) / 3'600'000;
    t->open_hours |= 1u << hour;
  }
  if (e.object_type == "email" && e.metric == "clicked") t->clicked = true;
  if (e.campaign == 118) t->campaign118 = true;
  if (e.object_type == "push") t->push = true;
}

// The population and its event order. Events are produced one at a time (Next) so that the
// corpus never has to be held in memory.
class Population {
 public:
  Population(uint32_t people, uint64_t seed) : people_(people), rng_(seed), truth_(people) {
    std::vector<uint8_t> count(people);
    for (uint32_t p = 0; p < people; ++p) count[p] = static_cast<uint8_t>(1 + rng_() % 6);
    size_t total = 0;
    for (uint8_t c : count) total += c;
    order_.reserve(total);
    for (uint32_t p = 0; p < people; ++p) order_.insert(order_.end(), count[p], p);
    std::shuffle(order_.begin(), order_.end(), rng_);
    all_at_.resize(people);
    seen_.assign(people, 0);
    for (uint32_t p = 0; p < people; ++p) all_at_[p] = static_cast<uint8_t>(rng_() % count[p]);
  }

  size_t events() const { return order_.size(); }
  uint32_t people() const { return people_; }
  const std::vector<Truth>& truth() const { return truth_; }

  // The i-th event (call with i = 0, 1, 2, ... in order).
  EventSpec Next(size_t i) {
    EventSpec e;
    e.serial = i;
    e.person = order_[i];
    auto below = [&](uint32_t n) { return static_cast<uint32_t>(rng_() % n); };
    const int64_t now_s = kNowMs / 1000;
    const int64_t span_s = kSpanDays * 86400;
    int64_t ts = now_s - span_s + static_cast<int64_t>(i * span_s / order_.size()) + below(60);
    // Identity style: one event per person carries all three ids (in the current format, the
    // only one with a cio_id), which joins every profile the person's other events made.
    const uint32_t p = e.person;
    const bool joining = seen_[p]++ == all_at_[p];
    if (joining) {
      e.style = 0;
    } else {
      uint32_t s = below(100);
      e.style = s < 40 ? 0 : s < 60 ? 1 : s < 80 ? 2 : 3;
    }
    // Format and kind.
    e.legacy = !joining && below(100) < 30;
    if (!e.legacy) {
      uint32_t t = below(100);
      e.object_type = t < 62   ? "email"
                      : t < 76 ? "push"
                      : t < 83 ? "sms"
                      : t < 90 ? "in_app"
                      : t < 95 ? "customer"
                               : "webhook";
      uint32_t m = below(100);
      if (e.object_type == "email") {
        e.metric = m < 30   ? "sent"
                   : m < 52 ? "delivered"
                   : m < 77 ? "opened"
                   : m < 87 ? "clicked"
                   : m < 90 ? "converted"
                   : m < 94 ? "bounced"
                   : m < 97 ? "unsubscribed"
                            : "dropped";
      } else if (e.object_type == "push") {
        e.metric = m < 40 ? "sent" : m < 70 ? "delivered" : m < 90 ? "opened" : "clicked";
      } else if (e.object_type == "sms") {
        e.metric = m < 50 ? "sent" : m < 90 ? "delivered" : "clicked";
      } else if (e.object_type == "in_app") {
        e.metric = m < 50 ? "sent" : m < 85 ? "opened" : "clicked";
      } else if (e.object_type == "customer") {
        e.metric = m < 70 ? "subscribed" : "unsubscribed";
      } else {
        e.metric = m < 60 ? "sent" : m < 80 ? "clicked" : "failed";
      }
    } else {
      uint32_t m = below(100);
      e.object_type = m < 90 ? "email" : "push";
      e.metric = m < 25   ? "sent"
                 : m < 45 ? "delivered"
                 : m < 70 ? "opened"
                 : m < 80 ? "clicked"
                 : m < 85 ? "bounced"
                 : m < 90 ? "unsubscribed"
                 : m < 95 ? "sent"
                          : "opened";
    }
    if (e.object_type != "customer" && below(100) < 85) e.campaign = 1 + below(kCampaigns);
    // Opens at the person's preferred hour, on the same day.
    if (e.object_type == "email" && e.metric == "opened" && below(100) < 70) {
      int64_t day = ts - ((ts % 86400) + 86400) % 86400;
      ts = day + PersonOpenHour(e.person) * 3600 + below(3600);
      if (ts > now_s - 1) ts -= 86400;
    }
    e.ts_s = std::min(ts, now_s - 1);
    Observe(e, &truth_[p]);
    return e;
  }

  std::mt19937_64* rng() { return &rng_; }

 private:
  uint32_t people_;
  std::mt19937_64 rng_;
  std::vector<uint32_t> order_;
  std::vector<uint8_t> all_at_, seen_;
  std::vector<Truth> truth_;
};

}  // namespace cohort::bench::aud
