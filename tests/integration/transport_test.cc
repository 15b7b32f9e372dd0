// HTTP behaviour of a real `cohort serve` process (issue 2, must-show 4; SPEC §2, §2.8, §9.4):
// the response envelope and request ids, slow and idle clients, the ops endpoints, and a
// graceful SIGTERM.
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "harness.h"

namespace cohort::integration {
namespace {

using Clock = std::chrono::steady_clock;

int64_t MsSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

// Prometheus text → {"name{labels}": value}.
std::map<std::string, double> ParseMetrics(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t sp = line.rfind(' ');
    if (sp == std::string::npos) continue;
    out[line.substr(0, sp)] = std::stod(line.substr(sp + 1));
  }
  return out;
}

class TransportTest : public ServerTest {};

TEST_F(TransportTest, EveryResponseHasARequestIdAndErrorsHaveTheEnvelope) {
  std::vector<std::pair<std::string, Reply>> replies = {
      {"healthz", server().Get("/healthz", "")},
      {"metrics", server().Get("/metrics", "")},
      {"collect", server().Post(CollectPath("env"), "{\"event_id\":\"e\"}", collect())},
      {"stream", server().Get("/api/stream/env", admin())},
      {"400 json", server().Post(CollectPath("env"), "{", collect())},
      {"400 name", server().Post(CollectPath("Env"), "{}", collect())},
      {"wrong method",
       server().Request({.method = "DELETE", .target = "/api/stream", .token = admin()})},
      {"401", server().Get("/api/stream", "")},
      {"403", server().Get("/api/stream", collect())},
      {"404", server().Get("/api/no/such/route", admin())},
      {"404 stream", server().Get("/api/stream/nothing", admin())},
  };
  // A malformed HTTP request answered by the transport itself.
  {
    RawSocket s(server().port());
    ASSERT_TRUE(s.valid());
    ASSERT_TRUE(s.SendAll("NOT-HTTP\r\n\r\n"));
    replies.emplace_back("bad http", ParseRawResponse(s.ReadResponse(5s)));
  }
  std::set<std::string> ids;
  for (const auto& [what, r] : replies) {
    SCOPED_TRACE(what);
    ASSERT_NE(r.status, 0) << r.error;
    const std::string* rid = r.Header("x-request-id");
    ASSERT_NE(rid, nullptr) << r.Describe();
    EXPECT_FALSE(rid->empty());
    EXPECT_TRUE(ids.insert(*rid).second) << "request id " << *rid << " was used twice";
    if (r.status >= 400) {
      ASSERT_TRUE(r.json.is_object()) << r.Describe();
      EXPECT_EQ(IntField(r.json, "status"), r.status) << r.body;
      EXPECT_FALSE(r.Message().empty()) << r.body;
      const boost::json::value* body_rid = r.json.as_object().if_contains("request_id");
      ASSERT_NE(body_rid, nullptr) << r.body;
      EXPECT_EQ(body_rid->as_string(), *rid) << r.body;
    } else if (what != "metrics") {
      ASSERT_TRUE(r.json.is_object()) << r.Describe();
      EXPECT_EQ(IntField(r.json, "status"), 200) << r.body;
      EXPECT_EQ(r.json.at("message").as_string(), "success") << r.body;
      EXPECT_TRUE(r.json.as_object().contains("data")) << r.body;
    }
  }
  std::map<std::string, int> expected = {{"400 json", 400}, {"400 name", 400}, {"401", 401},
                                         {"403", 403},      {"404", 404},      {"404 stream", 404},
                                         {"bad http", 400}};
  for (const auto& [what, r] : replies) {
    if (expected.contains(what)) {
      EXPECT_EQ(r.status, expected[what]) << what;
    }
  }
}

// A header trickled one byte every 200 ms never completes within --header-timeout-ms 500; the
// server must close such connections while it answers everyone else at once.
class SlowClientTest : public ServerTest {
 protected:
  ServerOptions Options() const override {
    return {.flags = {"--header-timeout-ms", "500", "--body-timeout-ms", "500"}};
  }
};

struct TrickleResult {
  bool cut_off = false;
  int64_t ms = 0;  // from the first byte to the cut
  size_t bytes_sent = 0;
};

// Sends `prefix` at once, then `trickle` one byte every 200 ms, until the server closes the
// connection (or 6 s pass).
TrickleResult Trickle(uint16_t port, const std::string& prefix, const std::string& trickle,
                      std::atomic<int>* started) {
  TrickleResult out;
  RawSocket s(port);
  if (!s.valid()) return out;
  auto t0 = Clock::now();
  if (!prefix.empty() && !s.SendAll(prefix)) return out;
  for (char c : trickle) {
    if (!s.SendAll(std::string_view(&c, 1))) {
      out.cut_off = true;
      break;
    }
    if (out.bytes_sent++ == 0) started->fetch_add(1);
    if (s.Wait(200ms) == RawSocket::State::kClosed) {
      out.cut_off = true;
      break;
    }
    if (MsSince(t0) > 6000) break;
  }
  out.ms = MsSince(t0);
  return out;
}

void ExpectServedPromptly(ServerProcess& server, const std::string& collect_token, int rounds) {
  for (int i = 0; i < rounds; ++i) {
    auto t0 = Clock::now();
    Reply h = server.Get("/healthz", "");
    Reply c = server.Post(CollectPath("others"),
                          "{\"event_id\":\"o" + std::to_string(i) + "-" +
                              std::to_string(Clock::now().time_since_epoch().count()) + "\"}",
                          collect_token);
    int64_t ms = MsSince(t0);
    EXPECT_EQ(h.status, 200) << h.Describe();
    EXPECT_EQ(c.status, 200) << c.Describe();
    EXPECT_LT(ms, 2000) << "round " << i << " took " << ms << " ms";
  }
}

TEST_F(SlowClientTest, TrickledHeadersAreCutOffWhileOthersAreServed) {
  const std::string header = "POST /collect/json/slow?key=" + collect() +
                             " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + std::string(200, 'p') +
                             "\r\nContent-Length: 2\r\n\r\n{}";
  const int kSlow = 4;
  std::atomic<int> started{0};
  std::vector<TrickleResult> results(kSlow);
  std::vector<std::thread> threads;
  for (int i = 0; i < kSlow; ++i) {
    threads.emplace_back([&, i] { results[i] = Trickle(server().port(), "", header, &started); });
  }
  ASSERT_TRUE(Eventually([&] { return started.load() == kSlow; }, 5s));
  ExpectServedPromptly(server(), collect(), 5);
  for (auto& t : threads) t.join();
  for (const auto& r : results) {
    EXPECT_TRUE(r.cut_off) << "a trickling client was not cut off after " << r.ms << " ms";
    EXPECT_LT(r.ms, 2000) << "cut off too late";
    EXPECT_GE(r.ms, 400) << "cut off before the header timeout";
    EXPECT_LT(r.bytes_sent, header.size());
  }
  EXPECT_EQ(server().Get("/api/stream/slow", admin()).status, 404) << "the slow request ran";
}

TEST_F(SlowClientTest, TrickledBodiesAreCutOffWhileOthersAreServed) {
  const std::string body = "{\"event_id\":\"slow-body\",\"pad\":\"" + std::string(100, 'b') + "\"}";
  const std::string header =
      "POST /collect/json/slow?key=" + collect() +
      " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  std::atomic<int> started{0};
  TrickleResult result;
  std::thread t([&] { result = Trickle(server().port(), header, body, &started); });
  ASSERT_TRUE(Eventually([&] { return started.load() == 1; }, 5s));
  ExpectServedPromptly(server(), collect(), 3);
  t.join();
  EXPECT_TRUE(result.cut_off) << "a trickling body was not cut off after " << result.ms << " ms";
  EXPECT_LT(result.ms, 2000);
  EXPECT_EQ(server().Get("/api/stream/slow", admin()).status, 404) << "the slow request ran";
}

TEST_F(SlowClientTest, SilentConnectionsAreClosedAfterTheHeaderTimeout) {
  RawSocket s(server().port());
  ASSERT_TRUE(s.valid());
  auto t0 = Clock::now();
  EXPECT_EQ(s.Wait(3s), RawSocket::State::kClosed);
  EXPECT_LT(MsSince(t0), 2000);
}

class IdleConnectionsTest : public ServerTest {
 protected:
  static constexpr int kIdle = 1000;
  static void SetUpTestSuite() {
    // The test process and the server (which inherits the limit) each hold one fd per idle
    // connection.
    rlimit r{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &r), 0);
    if (r.rlim_cur < 4 * kIdle) {
      r.rlim_cur = std::min<rlim_t>(r.rlim_max, 4 * kIdle);
      ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &r), 0);
    }
    ASSERT_GE(r.rlim_cur, static_cast<rlim_t>(kIdle + 200)) << "RLIMIT_NOFILE hard limit too low";
  }
  // The idle connections must stay open for the whole test.
  ServerOptions Options() const override { return {.flags = {"--header-timeout-ms", "60000"}}; }
};

TEST_F(IdleConnectionsTest, ThousandIdleConnectionsDoNotBlockANewClient) {
  std::vector<RawSocket> idle;
  idle.reserve(kIdle);
  for (int i = 0; i < kIdle; ++i) {
    idle.emplace_back(server().port());
    ASSERT_TRUE(idle.back().valid()) << "connection " << i << ": " << std::strerror(errno);
  }
  // Every idle connection is accepted and held (not answered 503 and closed): a request on the
  // last one is served.
  ASSERT_TRUE(idle.back().SendAll("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
  Reply last = ParseRawResponse(idle.back().ReadResponse(5s));
  EXPECT_EQ(last.status, 200) << last.Describe();

  ExpectServedPromptly(server(), collect(), 10);

  int quiet = 0;
  for (int i = 0; i + 1 < kIdle; ++i) quiet += idle[i].Wait(0ms) == RawSocket::State::kQuiet;
  EXPECT_EQ(quiet, kIdle - 1) << "idle connections were answered or closed";
}

class OpsTest : public ServerTest {};

TEST_F(OpsTest, HealthReadyAndMetrics) {
  Reply h = server().Get("/healthz", "");
  EXPECT_EQ(h.status, 200) << h.Describe();
  Reply ready = server().Get("/readyz", "");
  EXPECT_EQ(ready.status, 200) << ready.Describe();

  const auto names = EventFixtureNames();
  ASSERT_GE(names.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_EQ(server().Post(CollectPath("customerio"), ReadFixture(names[i]), collect()).status,
              200);
  }
  ASSERT_EQ(server().Post(CollectPath("customerio"), ReadFixture(names[0]), collect()).status, 200);
  ASSERT_EQ(server().Post(CollectPath("customerio"), "[{\"event_id\":\"m1\"},7]", collect()).status,
            200);
  ASSERT_EQ(server().Get("/api/stream", "").status, 401);

  // Request counters are updated after each response is written: poll for the last one.
  std::map<std::string, double> m;
  const std::string collect_200 =
      "cohort_http_requests_total{route=\"POST /collect/json/{stream}\",code=\"200\"}";
  const std::string unauth = "cohort_http_requests_total{route=\"GET /api/stream\",code=\"401\"}";
  bool counted = Eventually(
      [&] {
        Reply r = server().Get("/metrics", "");
        if (r.status != 200) return false;
        m = ParseMetrics(r.body);
        return m[collect_200] == 5 && m[unauth] == 1;
      },
      5s);
  EXPECT_TRUE(counted) << collect_200 << " = " << m[collect_200] << ", " << unauth << " = "
                       << m[unauth];
  EXPECT_EQ(m["cohort_events_collected_total{stream=\"customerio\"}"], 4);
  EXPECT_EQ(m["cohort_events_duplicate_total{stream=\"customerio\"}"], 1);
  EXPECT_EQ(m["cohort_events_rejected_total{stream=\"customerio\"}"], 1);
  Reply metrics = server().Get("/metrics", "");
  EXPECT_NE(metrics.body.find("# TYPE cohort_http_requests_total counter"), std::string::npos);
  const std::string* ct = metrics.Header("content-type");
  ASSERT_NE(ct, nullptr);
  EXPECT_EQ(ct->rfind("text/plain", 0), 0u) << *ct;
  EXPECT_EQ(metrics.body.find(collect()), std::string::npos) << "a token in /metrics";
}

// SIGTERM while requests are in flight: they are answered 200 and stored, the process exits 0.
class GracefulTest : public ServerTest {
 protected:
  // One I/O thread makes "the server has read what was sent before" observable: a request
  // answered on a later connection was handled after the earlier bytes were read.
  ServerOptions Options() const override {
    return {.flags = {"--io-threads", "1", "--shutdown-grace-ms", "10000"}};
  }
};

TEST_F(GracefulTest, SigtermFinishesInFlightRequestsAndExitsZero) {
  const int kInFlight = 3;
  std::vector<RawSocket> sockets;
  std::vector<std::string> rests;
  for (int i = 0; i < kInFlight; ++i) {
    std::string body = "{\"event_id\":\"inflight-" + std::to_string(i) + "\",\"pad\":\"" +
                       std::string(1000, 'z') + "\"}";
    sockets.emplace_back(server().port());
    ASSERT_TRUE(sockets.back().valid());
    ASSERT_TRUE(sockets.back().SendAll("POST /collect/json/graceful?key=" + collect() +
                                       " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json"
                                       "\r\nContent-Length: " +
                                       std::to_string(body.size()) + "\r\n\r\n" +
                                       body.substr(0, body.size() / 2)));
    rests.push_back(body.substr(body.size() / 2));
  }
  // An idle keep-alive connection, which shutdown may close at once.
  RawSocket idle(server().port());
  ASSERT_TRUE(idle.SendAll("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_EQ(ParseRawResponse(idle.ReadResponse(5s)).status, 200);
  ASSERT_EQ(server().Get("/healthz", "").status, 200);

  server().Signal(SIGTERM);
  // Shutdown has begun once the listener is gone.
  ASSERT_TRUE(Eventually(
      [&] {
        for (const auto& l : server().StdoutLines()) {
          if (l.starts_with("signal ")) return true;
        }
        return false;
      },
      5s))
      << "no \"signal\" line on stdout";
  EXPECT_TRUE(Eventually([&] { return !RawSocket(server().port()).valid(); }, 5s))
      << "the server still accepts connections after SIGTERM";

  for (int i = 0; i < kInFlight; ++i) {
    ASSERT_TRUE(sockets[i].SendAll(rests[i])) << "in-flight connection " << i << " was closed";
  }
  for (int i = 0; i < kInFlight; ++i) {
    Reply r = ParseRawResponse(sockets[i].ReadResponse(10s));
    EXPECT_EQ(r.status, 200) << "in-flight request " << i << ": " << r.Describe();
    EXPECT_EQ(DataInt(r, "message_count"), 1) << r.body;
    const std::string* conn = r.Header("connection");
    EXPECT_TRUE(conn && *conn == "close") << "the answer during shutdown should close";
  }
  EXPECT_EQ(idle.Wait(5s), RawSocket::State::kClosed) << "the idle connection was kept open";

  ExitInfo exit = server().WaitForExit(15s);
  EXPECT_TRUE(exit.exited && exit.code == 0) << exit.Describe() << "\n" << server().Log();

  // What was acknowledged is there after a restart.
  ASSERT_TRUE(server().Start().ok());
  std::string error;
  auto events = ReadAllEvents(server(), "graceful", 100, &error);
  EXPECT_EQ(error, "");
  std::set<std::string> ids;
  for (const auto& e : events) ids.insert(std::string(e.at("event").at("event_id").as_string()));
  EXPECT_EQ(ids, (std::set<std::string>{"inflight-0", "inflight-1", "inflight-2"}));
}

// SIGTERM under load: every request is answered 200 or 503 or not at all (connection refused
// or closed before an answer) — never a 200 for an event that is not stored.
TEST_F(GracefulTest, SigtermUnderLoadAcknowledgesOnlyStoredEvents) {
  std::atomic<bool> stop{false};
  std::atomic<int> acked_before_term{0};
  std::mutex mu;
  std::vector<std::string> acked;
  std::vector<std::string> bad;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; !stop.load(); ++i) {
        std::string id = "load-" + std::to_string(t) + "-" + std::to_string(i);
        Reply r = server().Request({.method = "POST",
                                    .target = CollectPath("graceful") + "?key=" + collect(),
                                    .body = "{\"event_id\":\"" + id + "\"}",
                                    .timeout_ms = 15000});
        std::lock_guard l(mu);
        if (r.status == 200) {
          acked.push_back(id);
          acked_before_term.fetch_add(1);
        } else if (r.status == 0) {
          if (r.error.find("cannot connect") != std::string::npos) return;  // listener gone
        } else if (r.status != 503) {
          bad.push_back(id + ": " + r.Describe());
        }
      }
    });
  }
  ASSERT_TRUE(Eventually([&] { return acked_before_term.load() >= 50; }, 10s));
  server().Signal(SIGTERM);
  ExitInfo exit = server().WaitForExit(15s);
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_TRUE(exit.exited && exit.code == 0) << exit.Describe();
  EXPECT_TRUE(bad.empty()) << bad.size() << " bad answers, first: " << bad.front();

  ASSERT_TRUE(server().Start().ok());
  std::string error;
  std::set<std::string> stored;
  for (const auto& e : ReadAllEvents(server(), "graceful", 1000, &error)) {
    EXPECT_TRUE(stored.insert(std::string(e.at("event").at("event_id").as_string())).second);
  }
  EXPECT_EQ(error, "");
  for (const auto& id : acked) EXPECT_TRUE(stored.contains(id)) << id << " acknowledged, lost";
}

}  // namespace
}  // namespace cohort::integration
