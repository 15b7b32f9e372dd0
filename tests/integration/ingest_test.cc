// POST /collect/json/{stream} and the stream API against a real `cohort serve` process
// (issue 2, must-show 2-4): the Customer.io fixtures, de-duplication, paging, signatures,
// body shapes and their errors, event time.
#include <map>
#include <set>

#include "harness.h"

namespace cohort::integration {
namespace {

const char kCio[] = "customerio";

// The `timestamp` of a fixture (number or numeric string, Unix seconds) in ms.
int64_t FixtureTimestampMs(const boost::json::object& fixture) {
  const boost::json::value& t = fixture.at("timestamp");
  if (t.is_string()) return std::stoll(std::string(t.as_string())) * 1000;
  return t.to_number<int64_t>() * 1000;
}

// The `fields` entry named `name` of GET /api/stream/{name}, or null.
boost::json::value FieldEntry(const boost::json::value& info, const std::string& name) {
  if (!info.is_object() || !info.as_object().contains("fields")) return nullptr;
  for (const auto& f : info.as_object().at("fields").as_array()) {
    if (f.at("name").as_string() == name) return f;
  }
  return nullptr;
}

// The stored events of `stream`, keyed by event_id.
std::map<std::string, boost::json::object> EventsById(const ServerProcess& s,
                                                      const std::string& stream) {
  std::string error;
  std::map<std::string, boost::json::object> out;
  for (auto& e : ReadAllEvents(s, stream, 100, &error)) {
    const auto& ev = e.at("event").as_object();
    std::string id = ev.contains("event_id") ? std::string(ev.at("event_id").as_string()) : "";
    EXPECT_TRUE(out.emplace(id, e).second) << "event " << id << " is stored twice";
  }
  EXPECT_EQ(error, "");
  return out;
}

class IngestTest : public ServerTest {};

TEST_F(IngestTest, EveryFixtureIsStoredReadBackAndDeduplicated) {
  const std::vector<std::string> names = EventFixtureNames();
  ASSERT_GE(names.size(), 11u);
  for (const auto& name : names) {
    Reply r = server().Post(CollectPath(kCio), ReadFixture(name), "",
                            {{"Content-Type", "application/json"}, {"Authorization", collect()}});
    ASSERT_EQ(r.status, 200) << name << ": " << r.Describe();
    EXPECT_EQ(DataInt(r, "message_count"), 1) << name;
    EXPECT_EQ(DataInt(r, "rejected_count"), 0) << name;
    EXPECT_EQ(DataInt(r, "duplicate_count"), 0) << name;
  }
  const int64_t n = static_cast<int64_t>(names.size());
  EXPECT_EQ(IntField(StreamInfo(server(), kCio), "event_count"), n);

  auto stored = EventsById(server(), kCio);
  ASSERT_EQ(stored.size(), names.size());
  for (const auto& name : names) {
    boost::json::value fixture = ParseJson(ReadFixture(name));
    ASSERT_TRUE(fixture.is_object()) << name;
    std::string id(fixture.at("event_id").as_string());
    ASSERT_TRUE(stored.contains(id)) << name << " (" << id << ") was not read back";
    const auto& item = stored[id];
    EXPECT_EQ(item.at("event"), fixture) << name << ": stored " << item.at("event");
    EXPECT_EQ(ParseRfc3339Ms(item.at("event_time").as_string()),
              FixtureTimestampMs(fixture.as_object()))
        << name << ": event_time " << item.at("event_time");
    EXPECT_GT(ParseRfc3339Ms(item.at("received_at").as_string()), 1'600'000'000'000) << name;
  }

  // Every retry is acknowledged as a duplicate and stored nowhere.
  for (const auto& name : names) {
    Reply r = server().Post(CollectPath(kCio) + "?key=" + collect(), ReadFixture(name), "");
    ASSERT_EQ(r.status, 200) << name << ": " << r.Describe();
    EXPECT_EQ(DataInt(r, "message_count"), 1) << name;
    EXPECT_EQ(DataInt(r, "duplicate_count"), 1) << name;
  }
  boost::json::value info = StreamInfo(server(), kCio);
  EXPECT_EQ(IntField(info, "event_count"), n);
  EXPECT_EQ(IntField(info, "duplicate_count"), n);
  EXPECT_EQ(IntField(info, "timestamp_fallback_count"), 0);
  EXPECT_GT(IntField(info, "bytes"), 0);
  EXPECT_EQ(EventsById(server(), kCio).size(), names.size());

  // The field catalogue counts stored events only, with up to 5 samples.
  const std::map<std::string, int64_t> expected_counts = {
      {"event_id", n},   {"timestamp", n},  {"data", n},
      {"event_type", 2}, {"metric", n - 2}, {"object_type", n - 2}};
  for (const auto& [field, count] : expected_counts) {
    boost::json::value f = FieldEntry(info, field);
    ASSERT_TRUE(f.is_object()) << "no field " << field << " in " << info;
    EXPECT_EQ(IntField(f, "count"), count) << field;
    const auto& samples = f.at("samples").as_array();
    EXPECT_GE(samples.size(), 1u) << field;
    EXPECT_LE(samples.size(), 5u) << field;
  }
  const auto& metric_samples = FieldEntry(info, "metric").at("samples").as_array();
  EXPECT_NE(std::find(metric_samples.begin(), metric_samples.end(), boost::json::value("opened")),
            metric_samples.end())
      << metric_samples;

  // The stream list has the same counts.
  Reply list = server().Get("/api/stream", admin());
  ASSERT_EQ(list.status, 200) << list.Describe();
  bool found = false;
  for (const auto& s : list.Data().as_array()) {
    if (s.at("name").as_string() != kCio) continue;
    found = true;
    EXPECT_EQ(IntField(s, "event_count"), n);
    EXPECT_GT(ParseRfc3339Ms(s.at("first_received").as_string()), 0) << s;
    EXPECT_GE(ParseRfc3339Ms(s.at("last_received").as_string()),
              ParseRfc3339Ms(s.at("first_received").as_string()));
    EXPECT_FALSE(s.as_object().contains("fields")) << "the list should not carry fields";
  }
  EXPECT_TRUE(found) << list.body;
}

TEST_F(IngestTest, EventsPageNewestFirstUntilAnEmptyPage) {
  const int kEvents = 25;
  for (int i = 0; i < kEvents; ++i) {
    Reply r = server().Post(
        CollectPath("paging"),
        "{\"event_id\":\"p" + std::to_string(i) + "\",\"n\":" + std::to_string(i) + "}", collect());
    ASSERT_EQ(r.status, 200) << r.Describe();
  }
  std::vector<int64_t> seqs;
  std::vector<int64_t> ns;
  int64_t before = 0;
  std::vector<size_t> page_sizes;
  for (int guard = 0; guard < 20; ++guard) {
    std::string target = "/api/stream/paging/events?limit=7";
    if (before) target += "&before=" + std::to_string(before);
    Reply r = server().Get(target, admin());
    ASSERT_EQ(r.status, 200) << target << ": " << r.Describe();
    const auto& page = r.Data().as_array();
    page_sizes.push_back(page.size());
    if (page.empty()) break;
    for (const auto& e : page) {
      seqs.push_back(IntField(e, "seq"));
      ns.push_back(IntField(e.at("event"), "n"));
    }
    before = seqs.back();
  }
  EXPECT_EQ(page_sizes, (std::vector<size_t>{7, 7, 7, 4, 0}));
  ASSERT_EQ(ns.size(), static_cast<size_t>(kEvents));
  for (int i = 0; i < kEvents; ++i) {
    EXPECT_EQ(ns[i], kEvents - 1 - i) << "events are not newest first";
    if (i) {
      EXPECT_LT(seqs[i], seqs[i - 1]) << "seq does not decrease";
    }
  }

  EXPECT_EQ(server().Get("/api/stream/paging/events?limit=0", admin()).status, 400);
  EXPECT_EQ(server().Get("/api/stream/paging/events?before=abc", admin()).status, 400);
  EXPECT_EQ(server().Get("/api/stream/nosuchstream/events", admin()).status, 404);
  EXPECT_EQ(server().Get("/api/stream/nosuchstream", admin()).status, 404);
}

TEST_F(IngestTest, SignedWebhooksAreVerified) {
  boost::json::value example = ParseJson(ReadFixture("signature_example.json"));
  ASSERT_TRUE(example.is_object());
  const std::string key(example.at("signing_key").as_string());
  const std::string ts(example.at("x_cio_timestamp").as_string());
  const std::string sig(example.at("x_cio_signature").as_string());
  const std::string body = ReadFixture("current_email_opened.json");

  Reply put =
      server().Put("/api/stream/customerio/config", "{\"signing_key\":\"" + key + "\"}", admin());
  ASSERT_EQ(put.status, 200) << put.Describe();
  EXPECT_EQ(put.Data().at("signing_key_set"), true);
  EXPECT_EQ(put.body.find(key), std::string::npos) << "the signing key is write-only";
  Reply get = server().Get("/api/stream/customerio/config", admin());
  ASSERT_EQ(get.status, 200) << get.Describe();
  EXPECT_EQ(get.Data().at("signing_key_set"), true) << get.body;
  EXPECT_EQ(get.Data().at("id_field"), "event_id") << get.body;
  EXPECT_EQ(get.Data().at("timestamp_field"), "timestamp") << get.body;
  EXPECT_EQ(get.body.find(key), std::string::npos) << "the signing key is write-only";
  // Configuring a stream is for admins only.
  EXPECT_EQ(
      server().Put("/api/stream/customerio/config", "{\"signing_key\":\"x\"}", collect()).status,
      403);

  auto post = [&](const std::string& b, const Headers& h) {
    return server().Post(CollectPath(kCio) + "?key=" + collect(), b, "", h);
  };
  const Headers signed_headers = {{"X-CIO-Timestamp", ts}, {"X-CIO-Signature", sig}};

  Reply ok = post(body, signed_headers);
  ASSERT_EQ(ok.status, 200) << ok.Describe();
  EXPECT_EQ(DataInt(ok, "message_count"), 1);

  Reply unsigned_reply = post(body, {});
  EXPECT_EQ(unsigned_reply.status, 401) << unsigned_reply.Describe();
  EXPECT_EQ(IntField(unsigned_reply.json, "status"), 401);

  std::string wrong_sig = sig;
  wrong_sig.back() = wrong_sig.back() == '0' ? '1' : '0';
  EXPECT_EQ(post(body, {{"X-CIO-Timestamp", ts}, {"X-CIO-Signature", wrong_sig}}).status, 401);

  std::string changed = body;  // still valid JSON: one digit of the timestamp differs
  size_t at = changed.find("1717250412");
  ASSERT_NE(at, std::string::npos);
  changed[at + 9] = '3';
  EXPECT_EQ(post(changed, signed_headers).status, 401);
  changed = body + " ";  // one byte more
  EXPECT_EQ(post(changed, signed_headers).status, 401);

  EXPECT_EQ(post(body, {{"X-CIO-Timestamp", "1717250414"}, {"X-CIO-Signature", sig}}).status, 401);
  EXPECT_EQ(post(body, {{"X-CIO-Signature", sig}}).status, 401) << "timestamp missing";
  EXPECT_EQ(post(body, {{"X-CIO-Timestamp", ts}}).status, 401) << "signature missing";
  EXPECT_EQ(post(body, {{"X-CIO-Timestamp", ts}, {"X-CIO-Signature", ""}}).status, 401);

  // The authentic retry is a duplicate; nothing refused was stored.
  Reply again = post(body, signed_headers);
  ASSERT_EQ(again.status, 200) << again.Describe();
  EXPECT_EQ(DataInt(again, "duplicate_count"), 1);
  EXPECT_EQ(IntField(StreamInfo(server(), kCio), "event_count"), 1);

  // The key belongs to its stream: another stream takes unsigned bodies.
  Reply other = server().Post(CollectPath("unsigned_stream"), body, collect());
  EXPECT_EQ(other.status, 200) << other.Describe();

  // The key survives a restart and is never logged.
  ASSERT_TRUE(server().Restart().ok());
  EXPECT_EQ(post(body + "\n", {}).status, 401);
  EXPECT_EQ(post(body, signed_headers).status, 200);
  server().Terminate();
  EXPECT_EQ(server().Log().find(key), std::string::npos) << "the signing key is in the log";
}

TEST_F(IngestTest, MalformedJsonIs400WithTheOffset) {
  // The first bad byte is the '"' at offset 7 where ',' or '}' belongs.
  Reply r = server().Post(CollectPath(kCio), "{\"a\":1 \"b\":2}", collect());
  EXPECT_EQ(r.status, 400) << r.Describe();
  EXPECT_NE(r.Message().find("byte 7"), std::string::npos) << r.Message();

  Reply truncated = server().Post(CollectPath(kCio), "{\"event_id\":", collect());
  EXPECT_EQ(truncated.status, 400) << truncated.Describe();
  EXPECT_NE(truncated.Message().find("byte 12"), std::string::npos) << truncated.Message();

  Reply array = server().Post(CollectPath(kCio), "[{\"a\":1},{\"b\":]", collect());
  EXPECT_EQ(array.status, 400) << array.Describe();
  EXPECT_NE(array.Message().find("byte 14"), std::string::npos) << array.Message();

  EXPECT_EQ(server().Get("/api/stream/customerio", admin()).status, 404)
      << "a refused body must not create its stream";
}

TEST_F(IngestTest, ArrayItemsThatAreNotObjectsAreRejectedAndCounted) {
  Reply r = server().Post(CollectPath("arrays"),
                          "[{\"event_id\":\"a1\"}, 1, \"x\", null, [], {\"event_id\":\"a2\"}]",
                          collect());
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(DataInt(r, "message_count"), 2);
  EXPECT_EQ(DataInt(r, "rejected_count"), 4);
  EXPECT_EQ(DataInt(r, "duplicate_count"), 0);
  boost::json::value info = StreamInfo(server(), "arrays");
  EXPECT_EQ(IntField(info, "event_count"), 2);
  EXPECT_EQ(IntField(info, "rejected_count"), 4);

  Reply none = server().Post(CollectPath("arrays"), "[1, 2, \"x\"]", collect());
  EXPECT_EQ(none.status, 400) << none.Describe();
  Reply empty = server().Post(CollectPath("arrays"), "[]", collect());
  EXPECT_EQ(empty.status, 400) << empty.Describe();
  EXPECT_EQ(IntField(StreamInfo(server(), "arrays"), "event_count"), 2);
}

TEST_F(IngestTest, NdjsonBadLinesAreRejectedAndCounted) {
  Reply r = server().Post(CollectPath("nd"),
                          "{\"event_id\":\"n1\"}\n{\"event_id\": oops}\n\n{\"event_id\":\"n2\"}\n",
                          collect());
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(DataInt(r, "message_count"), 2);
  EXPECT_EQ(DataInt(r, "rejected_count"), 1);
  EXPECT_EQ(IntField(StreamInfo(server(), "nd"), "event_count"), 2);

  // CRLF line ends and a line that is JSON but not an object.
  Reply crlf = server().Post(
      CollectPath("nd"), "{\"event_id\":\"n3\"}\r\n[1,2]\r\n{\"event_id\":\"n4\"}\r\n", collect());
  ASSERT_EQ(crlf.status, 200) << crlf.Describe();
  EXPECT_EQ(DataInt(crlf, "message_count"), 2);
  EXPECT_EQ(DataInt(crlf, "rejected_count"), 1);

  // Nothing usable: 400 that says where the first bad line is.
  Reply bad = server().Post(CollectPath("nd"), "{\"a\":1}x\n{\"b\": }\n", collect());
  EXPECT_EQ(bad.status, 400) << bad.Describe();
  EXPECT_NE(bad.Message().find("byte 7"), std::string::npos) << bad.Message();
  EXPECT_NE(bad.Message().find("line 1"), std::string::npos) << bad.Message();
  EXPECT_EQ(IntField(StreamInfo(server(), "nd"), "event_count"), 4);
}

TEST_F(IngestTest, EmptyAndNonObjectBodiesAre400) {
  for (const std::string body : {"", " \n\t\r\n", "5", "\"text\"", "null"}) {
    Reply r = server().Post(CollectPath("empty"), body, collect());
    EXPECT_EQ(r.status, 400) << "body \"" << body << "\": " << r.Describe();
    EXPECT_FALSE(r.Message().empty());
  }
  EXPECT_EQ(server().Get("/api/stream/empty", admin()).status, 404);
}

TEST_F(IngestTest, BodyOverTheLimitIs413) {
  // Content-Length over the limit: answered without reading the body.
  {
    RawSocket s(server().port());
    ASSERT_TRUE(s.valid());
    const size_t size = 11 * 1000 * 1000;
    ASSERT_TRUE(s.SendAll("POST /collect/json/big?key=" + collect() +
                          " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                          "Content-Length: " +
                          std::to_string(size) + "\r\n\r\n"));
    // Send the body until the answer arrives (the server may answer before reading it).
    std::string chunk(64 * 1024, ' ');
    size_t sent = 0;
    while (sent < size && !s.Readable(0ms)) {
      if (!s.SendAll(chunk)) break;
      sent += chunk.size();
    }
    Reply r = ParseRawResponse(s.ReadResponse(5s));
    EXPECT_EQ(r.status, 413) << r.Describe();
    EXPECT_NE(r.Header("x-request-id"), nullptr);
    EXPECT_EQ(IntField(r.json, "status"), 413) << r.body;
  }
  // The same through the ordinary client, the whole 11 MB sent.
  {
    std::string body =
        "{\"event_id\":\"big\",\"pad\":\"" + std::string(11 * 1000 * 1000, 'x') + "\"}";
    Reply r = server().Post(CollectPath("big"), body, collect());
    EXPECT_EQ(r.status, 413) << r.Describe();
  }
  // Chunked, without a Content-Length: cut off at the limit.
  {
    RawSocket s(server().port());
    ASSERT_TRUE(s.valid());
    ASSERT_TRUE(s.SendAll("POST /collect/json/big?key=" + collect() +
                          " HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"));
    std::string chunk(256 * 1024, 'x');
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
    size_t sent = 0;
    while (sent < 12 * 1000 * 1000 && !s.Readable(0ms)) {
      if (!s.SendAll(std::string(size_line) + chunk + "\r\n")) break;
      sent += chunk.size();
    }
    Reply r = ParseRawResponse(s.ReadResponse(5s));
    EXPECT_EQ(r.status, 413) << r.Describe();
  }
  EXPECT_EQ(server().Get("/api/stream/big", admin()).status, 404) << "nothing may be stored";
}

// Every body shape is accepted up to the body limit (10 MiB by default), not only NDJSON.
TEST_F(IngestTest, BodiesUpToTheLimitAreAccepted) {
  const size_t kLimit = 10 * 1024 * 1024;
  // NDJSON, ~9 MB.
  std::string ndjson;
  int n = 0;
  while (ndjson.size() < kLimit - 1024 * 1024) {
    ndjson += "{\"event_id\":\"nd-" + std::to_string(n++) + "\",\"pad\":\"" +
              std::string(200, 'n') + "\"}\n";
  }
  Reply nd = server().Post(CollectPath("big"), ndjson, collect());
  ASSERT_EQ(nd.status, 200) << nd.Describe();
  EXPECT_EQ(DataInt(nd, "message_count"), n);

  // A JSON array of small events, ~3 MB.
  std::string array = "[";
  int m = 0;
  while (array.size() < 3 * 1024 * 1024) {
    if (m) array += ",";
    array += "{\"event_id\":\"arr-" + std::to_string(m++) + "\",\"pad\":\"" +
             std::string(200, 'a') + "\"}";
  }
  array += "]";
  Reply arr = server().Post(CollectPath("big"), array, collect());
  EXPECT_EQ(arr.status, 200) << arr.Describe();
  EXPECT_EQ(DataInt(arr, "message_count"), m);

  // One object just under the limit.
  std::string one = "{\"event_id\":\"almost\",\"pad\":\"";
  one += std::string(kLimit - one.size() - 100, 'y') + "\"}";
  Reply r = server().Post(CollectPath("big"), one, collect());
  EXPECT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(DataInt(r, "message_count"), 1);

  EXPECT_EQ(IntField(StreamInfo(server(), "big"), "event_count"),
            n + (arr.status == 200 ? m : 0) + (r.status == 200 ? 1 : 0));
}

TEST_F(IngestTest, DryRunValidatesAndStoresNothing) {
  const std::string body = "{\"event_id\":\"d1\"}\n{\"event_id\":\"d2\"}\nnot json\n";
  Reply r = server().Post(CollectPath("dry") + "?dryrun=true", body, collect());
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(DataInt(r, "message_count"), 2);
  EXPECT_EQ(DataInt(r, "rejected_count"), 1);
  EXPECT_EQ(DataInt(r, "duplicate_count"), 0);
  EXPECT_EQ(server().Get("/api/stream/dry", admin()).status, 404) << "dryrun created the stream";

  // After a real store, a dry run sees the duplicate and still stores nothing.
  ASSERT_EQ(server().Post(CollectPath("dry"), "{\"event_id\":\"d1\"}", collect()).status, 200);
  Reply again = server().Post(CollectPath("dry") + "?dryrun=true", body, collect());
  ASSERT_EQ(again.status, 200) << again.Describe();
  EXPECT_EQ(DataInt(again, "duplicate_count"), 1);
  EXPECT_EQ(IntField(StreamInfo(server(), "dry"), "event_count"), 1);

  Reply bad = server().Post(CollectPath("dry") + "?dryrun=true", "{oops", collect());
  EXPECT_EQ(bad.status, 400) << bad.Describe();
}

TEST_F(IngestTest, InvalidStreamNamesAndUnknownRoutes) {
  for (const std::string& name : std::vector<std::string>{"Customerio", "cio-events", "a.b",
                                                          std::string(65, 'a'), "%C3%A9t%C3%A9"}) {
    Reply r = server().Post(CollectPath(name), "{\"event_id\":\"x\"}", collect());
    EXPECT_EQ(r.status, 400) << name << ": " << r.Describe();
    EXPECT_FALSE(r.Message().empty());
  }
  Reply longest = server().Post(CollectPath(std::string(64, 'a')), "{}", collect());
  EXPECT_EQ(longest.status, 200) << longest.Describe();

  for (const std::string target : {"/nope", "/collect/xml/customerio", "/collect/json",
                                   "/api/nothing/here", "/collect/json/a/b"}) {
    Reply r = server().Post(target, "{}", admin());
    EXPECT_EQ(r.status, 404) << target << ": " << r.Describe();
    EXPECT_EQ(IntField(r.json, "status"), 404) << target;
  }
  // (GET outside /api and /collect may be the web UI's, so the GET cases stay under /api.)
  EXPECT_EQ(server().Get("/api/nope", "").status, 404) << "404 comes before authentication";
  EXPECT_EQ(server().Get("/api/stream/customerio/nope", admin()).status, 404);
  const int wrong_method = server().Get("/collect/json/customerio", collect()).status;
  EXPECT_TRUE(wrong_method == 400 || wrong_method == 405)
      << "GET on a POST route: " << wrong_method;
}

TEST_F(IngestTest, TimestampFieldSetsEventTime) {
  auto event_time_of = [&](const std::string& stream, const std::string& id) -> std::string {
    auto events = EventsById(server(), stream);
    if (!events.contains(id)) return "<missing>";
    return std::string(events[id].at("event_time").as_string());
  };
  const std::string q = "?timestamp_field=when";
  ASSERT_EQ(server()
                .Post(CollectPath("ts") + q, "{\"event_id\":\"s\",\"when\":1700000000}", collect())
                .status,
            200);
  ASSERT_EQ(
      server()
          .Post(CollectPath("ts") + q, "{\"event_id\":\"ms\",\"when\":1700000000123}", collect())
          .status,
      200);
  ASSERT_EQ(
      server()
          .Post(CollectPath("ts") + q, "{\"event_id\":\"str\",\"when\":\"1700000000\"}", collect())
          .status,
      200);
  ASSERT_EQ(server()
                .Post(CollectPath("ts") + q,
                      "{\"event_id\":\"rfc\",\"when\":\"2023-11-14T22:13:20Z\"}", collect())
                .status,
            200);
  EXPECT_EQ(event_time_of("ts", "s"), "2023-11-14T22:13:20Z");
  EXPECT_EQ(event_time_of("ts", "ms"), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(event_time_of("ts", "str"), "2023-11-14T22:13:20Z");
  EXPECT_EQ(event_time_of("ts", "rfc"), "2023-11-14T22:13:20Z");
  EXPECT_EQ(IntField(StreamInfo(server(), "ts"), "timestamp_fallback_count"), 0);

  // Without the parameter (and no configured field) the receive time is the event time.
  ASSERT_EQ(server()
                .Post(CollectPath("ts"), "{\"event_id\":\"plain\",\"when\":1700000000}", collect())
                .status,
            200);
  auto events = EventsById(server(), "ts");
  ASSERT_TRUE(events.contains("plain"));
  EXPECT_EQ(events["plain"].at("event_time"), events["plain"].at("received_at"));
}

TEST_F(IngestTest, UnparsableTimestampFallsBackToReceiveTimeAndIsCounted) {
  Reply r = server().Post(CollectPath(kCio),
                          "{\"event_id\":\"bad-ts\",\"metric\":\"opened\",\"timestamp\":\"abc\"}",
                          collect());
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(DataInt(r, "message_count"), 1);
  auto events = EventsById(server(), kCio);
  ASSERT_TRUE(events.contains("bad-ts"));
  EXPECT_EQ(events["bad-ts"].at("event_time"), events["bad-ts"].at("received_at"));
  boost::json::value info = StreamInfo(server(), kCio);
  EXPECT_EQ(IntField(info, "timestamp_fallback_count"), 1) << info;
  EXPECT_EQ(IntField(info, "event_count"), 1);

  // A good timestamp next to it is not counted.
  ASSERT_EQ(
      server().Post(CollectPath(kCio), ReadFixture("current_email_sent.json"), collect()).status,
      200);
  EXPECT_EQ(IntField(StreamInfo(server(), kCio), "timestamp_fallback_count"), 1);
}

}  // namespace
}  // namespace cohort::integration
