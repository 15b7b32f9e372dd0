#include "http/server.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "http/test_client.h"

namespace cohort::http {
namespace {

using std::chrono::milliseconds;
using testclient::ClientResponse;
using testclient::Fetch;
using testclient::TestSocket;
using SteadyClock = std::chrono::steady_clock;

constexpr char kFastGet[] = "GET /fast HTTP/1.1\r\nHost: t\r\n\r\n";

ServerOptions TestOptions() {
  ServerOptions o;
  o.port = 0;
  o.io_threads = 2;
  o.shutdown_grace_ms = 5000;
  return o;
}

// Threads that answer requests later, joined at the end of the test.
class Workers {
 public:
  ~Workers() {
    std::lock_guard lock(mu_);
    for (auto& t : threads_) t.join();
  }
  void Run(std::function<void()> f) {
    std::lock_guard lock(mu_);
    threads_.emplace_back(std::move(f));
  }

 private:
  std::mutex mu_;
  std::vector<std::thread> threads_;
};

// Describes the request so that tests can check what the handler saw.
std::string Describe(const Request& r) {
  std::string out = "method=" + r.method + "\npath=" + r.path + "\nquery=";
  for (const auto& [k, v] : r.query) out += "[" + k + "=" + v + "]";
  const std::string* x_test = r.Header("x-test");
  out += "\nid=" + r.request_id + "\nremote=" + r.remote +
         "\nx-test=" + (x_test ? *x_test : "<none>") + "\nbody=" + r.body;
  return out;
}

// Routes used by most tests. `calls` counts handler invocations.
struct TestHandler {
  std::atomic<int> calls{0};
  Workers* workers = nullptr;

  Handler AsHandler() {
    return [this](Request&& r, Responder respond) {
      calls.fetch_add(1);
      if (r.path == "/throw") throw std::runtime_error("boom");
      if (r.path == "/drop") return;  // never answers
      if (r.path == "/late" || r.path == "/slow") {
        const int delay_ms = r.path == "/late" ? 100 : 300;
        workers->Run([delay_ms, respond = std::move(respond)] {
          std::this_thread::sleep_for(milliseconds(delay_ms));
          Response resp;
          resp.content_type = "text/plain";
          resp.body = "done";
          respond(std::move(resp));
        });
        return;
      }
      if (r.path == "/stream") {
        Response resp;
        resp.content_type = "text/plain";
        resp.body = "start:";
        auto n = std::make_shared<int>(0);
        resp.next_chunk = [n](std::string* out) {
          static const char* kParts[] = {"a", "", "bb", "ccc"};
          if (*n < 4) *out += kParts[(*n)++];
          return *n < 4;
        };
        respond(std::move(resp));
        return;
      }
      Response resp;
      resp.content_type = "text/plain";
      resp.headers.emplace_back("X-Extra", "yes");
      resp.body = Describe(r);
      respond(std::move(resp));
    };
  }
};

#define START_SERVER(var, options, handler)                   \
  auto var##_or = Server::Start(options, handler);            \
  ASSERT_TRUE(var##_or.ok()) << var##_or.status().ToString(); \
  std::unique_ptr<Server> var = std::move(var##_or).value()

void ExpectEnvelope(const ClientResponse& r, int status, const std::string& message_part) {
  EXPECT_EQ(r.status, status);
  ASSERT_NE(r.Header("content-type"), nullptr);
  EXPECT_EQ(*r.Header("content-type"), "application/json");
  ASSERT_NE(r.Header("x-request-id"), nullptr);
  const std::string want_prefix = "{\"status\":" + std::to_string(status) + ",\"message\":\"";
  EXPECT_EQ(r.body.rfind(want_prefix, 0), 0u) << r.body;
  EXPECT_NE(r.body.find(message_part), std::string::npos) << r.body;
  const std::string id_part = ",\"request_id\":\"" + *r.Header("x-request-id") + "\"}";
  EXPECT_EQ(r.body.size() >= id_part.size() &&
                r.body.compare(r.body.size() - id_part.size(), id_part.size(), id_part) == 0,
            true)
      << r.body;
}

TEST(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  TestHandler h;
  START_SERVER(server, TestOptions(), h.AsHandler());
  TestSocket s(server->port());
  ASSERT_TRUE(s.valid());
  ASSERT_TRUE(s.Send(kFastGet));
  auto first = s.Read();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->Header("connection"), nullptr);  // HTTP/1.1 default: keep-alive
  ASSERT_NE(first->Header("x-extra"), nullptr);
  EXPECT_EQ(*first->Header("x-extra"), "yes");
  ASSERT_TRUE(s.Send("POST /second HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello"));
  auto second = s.Read();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->status, 200);
  EXPECT_NE(second->body.find("method=POST\npath=/second"), std::string::npos);
  EXPECT_NE(second->body.find("body=hello"), std::string::npos);
  // Both requests came from the same peer address and port: the same connection.
  auto remote = [](const std::string& body) {
    const size_t at = body.find("remote=");
    return body.substr(at, body.find('\n', at) - at);
  };
  EXPECT_EQ(remote(first->body), remote(second->body));
  EXPECT_EQ(h.calls.load(), 2);
}

TEST(ServerTest, Http10ClosesAfterResponse) {
  TestHandler h;
  START_SERVER(server, TestOptions(), h.AsHandler());
  TestSocket s(server->port());
  ASSERT_TRUE(s.Send("GET /fast HTTP/1.0\r\n\r\n"));
  auto r = s.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(s.WaitClosed(2000));
}

TEST(ServerTest, DecodesPathQueryAndLowercasesHeaderNames) {
  TestHandler h;
  START_SERVER(server, TestOptions(), h.AsHandler());
  auto r = Fetch(server->port(),
                 "GET /a%20b/c+d%2Fe?x=1+2&y=%26z&flag&key=a%2Bb HTTP/1.1\r\nHost: t\r\n"
                 "X-TeSt: Hello\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("path=/a b/c+d/e\n"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("query=[x=1 2][y=&z][flag=][key=a+b]\n"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("x-test=Hello\n"), std::string::npos) << r->body;

  auto bad = Fetch(server->port(), "GET /a%zz HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(bad.has_value());
  ExpectEnvelope(*bad, 400, "percent-encoding");
}

TEST(ServerTest, RequestIdIsAssignedOrReused) {
  TestHandler h;
  START_SERVER(server, TestOptions(), h.AsHandler());
  auto fresh = Fetch(server->port(), kFastGet);
  ASSERT_TRUE(fresh.has_value());
  ASSERT_NE(fresh->Header("x-request-id"), nullptr);
  const std::string id = *fresh->Header("x-request-id");
  EXPECT_EQ(id.size(), 16u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(fresh->body.find("id=" + id + "\n"), std::string::npos);

  auto reused =
      Fetch(server->port(), "GET /fast HTTP/1.1\r\nHost: t\r\nX-Request-Id: client-42.a\r\n\r\n");
  ASSERT_TRUE(reused.has_value());
  ASSERT_NE(reused->Header("x-request-id"), nullptr);
  EXPECT_EQ(*reused->Header("x-request-id"), "client-42.a");
  EXPECT_NE(reused->body.find("id=client-42.a\n"), std::string::npos);

  const std::string too_long(65, 'a');
  auto replaced = Fetch(server->port(),
                        "GET /fast HTTP/1.1\r\nHost: t\r\nX-Request-Id: " + too_long + "\r\n\r\n");
  ASSERT_TRUE(replaced.has_value());
  ASSERT_NE(replaced->Header("x-request-id"), nullptr);
  EXPECT_EQ(replaced->Header("x-request-id")->size(), 16u);
}

TEST(ServerTest, HandlerAnswersLaterFromAnotherThread) {
  TestHandler h;
  Workers workers;
  h.workers = &workers;
  START_SERVER(server, TestOptions(), h.AsHandler());
  TestSocket s(server->port());
  const auto start = SteadyClock::now();
  ASSERT_TRUE(s.Send("GET /late HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto r = s.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "done");
  EXPECT_GE(SteadyClock::now() - start, milliseconds(90));
  // The connection is still usable after an asynchronous answer.
  ASSERT_TRUE(s.Send(kFastGet));
  auto again = s.Read();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, 200);
}

TEST(ServerTest, ContentLengthOverLimitIs413WithoutReadingBody) {
  TestHandler h;
  START_SERVER(server, TestOptions(), h.AsHandler());
  TestSocket s(server->port());
  ASSERT_TRUE(
      s.Send("POST /collect/json/x HTTP/1.1\r\nHost: t\r\nContent-Length: 11534336\r\n"
             "X-Request-Id: big-1\r\n\r\n"));
  auto r = s.Read();  // answered although no body byte was sent
  ASSERT_TRUE(r.has_value());
  ExpectEnvelope(*r, 413,
                 "request body is larger than the limit of 10485760 bytes; send fewer events "
                 "per request or raise body_limit_bytes");
  EXPECT_EQ(*r->Header("x-request-id"), "big-1");
  ASSERT_NE(r->Header("connection"), nullptr);
  EXPECT_EQ(*r->Header("connection"), "close");
  EXPECT_TRUE(s.WaitClosed(3000));
  EXPECT_EQ(h.calls.load(), 0);
}

TEST(ServerTest, ChunkedBodyOverLimitIs413) {
  TestHandler h;
  ServerOptions o = TestOptions();
  o.body_limit_bytes = 64 * 1024;
  START_SERVER(server, o, h.AsHandler());

  // Within the limit, a chunked body reaches the handler de-chunked.
  auto ok = Fetch(server->port(),
                  "POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, 200);
  EXPECT_NE(ok->body.find("body=hello world"), std::string::npos);

  TestSocket s(server->port());
  ASSERT_TRUE(s.Send("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"));
  const std::string chunk = "2000\r\n" + std::string(0x2000, 'x') + "\r\n";
  for (int i = 0; i < 12; ++i) {  // 96 KiB in all
    if (!s.Send(chunk)) break;
  }
  s.Send("0\r\n\r\n");
  auto r = s.Read();
  ASSERT_TRUE(r.has_value());
  ExpectEnvelope(*r, 413, "larger than the limit of 65536 bytes");
  EXPECT_TRUE(s.WaitClosed(3000));
  EXPECT_EQ(h.calls.load(), 1);
}

TEST(ServerTest, MalformedRequestIs400AndCloses) {
  TestHandler h;
  START_SERVER(server, TestOptions(), h.AsHandler());
  for (const char* bad : {"GET / HTTP/1.1\r\nBad Header Line\r\n\r\n", "GET / HTTP/9.9x\r\n\r\n",
                          "POST / HTTP/1.1\r\nContent-Length: xyz\r\n\r\n"}) {
    TestSocket s(server->port());
    ASSERT_TRUE(s.Send(bad));
    auto r = s.Read();
    ASSERT_TRUE(r.has_value()) << bad;
    ExpectEnvelope(*r, 400, "malformed HTTP request");
    EXPECT_TRUE(s.WaitClosed(3000));
  }
  EXPECT_EQ(h.calls.load(), 0);
}

TEST(ServerTest, SlowHeaderTrickleIsCutOffWhileOthersAreServed) {
  TestHandler h;
  ServerOptions o = TestOptions();
  o.io_threads = 1;  // a trickling client must not hold the only thread
  o.header_timeout_ms = 300;
  START_SERVER(server, o, h.AsHandler());

  std::atomic<bool> closed{false};
  std::atomic<int64_t> closed_after_ms{-1};
  std::thread trickler([&] {
    TestSocket t(server->port());
    const std::string req = "GET /fast HTTP/1.1\r\nHost: t\r\nX-Padding: " + std::string(40, 'p');
    const auto start = SteadyClock::now();
    for (int i = 0; i < 20; ++i) {  // one byte per 100 ms for 2 s
      if (!t.Send(req.substr(i, 1)) || t.ClosedNow()) {
        closed = true;
        closed_after_ms =
            std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start).count();
        return;
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
  });
  std::this_thread::sleep_for(milliseconds(150));
  auto served = Fetch(server->port(), kFastGet);  // while the trickle goes on
  trickler.join();
  ASSERT_TRUE(served.has_value());
  EXPECT_EQ(served->status, 200);
  EXPECT_TRUE(closed.load());
  EXPECT_GE(closed_after_ms.load(), 250);
  EXPECT_LT(closed_after_ms.load(), 1500);
  EXPECT_EQ(h.calls.load(), 1);
}

TEST(ServerTest, ThousandIdleConnectionsDoNotBlockANewClient) {
  rlimit rl{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  const rlim_t want = 4096;
  if (rl.rlim_cur < want) {
    if (rl.rlim_max < want) {
      GTEST_SKIP() << "RLIMIT_NOFILE hard limit below " << want;
    }
    rl.rlim_cur = want;
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
  }
  TestHandler h;
  ServerOptions o = TestOptions();
  o.io_threads = 1;
  START_SERVER(server, o, h.AsHandler());
  std::vector<TestSocket> idle;
  idle.reserve(1000);
  for (int i = 0; i < 1000; ++i) {
    idle.emplace_back(server->port());
    ASSERT_TRUE(idle.back().valid()) << i;
    // Half say nothing; half start a request and stall.
    if (i % 2 == 1) {
      ASSERT_TRUE(idle.back().Send("GET /fast HTTP/1.1\r\nHo"));
    }
  }
  const auto start = SteadyClock::now();
  auto r = Fetch(server->port(), kFastGet);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_LT(SteadyClock::now() - start, milliseconds(2000));
  // The idle ones are still open (not dropped to make room).
  EXPECT_FALSE(idle.front().ClosedNow());
  EXPECT_FALSE(idle.back().ClosedNow());
}

TEST(ServerTest, OverMaxConnectionsIs503AndListenerKeepsGoing) {
  TestHandler h;
  ServerOptions o = TestOptions();
  o.max_connections = 2;
  START_SERVER(server, o, h.AsHandler());
  auto a = std::make_unique<TestSocket>(server->port());
  TestSocket b(server->port());
  for (TestSocket* s : {a.get(), &b}) {  // served, so surely accepted and counted
    ASSERT_TRUE(s->Send(kFastGet));
    auto r = s->Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
  }
  TestSocket c(server->port());
  ASSERT_TRUE(c.Send(kFastGet));
  auto over = c.Read();
  ASSERT_TRUE(over.has_value());
  ExpectEnvelope(*over, 503, "maximum of 2 connections");
  ASSERT_NE(over->Header("retry-after"), nullptr);
  EXPECT_TRUE(c.WaitClosed(3000));

  a.reset();  // frees a slot once the server notices
  const auto deadline = SteadyClock::now() + milliseconds(3000);
  int status = 0;
  while (SteadyClock::now() < deadline) {
    auto r = Fetch(server->port(), kFastGet);
    status = r ? r->status : 0;
    if (status == 200) break;
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(status, 200);
}

TEST(ServerTest, StopLetsInFlightRequestFinishAndClosesIdleConnections) {
  TestHandler h;
  Workers workers;
  h.workers = &workers;
  std::promise<void> slow_started;
  std::atomic<bool> once{false};
  auto inner = h.AsHandler();
  Handler handler = [&](Request&& r, Responder respond) {
    if (r.path == "/slow" && !once.exchange(true)) slow_started.set_value();
    inner(std::move(r), std::move(respond));
  };
  START_SERVER(server, TestOptions(), handler);
  const uint16_t port = server->port();

  TestSocket idle(port);  // a kept-alive connection between requests
  ASSERT_TRUE(idle.Send(kFastGet));
  ASSERT_TRUE(idle.Read().has_value());

  std::optional<ClientResponse> in_flight;
  std::thread client([&] {
    TestSocket s(port);
    if (s.Send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")) in_flight = s.Read();
  });
  ASSERT_EQ(slow_started.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  const auto start = SteadyClock::now();
  server->Stop();
  const auto stop_took = SteadyClock::now() - start;
  client.join();

  ASSERT_TRUE(in_flight.has_value());
  EXPECT_EQ(in_flight->status, 200);
  EXPECT_EQ(in_flight->body, "done");
  ASSERT_NE(in_flight->Header("connection"), nullptr);
  EXPECT_EQ(*in_flight->Header("connection"), "close");
  EXPECT_GE(stop_took, milliseconds(150));   // it waited for the handler
  EXPECT_LT(stop_took, milliseconds(4000));  // but not for the whole grace period
  EXPECT_TRUE(idle.WaitClosed(1000));
  EXPECT_FALSE(TestSocket(port).valid());  // no longer accepting
  server->Stop();                          // idempotent
}

TEST(ServerTest, ResponderOutlivingTheServerIsDropped) {
  std::mutex mu;
  std::optional<Responder> held;
  std::promise<void> got;
  Handler handler = [&](Request&&, Responder respond) {
    std::lock_guard lock(mu);
    held = std::move(respond);
    got.set_value();
  };
  ServerOptions o = TestOptions();
  o.shutdown_grace_ms = 200;
  START_SERVER(server, o, handler);
  std::optional<ClientResponse> answer;
  bool closed = false;
  std::thread client([&, port = server->port()] {
    TestSocket s(port);
    if (!s.Send(kFastGet)) return;
    answer = s.Read();
    closed = s.WaitClosed(1000) || !answer.has_value();
  });
  ASSERT_EQ(got.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  const auto start = SteadyClock::now();
  server->Stop();
  EXPECT_GE(SteadyClock::now() - start, milliseconds(150));  // waited for the grace period
  EXPECT_LT(SteadyClock::now() - start, milliseconds(3000));
  client.join();
  EXPECT_FALSE(answer.has_value());  // closed unanswered after the grace period
  EXPECT_TRUE(closed);
  server.reset();
  std::lock_guard lock(mu);
  ASSERT_TRUE(held.has_value());
  (*held)(Response{});  // must be a no-op, not a crash
  held.reset();
}

TEST(ServerTest, ResponseForAVanishedClientIsDropped) {
  TestHandler h;
  Workers workers;
  h.workers = &workers;
  std::mutex mu;
  std::vector<std::string> completed;
  ServerOptions o = TestOptions();
  o.on_complete = [&](const Request& r, int status, double) {
    std::lock_guard lock(mu);
    completed.push_back(r.path);
  };
  START_SERVER(server, o, h.AsHandler());
  {
    TestSocket s(server->port());
    ASSERT_TRUE(s.Send("GET /late HTTP/1.1\r\nHost: t\r\n\r\n"));
  }  // the client hangs up before the answer
  const auto deadline = SteadyClock::now() + milliseconds(3000);
  bool attempted = false;
  while (!attempted && SteadyClock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
    std::lock_guard lock(mu);
    attempted = std::find(completed.begin(), completed.end(), "/late") != completed.end();
  }
  EXPECT_TRUE(attempted);
  auto r = Fetch(server->port(), kFastGet);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
}

TEST(ServerTest, StreamsChunkedResponse) {
  TestHandler h;
  START_SERVER(server, TestOptions(), h.AsHandler());
  TestSocket s(server->port());
  ASSERT_TRUE(s.Send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto r = s.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  ASSERT_NE(r->Header("transfer-encoding"), nullptr);
  EXPECT_EQ(*r->Header("transfer-encoding"), "chunked");
  EXPECT_EQ(r->Header("content-length"), nullptr);
  EXPECT_NE(r->Header("x-request-id"), nullptr);
  EXPECT_EQ(r->body, "start:abbccc");
  ASSERT_TRUE(s.Send(kFastGet));  // keep-alive continues after a stream
  auto next = s.Read();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->status, 200);

  // HTTP/1.0 has no chunked encoding: the body ends when the connection closes.
  auto old = Fetch(server->port(), "GET /stream HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->Header("transfer-encoding"), nullptr);
  EXPECT_EQ(old->body, "start:abbccc");
}

TEST(ServerTest, HandlerThrowingOrDroppingTheRequestGives500) {
  TestHandler h;
  START_SERVER(server, TestOptions(), h.AsHandler());
  TestSocket s(server->port());
  ASSERT_TRUE(s.Send("GET /throw HTTP/1.1\r\nHost: t\r\nX-Request-Id: t-500\r\n\r\n"));
  auto r = s.Read();
  ASSERT_TRUE(r.has_value());
  ExpectEnvelope(*r, 500, "the request handler failed");
  EXPECT_EQ(*r->Header("x-request-id"), "t-500");
  ASSERT_TRUE(s.Send(kFastGet));  // the connection survives
  auto next = s.Read();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->status, 200);

  auto dropped = Fetch(server->port(), "GET /drop HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(dropped.has_value());
  ExpectEnvelope(*dropped, 500, "without answering");
}

TEST(ServerTest, IdleHeaderAndBodyTimeoutsCloseTheConnection) {
  TestHandler h;
  ServerOptions o = TestOptions();
  o.idle_timeout_ms = 200;
  o.header_timeout_ms = 200;
  o.body_timeout_ms = 200;
  START_SERVER(server, o, h.AsHandler());

  TestSocket kept(server->port());
  ASSERT_TRUE(kept.Send(kFastGet));
  ASSERT_TRUE(kept.Read().has_value());
  EXPECT_TRUE(kept.WaitClosed(2000));  // idle keep-alive

  TestSocket silent(server->port());
  EXPECT_TRUE(silent.WaitClosed(2000));  // never sends a byte

  TestSocket short_body(server->port());
  ASSERT_TRUE(short_body.Send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nab"));
  EXPECT_TRUE(short_body.WaitClosed(2000));
  EXPECT_EQ(h.calls.load(), 1);
}

TEST(ServerTest, WriteTimeoutClosesAClientThatStopsReading) {
  ServerOptions o = TestOptions();
  o.write_timeout_ms = 200;
  std::promise<std::pair<int, int64_t>> completed;  // status, ms after the request was sent
  std::atomic<bool> once{false};
  const auto sent_at = std::make_shared<std::atomic<int64_t>>(0);
  auto now_ms = [] {
    return std::chrono::duration_cast<milliseconds>(SteadyClock::now().time_since_epoch())
        .count();
  };
  o.on_complete = [&](const Request&, int status, double) {
    if (!once.exchange(true)) completed.set_value({status, now_ms() - sent_at->load()});
  };
  // An endless stream: the server keeps writing until the socket buffers are full.
  Handler endless = [](Request&&, Responder respond) {
    Response r;
    r.content_type = "text/plain";
    r.next_chunk = [](std::string* out) {
      out->append(64 * 1024, 'x');
      return true;
    };
    respond(std::move(r));
  };
  START_SERVER(server, o, endless);
  TestSocket reader(server->port());
  sent_at->store(now_ms());
  ASSERT_TRUE(reader.Send(kFastGet));  // ... and never reads
  auto f = completed.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto [status, after_ms] = f.get();
  EXPECT_EQ(status, 200);
  EXPECT_GE(after_ms, 200);   // not before the timeout
  EXPECT_LT(after_ms, 4000);  // and not much after it (generous: CI machines are busy)
}

TEST(ServerTest, AnswersExpectContinueBeforeReadingBody) {
  TestHandler h;
  START_SERVER(server, TestOptions(), h.AsHandler());
  TestSocket s(server->port());
  ASSERT_TRUE(
      s.Send("POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  auto interim = s.Read();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(s.Send("hello"));
  auto r = s.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("body=hello"), std::string::npos);
}

TEST(ServerTest, OnCompleteSeesEveryResponse) {
  TestHandler h;
  std::mutex mu;
  std::vector<std::pair<std::string, int>> seen;
  ServerOptions o = TestOptions();
  o.body_limit_bytes = 10;
  o.on_complete = [&](const Request& r, int status, double seconds) {
    std::lock_guard lock(mu);
    seen.emplace_back(r.path, status);
  };
  START_SERVER(server, o, h.AsHandler());
  ASSERT_TRUE(Fetch(server->port(), kFastGet).has_value());
  ASSERT_TRUE(Fetch(server->port(), "POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\n")
                  .has_value());
  const auto deadline = SteadyClock::now() + milliseconds(3000);
  for (;;) {
    {
      std::lock_guard lock(mu);
      if (seen.size() >= 2 || SteadyClock::now() > deadline) break;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  std::lock_guard lock(mu);
  std::sort(seen.begin(), seen.end());
  const std::vector<std::pair<std::string, int>> want = {{"/big", 413}, {"/fast", 200}};
  EXPECT_EQ(seen, want);
}

TEST(ServerTest, StartReportsAddressInUse) {
  TestHandler h;
  START_SERVER(first, TestOptions(), h.AsHandler());
  ServerOptions o = TestOptions();
  o.port = first->port();
  auto second = Server::Start(o, h.AsHandler());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find(std::to_string(first->port())), std::string::npos)
      << second.status().message();

  o.host = "not an address";
  o.port = 0;
  auto bad_host = Server::Start(o, h.AsHandler());
  ASSERT_FALSE(bad_host.ok());
  EXPECT_EQ(bad_host.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cohort::http
