#include "corpus.h"

#include <cctype>
#include <ctime>
#include <random>
#include <string_view>

namespace cohort::bench {
namespace {

// Appends a compact JSON object; keys are written in call order.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string* out) : out_(out) { out_->push_back('{'); }
  void Finish() { out_->push_back('}'); }

  void String(std::string_view key, std::string_view value) {
    Key(key);
    Quote(value);
  }
  void Int(std::string_view key, int64_t value) {
    Key(key);
    out_->append(std::to_string(value));
  }
  // `json` must already be valid JSON text (a number, null, an array...).
  void Raw(std::string_view key, std::string_view json) {
    Key(key);
    out_->append(json);
  }
  // Starts a nested object under `key`; call Finish() on the returned writer.
  ObjectWriter Object(std::string_view key) {
    Key(key);
    return ObjectWriter(out_);
  }

 private:
  void Key(std::string_view key) {
    if (out_->back() != '{') out_->push_back(',');
    Quote(key);
    out_->push_back(':');
  }
  void Quote(std::string_view s) {
    out_->push_back('"');
    for (char c : s) {
      if (c == '"' || c == '\\') out_->push_back('\\');
      out_->push_back(c);
    }
    out_->push_back('"');
  }

  std::string* out_;
};

class Generator {
 public:
  explicit Generator(uint64_t seed) : seed_(seed), rng_(seed) {}

  // The event_id of the event made last, as text.
  const std::string& last_id() const { return last_id_; }

  // Draws the event's format: 0 current, 1 legacy, 2 unmappable.
  int Format() {
    uint32_t p = Percent();
    return p < 64 ? 0 : p < 99 ? 1 : 2;
  }

  std::string Current(size_t index) {
    static constexpr std::string_view kDeliveryMetrics[] = {
        "sent",           "delivered", "opened",  "clicked",       "converted", "bounced",
        "dropped",        "spammed",   "failed",  "undeliverable", "deferred",  "human_clicked",
        "machine_opened", "attempted", "drafted", "unsubscribed"};
    static constexpr std::string_view kCustomerMetrics[] = {"subscribed", "unsubscribed",
                                                            "cio_subscription_preferences_changed"};
    uint32_t p = Percent();
    std::string_view object_type = p < 52   ? "email"
                                   : p < 64 ? "push"
                                   : p < 72 ? "sms"
                                   : p < 80 ? "in_app"
                                   : p < 89 ? "customer"
                                   : p < 95 ? "webhook"
                                            : "slack";
    std::string_view metric =
        object_type == "customer" ? Pick(kCustomerMetrics) : Pick(kDeliveryMetrics);
    if (Percent() < 1) metric = "link_previewed";  // a metric Customer.io may add one day
    const bool email = object_type == "email";
    const bool clicked = metric.find("clicked") != std::string_view::npos;
    const bool failed = metric == "failed" || metric == "bounced" || metric == "dropped" ||
                        metric == "undeliverable" || metric == "deferred";
    const uint32_t person = Below(50000);

    std::string out;
    ObjectWriter event(&out);
    if (Percent() >= 1) {  // 1%: no data at all
      ObjectWriter data = event.Object("data");
      IdMaybeString(&data, "action_id", 1 + Below(500), 20);
      if (uint32_t c = Percent(); c < 55) {
        data.Int("campaign_id", 1 + Below(400));
      } else if (c < 70) {
        data.String("campaign_id", std::to_string(1 + Below(400)));
      } else if (c < 85) {
        data.Int("broadcast_id", 1 + Below(40));
      } else {
        data.Int("newsletter_id", 1 + Below(60));
      }
      if (Percent() < 10) data.Int("content_id", 1 + Below(900));
      std::string customer_id = "acct-" + std::to_string(person);
      if (uint32_t c = Percent(); c < 85) {
        data.String("customer_id", customer_id);
      } else if (c < 90) {
        data.Int("customer_id", person);
      }  // else: only identifiers.id
      if (object_type != "customer") data.String("delivery_id", "dlv_" + Token(10));
      if (object_type == "customer" && Percent() < 60) {
        data.String("email_address", EmailForm(person));
      }
      if (failed) data.String("failure_message", Pick(kFailures));
      if (email && Percent() < 8 && (metric == "sent" || metric == "drafted")) {
        data.String("content", Html(300 + Below(1100)));
      }
      if (email && Percent() < 5) {
        data.Raw("headers",
                 "{\"X-Mailer\":\"Customer.io\",\"List-Unsubscribe\":\"<https://track.example."
                 "org/unsubscribe/" +
                     Token(16) + ">\"}");
      }
      if (clicked)
        data.String("href",
                    "https://shop.example.org/" + std::string(Pick(kPaths)) + "?utm_source=cio");
      {
        ObjectWriter ids = data.Object("identifiers");
        if (Percent() < 70) ids.String("cio_id", Hex(12));
        if (Percent() < 50) ids.String("email", Email(person));
        ids.String("id", customer_id);
        ids.Finish();
      }
      if (Percent() < 30) data.String("journey_id", "jrn_" + Token(6));
      if (clicked) data.Int("link_id", 1 + Below(12));
      if (Percent() < 10) data.Int("parent_action_id", 1 + Below(500));
      if (email) {
        if (Percent() < 90) data.String("recipient", EmailForm(person));
      } else if (object_type == "sms") {
        data.String("recipient", "+1555555" + std::to_string(1000 + Below(9000)));
      } else if (object_type == "webhook") {
        data.String("recipient", "https://hooks.example.org/cio/" + std::to_string(Below(99)));
      } else if (object_type == "slack") {
        data.String("recipient", "#growth");
      } else if (object_type == "push") {
        std::string devices =
            "[{\"device_id\":\"fcm:" + Token(22) + "\",\"device_platform\":\"android\"}";
        if (Percent() < 30) {
          devices += ",{\"device_id\":\"apns:" + Hex(32) + "\",\"device_platform\":\"ios\"}";
        }
        data.Raw("recipients", devices + "]");
      }
      if (email) data.String("subject", Pick(kSubjects));
      if (Percent() < 5) data.Int("transactional_message_id", 1 + Below(30));
      data.Finish();
    }
    EventId(&event, index);
    event.String("metric", metric);
    // Customer.io has written in-app both ways.
    event.String("object_type", object_type == "in_app" && Percent() < 25 ? "in-app" : object_type);
    Timestamp(&event, index);
    event.Finish();
    return out;
  }

  std::string Legacy(size_t index) {
    static constexpr std::string_view kEventTypes[] = {
        "email_drafted", "email_sent",          "email_delivered",       "email_opened",
        "email_opened",  "email_clicked",       "email_link_clicked",    "email_bounced",
        "email_spammed", "email_dropped",       "email_unsubscribed",    "email_converted",
        "email_failed",  "customer_subscribed", "customer_unsubscribed", "push_sent",
        "sms_sent",      "in_app_opened"};
    std::string_view event_type = Pick(kEventTypes);
    const uint32_t person = Below(50000);
    const uint32_t campaign = 1 + Below(120);
    const std::string campaign_name =
        std::string(Pick(kCampaigns)) + " - Day " + std::to_string(1 + Below(14));
    std::string out;
    ObjectWriter event(&out);
    {
      ObjectWriter data = event.Object("data");
      const bool variables_only = Percent() < 15;  // campaign only in variables.campaign
      if (!variables_only) {
        data.String("campaign_id", std::to_string(campaign));
        data.String("campaign_name", campaign_name);
      }
      data.String("customer_id", "u-" + std::to_string(person));
      if (uint32_t c = Percent(); c < 80) {
        data.String("email_address", EmailForm(person));
      } else if (c < 90) {
        data.Raw("email_address", "null");
      } else if (c < 95) {
        data.String("email_address", "unknown");
      }  // else: missing
      data.String("email_id", "em_" + Token(6));
      if (event_type.find("clicked") != std::string_view::npos) {
        data.String("href", "https://shop.example.org/" + std::string(Pick(kPaths)));
        data.String("link_id", std::to_string(1 + Below(12)));
      }
      data.String("message_id", std::to_string(1 + Below(99)));
      data.String("message_name", "Day " + std::to_string(1 + Below(14)) + " tips");
      if (Percent() < 10) {
        data.Raw("subject", "null");
      } else {
        data.String("subject", Pick(kSubjects));
      }
      data.String("template_id", std::to_string(1 + Below(20)));
      if (variables_only || Percent() < 50) {
        ObjectWriter vars = data.Object("variables");
        ObjectWriter c = vars.Object("campaign");
        IdMaybeString(&c, "id", campaign, 50);
        c.String("name", campaign_name);
        c.Finish();
        ObjectWriter who = vars.Object("customer");
        who.String("email", Email(person));
        who.String("id", "u-" + std::to_string(person));
        who.String("plan", Percent() < 30 ? "pro" : "free");
        who.Finish();
        vars.Finish();
      }
      data.Finish();
    }
    EventId(&event, index);
    event.String("event_type", event_type);
    Timestamp(&event, index);
    event.Finish();
    return out;
  }

  std::string Unmappable(size_t index) {
    std::string out;
    ObjectWriter event(&out);
    switch (Below(3)) {
      case 0:
        event.Int("foo", Below(100));
        break;
      case 1:  // an object_type without a metric, and no event_type
        event.Raw("data", "{\"customer_id\":\"acct-1\"}");
        event.String("object_type", "email");
        break;
      default:  // event_type without an '_'
        event.String("event_type", "pageview");
        break;
    }
    EventId(&event, index);
    Timestamp(&event, index);
    event.Finish();
    return out;
  }

 private:
  static constexpr std::string_view kFirst[] = {"Dana", "Sam", "Lee", "Ana", "Noor", "Kai",
                                                "Ravi", "Mia", "Jon", "Zoe", "Ike",  "Lou"};
  static constexpr std::string_view kLast[] = {"Ortiz", "Reyes", "Park",  "Silva", "Haddad",
                                               "Kim",   "Nair",  "Rossi", "Berg",  "Okafor"};
  static constexpr std::string_view kDomains[] = {"example.org", "example.com", "Example.NET",
                                                  "mail.example.io"};
  static constexpr std::string_view kSubjects[] = {
      "Your spring plan is ready",
      "Three tips for your first week",
      "June newsletter",
      "We miss you - 20% off inside",
      "Your receipt from Example Shop",
      "Verify your email address to finish signing up"};
  static constexpr std::string_view kFailures[] = {
      "550 5.1.1 mailbox does not exist", "received 502 from endpoint",
      "device token is no longer valid", "message rejected: spam content"};
  static constexpr std::string_view kPaths[] = {"spring", "pricing", "account/settings",
                                                "blog/2024/06/launch", "cart"};
  static constexpr std::string_view kCampaigns[] = {"Onboarding", "Winback", "Trial ending",
                                                    "Newsletter"};

  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }
  uint32_t Percent() { return Below(100); }
  template <size_t N>
  std::string_view Pick(const std::string_view (&values)[N]) {
    return values[Below(N)];
  }

  std::string Token(size_t n) {
    static constexpr char kChars[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    std::string s(n, ' ');
    for (char& c : s) c = kChars[Below(62)];
    return s;
  }
  std::string Hex(size_t n) {
    std::string s(n, ' ');
    for (char& c : s) c = "0123456789abcdef"[Below(16)];
    return s;
  }

  // A person's plain address, lowercase.
  std::string Email(uint32_t person) {
    std::string first(kFirst[person % std::size(kFirst)]);
    std::string last(kLast[person / 7 % std::size(kLast)]);
    std::string s =
        first + "." + last + std::to_string(person) + "@" + std::string(kDomains[person % 3]);
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  // The same address the way it arrives: plain, mixed case, "Name <ADDR>", padded, or (2%)
  // not an address at all.
  std::string EmailForm(uint32_t person) {
    std::string plain = Email(person);
    uint32_t p = Percent();
    if (p < 50) return plain;
    if (p < 65) {
      std::string upper = plain;
      for (size_t i = 0; i < upper.size(); i += 2) {
        upper[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[i])));
      }
      return upper;
    }
    if (p < 90) {
      std::string upper = plain;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return std::string(kFirst[person % std::size(kFirst)]) + " " +
             std::string(kLast[person / 7 % std::size(kLast)]) + " <" + upper + ">";
    }
    if (p < 98) return "  " + plain + " ";
    return "Friend of " + plain.substr(0, plain.find('@'));
  }

  std::string Html(size_t approx) {
    std::string s = "<html><body><h1>Hello {{customer.first_name}}</h1>";
    while (s.size() < approx) {
      s += "<p>Here is what is new this week at Example Shop: ";
      s += Pick(kSubjects);
      s += ". <a href=\"https://shop.example.org/" + std::string(Pick(kPaths)) +
           "\">Read more</a></p>";
    }
    return s + "</body></html>";
  }

  // `key` as a number, or with probability `string_percent`% as its decimal string.
  void IdMaybeString(ObjectWriter* w, std::string_view key, int64_t value,
                     uint32_t string_percent) {
    if (Percent() < string_percent) {
      w->String(key, std::to_string(value));
    } else {
      w->Int(key, value);
    }
  }

  // Unique per (seed, index): ULID-like text, or for 2% a number.
  void EventId(ObjectWriter* w, size_t index) {
    const uint64_t unique = (seed_ % 100000) * 100000000ULL + index;
    if (Percent() < 2) {
      last_id_ = std::to_string(9000000000000000ULL + unique);
      w->Raw("event_id", last_id_);
      return;
    }
    static constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    std::string id = "01HZ";
    for (int shift = 60; shift >= 0; shift -= 5) id.push_back(kCrockford[(unique >> shift) & 31]);
    for (int i = 0; i < 9; ++i) id.push_back(kCrockford[Below(32)]);
    w->String("event_id", id);
    last_id_ = std::move(id);
  }

  void Timestamp(ObjectWriter* w, size_t index) {
    const int64_t s = 1717000000 + static_cast<int64_t>(index % 5000000) * 3 + Below(3);
    uint32_t p = Percent();
    if (p < 74) {
      w->Int("timestamp", s);
    } else if (p < 86) {
      w->String("timestamp", std::to_string(s));
    } else if (p < 91) {
      w->Int("timestamp", s * 1000 + Below(1000));
    } else if (p < 94) {
      w->Raw("timestamp", std::to_string(s) + "." + std::to_string(1 + Below(9)));
    } else if (p < 96) {
      const time_t t = s;
      std::tm tm{};
      gmtime_r(&t, &tm);
      char buf[32];
      std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
      w->String("timestamp", buf);
    } else if (p < 98) {
      w->String("timestamp", "abc");
    } else if (p < 99) {
      w->Raw("timestamp", "null");
    }  // else: no timestamp
  }

  uint64_t seed_;
  std::mt19937_64 rng_;
  std::string last_id_;
};

}  // namespace

Corpus GenerateCorpus(const CorpusOptions& options) {
  Generator g(options.seed);
  Corpus c;
  c.events.reserve(options.events);
  c.ids.reserve(options.events);
  c.mappable.reserve(options.events);
  for (size_t i = 0; i < options.events; ++i) {
    const int format = g.Format();
    switch (format) {
      case 0:
        c.events.push_back(g.Current(i));
        ++c.current;
        break;
      case 1:
        c.events.push_back(g.Legacy(i));
        ++c.legacy;
        break;
      default:
        c.events.push_back(g.Unmappable(i));
        ++c.unmappable;
        break;
    }
    c.ids.push_back(g.last_id());
    c.mappable.push_back(format != 2);
    c.bytes += c.events.back().size();
  }
  return c;
}

}  // namespace cohort::bench
