// The Customer.io processor stage against a real `cohort serve` process (issue 3, must-show 2):
// every fixture of ../shared/fixtures/customerio becomes exactly one flat `customerio_events`
// record with the fields of SPEC §4, duplicates become none, unmappable events stay raw and
// are counted, and an unparsable timestamp falls back to the receive time and is counted.
#include <algorithm>
#include <iterator>
#include <map>

#include "corpus.h"
#include "harness.h"

namespace cohort::integration {
namespace {

using corpus::Metric;
using corpus::WaitForPipeline;

const char kRaw[] = "customerio";
const char kEvents[] = "customerio_events";

// The keys a flat record may have (SPEC §4 table, in the processor's order).
constexpr std::string_view kRecordFields[] = {"event_id",
                                              "object_type",
                                              "metric",
                                              "event",
                                              "timestamp",
                                              "customer_id",
                                              "cio_id",
                                              "email",
                                              "campaign_id",
                                              "campaign_name",
                                              "action_id",
                                              "broadcast_id",
                                              "newsletter_id",
                                              "content_id",
                                              "journey_id",
                                              "parent_action_id",
                                              "transactional_message_id",
                                              "delivery_id",
                                              "subject",
                                              "href",
                                              "link_id",
                                              "recipient",
                                              "failure_message",
                                              "message_id",
                                              "template_id"};

bool IsRecordField(std::string_view key) {
  return std::find(std::begin(kRecordFields), std::end(kRecordFields), key) !=
         std::end(kRecordFields);
}

// What SPEC §4 says about each fixture's record: a handful of exact values (all strings but
// `timestamp`) and fields it must not have.
struct Expected {
  std::string fixture;
  int64_t timestamp;
  std::map<std::string, std::string> fields;
  std::vector<std::string> absent;
};

const std::vector<Expected>& ExpectedRecords() {
  static const auto* kExpected = new std::vector<Expected>{
      {"current_customer_unsubscribed.json",
       1717333200,
       {{"object_type", "customer"},
        {"metric", "unsubscribed"},
        {"event", "customer_unsubscribed"},
        {"customer_id", "acct-7781"},
        {"email", "lee.park@example.net"}},  // "Lee Park <Lee.Park@Example.NET>"
       {"campaign_id", "delivery_id", "recipient"}},
      {"current_email_bounced.json",
       1717329600,  // the numeric string "1717329600"
       {{"event", "email_bounced"},
        {"email", "old.address@example.net"},  // from recipient: an email object
        {"broadcast_id", "14"},
        {"newsletter_id", "31"},
        {"delivery_id", "dlv_Q2w3E4r5"},
        {"failure_message", "550 5.1.1 mailbox does not exist"}},
       {"campaign_id", "cio_id"}},
      {"current_email_clicked.json",
       1717250530,
       {{"event", "email_clicked"},
        {"campaign_id", "118"},  // the number 118
        {"action_id", "52"},
        {"link_id", "3"},
        {"cio_id", "a1b2c3d4e5f6"},
        {"email", "dana.ortiz@example.org"},
        {"href", "https://shop.example.org/spring?utm_source=cio"}},
       {"campaign_name"}},
      {"current_email_opened.json",
       1717250412,
       {{"object_type", "email"},
        {"metric", "opened"},
        {"event", "email_opened"},
        {"customer_id", "acct-4410"},
        {"campaign_id", "118"},
        {"delivery_id", "dlv_8WqZ1kLr"},
        {"subject", "Your spring plan is ready"}},
       {"href", "link_id"}},
      {"current_email_sent.json",
       1717243200,
       {{"event", "email_sent"}, {"recipient", "dana.ortiz@example.org"}, {"action_id", "52"}},
       {"failure_message"}},
      {"current_in_app_opened.json",
       1717350000,
       {{"object_type", "in_app"},
        {"event", "in_app_opened"},
        {"journey_id", "jrn_01HZ7"},
        {"action_id", "90"},
        {"delivery_id", "dlv_ia_3"}},
       {"email", "recipient", "campaign_id"}},
      {"current_push_opened.json",
       1717340000,
       {{"event", "push_opened"}, {"campaign_id", "205"}, {"delivery_id", "dlv_push_91"}},
       {"email", "recipient"}},
      {"current_sms_clicked.json",
       1717345000,
       {{"event", "sms_clicked"},
        {"recipient", "+15555550123"},
        {"link_id", "1"},
        {"broadcast_id", "6"},
        {"customer_id", "acct-5120"}},
       {"email", "cio_id"}},
      {"current_webhook_failed.json",
       1717355000,
       {{"event", "webhook_failed"},
        {"recipient", "https://hooks.example.org/cio"},
        {"campaign_id", "77"},
        {"failure_message", "received 502 from endpoint"}},
       {"email"}},
      {"legacy_email_drafted_no_email.json",
       1522339100,
       {{"object_type", "email"},  // event_type "email_drafted", split at the first '_'
        {"metric", "drafted"},
        {"event", "email_drafted"},
        {"campaign_id", "44"},
        {"campaign_name", "Onboarding - Day 3"},
        {"delivery_id", "em_Dr4ft"},  // legacy email_id
        {"template_id", "7"}},
       {"email", "subject"}},  // email_address and subject are null
      {"legacy_email_opened.json",
       1522339032,
       {{"object_type", "email"},
        {"metric", "opened"},
        {"event", "email_opened"},
        {"email", "sam.reyes@example.com"},  // "Sam Reyes <SAM.reyes@example.com>"
        {"customer_id", "u-9001"},
        {"delivery_id", "em_L3g4cY"},
        {"message_id", "19"},
        {"subject", "Three tips for your first week"}},
       {"cio_id"}},
  };
  return *kExpected;
}

std::string Collect() { return CollectPath(kRaw) + "?key="; }

std::string Str(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

// Checks that hold for every flat record: only SPEC §4 fields, strings except an integer
// `timestamp`, event = object_type_metric, and event_time = timestamp when there is one.
void CheckRecordShape(const boost::json::object& item, const std::string& what) {
  ASSERT_TRUE(item.at("event").is_object()) << what << ": " << item;
  const boost::json::object& rec = item.at("event").as_object();
  for (const auto& [key, value] : rec) {
    EXPECT_TRUE(IsRecordField(key)) << what << ": unexpected field " << key;
    if (key == "timestamp") {
      EXPECT_TRUE(value.is_int64()) << what << ": timestamp " << value;
    } else {
      EXPECT_TRUE(value.is_string()) << what << ": " << key << " = " << value;
    }
  }
  EXPECT_FALSE(Str(rec, "object_type").empty()) << what;
  EXPECT_FALSE(Str(rec, "metric").empty()) << what;
  EXPECT_EQ(Str(rec, "event"), Str(rec, "object_type") + "_" + Str(rec, "metric")) << what;
  if (const boost::json::value* ts = rec.if_contains("timestamp"); ts && ts->is_int64()) {
    EXPECT_EQ(ParseRfc3339Ms(item.at("event_time").as_string()), ts->as_int64() * 1000)
        << what << ": event_time " << item.at("event_time");
  }
}

// customerio_events read back through the API, keyed by event_id; a record stored twice or
// without an event_id is a failure.
std::map<std::string, boost::json::object> RecordsById(const ServerProcess& server) {
  std::string error;
  std::map<std::string, boost::json::object> out;
  for (auto& item : ReadAllEvents(server, kEvents, 100, &error)) {
    std::string id =
        item.at("event").is_object() ? Str(item.at("event").as_object(), "event_id") : "";
    EXPECT_FALSE(id.empty()) << "a record without event_id: " << item;
    EXPECT_TRUE(out.emplace(id, item).second) << "two records for event_id " << id;
  }
  EXPECT_EQ(error, "");
  return out;
}

bool HasField(const boost::json::value& info, std::string_view name) {
  if (!info.is_object() || !info.as_object().contains("fields")) return false;
  for (const auto& f : info.as_object().at("fields").as_array()) {
    if (f.is_object() && f.as_object().contains("name") && f.at("name").as_string() == name) {
      return true;
    }
  }
  return false;
}

class ProcessorTest : public ServerTest {
 protected:
  // Posts every event fixture, one request each, and checks each is acknowledged.
  void PostFixtures() {
    for (const auto& name : EventFixtureNames()) {
      Reply r = server().Post(Collect() + collect(), ReadFixture(name), "");
      ASSERT_EQ(r.status, 200) << name << ": " << r.Describe();
    }
  }
};

TEST_F(ProcessorTest, EveryFixtureBecomesOneFlatRecord) {
  const std::vector<std::string> names = EventFixtureNames();
  ASSERT_EQ(names.size(), ExpectedRecords().size()) << "a fixture without expectations here";
  ASSERT_NO_FATAL_FAILURE(PostFixtures());
  ASSERT_TRUE(WaitForPipeline(server(), 30s));

  auto records = RecordsById(server());
  EXPECT_EQ(records.size(), names.size());
  for (const Expected& want : ExpectedRecords()) {
    boost::json::value fixture = ParseJson(ReadFixture(want.fixture));
    ASSERT_TRUE(fixture.is_object()) << want.fixture;
    const std::string id = Str(fixture.as_object(), "event_id");
    auto it = records.find(id);
    ASSERT_NE(it, records.end()) << want.fixture << " (" << id << ") has no record";
    SCOPED_TRACE(want.fixture + ": " + boost::json::serialize(it->second.at("event")));
    ASSERT_NO_FATAL_FAILURE(CheckRecordShape(it->second, want.fixture));
    const boost::json::object& rec = it->second.at("event").as_object();
    EXPECT_EQ(IntField(rec, "timestamp"), want.timestamp);
    for (const auto& [key, value] : want.fields) EXPECT_EQ(Str(rec, key), value) << key;
    for (const auto& key : want.absent) EXPECT_FALSE(rec.contains(key)) << key;
    // Raw-only parts of the payload are not copied.
    for (const char* key : {"content", "headers", "variables", "recipients", "identifiers", "data",
                            "event_type", "message_name"}) {
      EXPECT_FALSE(rec.contains(key)) << key;
    }
  }

  // The stream API shows the flat records and their field catalogue; the raw stream is
  // untouched and nothing was unmapped.
  boost::json::value info = StreamInfo(server(), kEvents);
  EXPECT_EQ(IntField(info, "event_count"), static_cast<int64_t>(names.size())) << info;
  EXPECT_EQ(IntField(info, "duplicate_count"), 0) << info;
  for (const char* f : {"event_id", "event", "email", "campaign_id", "timestamp", "recipient"}) {
    EXPECT_TRUE(HasField(info, f)) << f << " is not in the field catalogue: " << info;
  }
  for (const char* f : {"data", "content", "recipients", "identifiers"}) {
    EXPECT_FALSE(HasField(info, f)) << f << " is in the field catalogue: " << info;
  }
  boost::json::value raw = StreamInfo(server(), kRaw);
  EXPECT_EQ(IntField(raw, "event_count"), static_cast<int64_t>(names.size())) << raw;
  EXPECT_EQ(IntField(raw, "unmapped_count"), 0) << raw;
  EXPECT_EQ(Metric(server(), "cohort_events_collected_total{stream=\"customerio_events\"}"),
            static_cast<double>(names.size()));
}

TEST_F(ProcessorTest, DuplicatesYieldNoRecords) {
  ASSERT_NO_FATAL_FAILURE(PostFixtures());
  ASSERT_TRUE(WaitForPipeline(server(), 30s));
  const int64_t n = static_cast<int64_t>(EventFixtureNames().size());
  ASSERT_EQ(IntField(StreamInfo(server(), kEvents), "event_count"), n);

  // The same events again: one by one, then all of them in one NDJSON body.
  ASSERT_NO_FATAL_FAILURE(PostFixtures());
  std::string ndjson;
  for (const auto& name : EventFixtureNames()) ndjson += ReadFixture(name) + "\n";
  Reply r = server().Post(Collect() + collect(), ndjson, "");
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(DataInt(r, "duplicate_count"), n) << r.Describe();
  ASSERT_TRUE(WaitForPipeline(server(), 30s));

  boost::json::value raw = StreamInfo(server(), kRaw);
  EXPECT_EQ(IntField(raw, "event_count"), n) << raw;
  EXPECT_EQ(IntField(raw, "duplicate_count"), 2 * n) << raw;
  boost::json::value events = StreamInfo(server(), kEvents);
  EXPECT_EQ(IntField(events, "event_count"), n) << events;
  // Not even attempted: a record the processor re-derived would show up here.
  EXPECT_EQ(IntField(events, "duplicate_count"), 0) << events;
  EXPECT_EQ(RecordsById(server()).size(), static_cast<size_t>(n));

  // A restart resumes from the checkpoint: nothing is processed twice.
  ASSERT_TRUE(server().Restart().ok());
  ASSERT_TRUE(WaitForPipeline(server(), 30s));
  events = StreamInfo(server(), kEvents);
  EXPECT_EQ(IntField(events, "event_count"), n) << events;
  EXPECT_EQ(IntField(events, "duplicate_count"), 0) << events;
}

TEST_F(ProcessorTest, UnmappableEventIsKeptRawAndCounted) {
  const std::string unmappable = R"({"event_id":"u1","foo":1})";
  Reply r = server().Post(Collect() + collect(), unmappable, "");
  ASSERT_EQ(r.status, 200) << r.Describe();
  // A mappable event after it shows the pipeline went past it.
  r = server().Post(Collect() + collect(), ReadFixture("current_email_opened.json"), "");
  ASSERT_EQ(r.status, 200) << r.Describe();
  ASSERT_TRUE(WaitForPipeline(server(), 30s));

  boost::json::value raw = StreamInfo(server(), kRaw);
  EXPECT_EQ(IntField(raw, "event_count"), 2) << raw;
  EXPECT_EQ(IntField(raw, "unmapped_count"), 1) << raw;
  EXPECT_EQ(Metric(server(), "cohort_events_unmapped_total{stream=\"customerio\"}"), 1.0);
  auto records = RecordsById(server());
  EXPECT_EQ(records.size(), 1u);
  EXPECT_TRUE(records.contains("01HZ8M9W2B6C4D8E0F2G4H6J8K"));
  EXPECT_FALSE(records.contains("u1"));

  // The raw event is kept as received.
  std::string error;
  bool found = false;
  for (const auto& item : ReadAllEvents(server(), kRaw, 100, &error)) {
    if (item.at("event") == ParseJson(unmappable)) found = true;
  }
  EXPECT_EQ(error, "");
  EXPECT_TRUE(found) << "the unmappable event is not in the raw stream";

  // The count is durable and not repeated by a restart.
  ASSERT_TRUE(server().Restart().ok());
  ASSERT_TRUE(WaitForPipeline(server(), 30s));
  EXPECT_EQ(IntField(StreamInfo(server(), kRaw), "unmapped_count"), 1);
}

TEST_F(ProcessorTest, UnparsableTimestampFallsBackToReceiveTimeAndIsCounted) {
  const std::string event =
      R"({"event_id":"ts-abc","object_type":"email","metric":"opened","timestamp":"abc",)"
      R"("data":{"identifiers":{"email":"X@Example.org"},"campaign_id":9}})";
  const int64_t before_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
  Reply r = server().Post(Collect() + collect(), event, "");
  ASSERT_EQ(r.status, 200) << r.Describe();
  const int64_t after_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  ASSERT_TRUE(WaitForPipeline(server(), 30s));

  auto records = RecordsById(server());
  ASSERT_TRUE(records.contains("ts-abc"));
  const boost::json::object& item = records["ts-abc"];
  ASSERT_NO_FATAL_FAILURE(CheckRecordShape(item, "ts-abc"));
  const boost::json::object& rec = item.at("event").as_object();
  EXPECT_EQ(Str(rec, "event"), "email_opened");
  EXPECT_EQ(Str(rec, "email"), "x@example.org");
  EXPECT_EQ(Str(rec, "campaign_id"), "9");
  EXPECT_FALSE(rec.contains("timestamp")) << rec;
  const int64_t event_time = ParseRfc3339Ms(item.at("event_time").as_string());
  EXPECT_EQ(event_time, ParseRfc3339Ms(item.at("received_at").as_string())) << item;
  EXPECT_GE(event_time, before_ms - 1000) << item;  // the API renders whole ms; allow clock skew
  EXPECT_LE(event_time, after_ms + 1000) << item;

  EXPECT_EQ(IntField(StreamInfo(server(), kRaw), "timestamp_fallback_count"), 1);
  EXPECT_EQ(IntField(StreamInfo(server(), kEvents), "timestamp_fallback_count"), 1);
  EXPECT_EQ(Metric(server(), "cohort_events_time_fallback_total{stream=\"customerio_events\"}"),
            1.0);
}

// SPEC §4 cases the fixtures do not cover, end to end (the golden tests cover all of them
// for the pure processor).
TEST_F(ProcessorTest, FallbacksAndPassThroughs) {
  const std::string body =
      // customer_id only in identifiers.id
      R"({"event_id":"f1","object_type":"email","metric":"delivered","timestamp":1717000000,)"
      R"("data":{"identifiers":{"id":"acct-9"},"recipient":"Kim <KIM@example.org>"}})"
      "\n"
      // in-app, an unknown metric
      R"({"event_id":"f2","object_type":"in-app","metric":"link_previewed","timestamp":1717000001})"
      "\n"
      // legacy: campaign only in variables, email_address null
      R"({"event_id":"f3","event_type":"email_clicked","timestamp":"1717000002",)"
      R"("data":{"email_address":null,"variables":{"campaign":{"id":31,"name":"Winback"}}}})"
      "\n";
  Reply r = server().Post(Collect() + collect(), body, "");
  ASSERT_EQ(r.status, 200) << r.Describe();
  ASSERT_TRUE(WaitForPipeline(server(), 30s));
  auto records = RecordsById(server());
  ASSERT_EQ(records.size(), 3u);
  for (const auto& [id, item] : records) ASSERT_NO_FATAL_FAILURE(CheckRecordShape(item, id));
  const auto& f1 = records["f1"].at("event").as_object();
  EXPECT_EQ(Str(f1, "customer_id"), "acct-9") << f1;
  EXPECT_EQ(Str(f1, "email"), "kim@example.org") << f1;
  const auto& f2 = records["f2"].at("event").as_object();
  EXPECT_EQ(Str(f2, "event"), "in_app_link_previewed") << f2;
  const auto& f3 = records["f3"].at("event").as_object();
  EXPECT_EQ(Str(f3, "event"), "email_clicked") << f3;
  EXPECT_EQ(Str(f3, "campaign_id"), "31") << f3;
  EXPECT_EQ(Str(f3, "campaign_name"), "Winback") << f3;
  EXPECT_EQ(IntField(f3, "timestamp"), 1717000002) << f3;
  EXPECT_FALSE(f3.contains("email")) << f3;
}

}  // namespace
}  // namespace cohort::integration
