// Audience webhooks (issue 6, must-show 4; SPEC §2.6): a local receiver gets every enter and
// exit of an audience, in order, signed with the audience's secret; while it is down the
// deliveries are retried (and the segment shows it), and once it is back on the same port the
// pending changes arrive, in order, with nothing lost — also when the Cohort server restarted
// in between.
//
// The server runs in this process with a FakeClock: entries come from Customer.io email opens,
// exits from moving the clock past the seven days of `cio_last_open_ts > "now-7d"`. The
// receiver is a real HTTP server on port 0 that records every request; "down" is that server
// stopped, "back" is a new one on the same port. The only real-time waits are the sender's
// retry backoff (1 s doubling), which tests poll for, up to 20 s.
//
// Each POST must carry X-Cohort-Timestamp and X-Cohort-Signature = hex HMAC-SHA256(secret,
// "v0:" + timestamp + ":" + body), and a body {"segment": slug, "changes": [...]} whose
// changes are the audience's enter/exit log (GET /changes) in cursor order. A batch may be
// delivered twice across a restart (receivers de-duplicate by cursor), never with a gap.
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>

#include "auth/crypto.h"
#include "common/clock.h"
#include "harness.h"
#include "http/server.h"
#include "in_process.h"
#include "server/config.h"
#include "server/server.h"

namespace cohort::integration {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

constexpr char kSlug[] = "recent_openers";
constexpr char kSecret[] = "whsec-audience-test-0123456789";

// One POST the receiver got.
struct Delivery {
  std::string path;
  std::string body;
  std::string content_type;
  std::string timestamp;  // X-Cohort-Timestamp
  std::string signature;  // X-Cohort-Signature
};

// The webhook receiver: an HTTP server on 127.0.0.1 that records every request and answers
// 200. Start(0) picks a port; Start(port()) after Stop() comes back on the same one.
// Deliveries() may be called from any thread.
class Receiver {
 public:
  ~Receiver() { Stop(); }

  [[nodiscard]] Status Start(uint16_t port) {
    http::ServerOptions o;
    o.port = port;
    o.io_threads = 1;
    o.shutdown_grace_ms = 1000;
    auto s = http::Server::Start(o, [this](http::Request&& r, http::Responder respond) {
      auto header = [&](std::string_view name) {
        const std::string* h = r.Header(name);
        return h ? *h : std::string();
      };
      {
        std::lock_guard l(mu_);
        deliveries_.push_back({r.path, r.body, header("content-type"), header("x-cohort-timestamp"),
                               header("x-cohort-signature")});
      }
      http::Response ok;
      ok.body = R"({"ok":true})";
      respond(std::move(ok));
    });
    if (!s.ok()) return s.status();
    server_ = std::move(s).value();
    port_ = server_->port();
    return Status::Ok();
  }
  void Stop() {
    if (server_) server_->Stop();
    server_.reset();
  }
  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<Delivery> Deliveries() const {
    std::lock_guard l(mu_);
    return deliveries_;
  }

 private:
  uint16_t port_ = 0;
  std::unique_ptr<http::Server> server_;
  mutable std::mutex mu_;
  std::vector<Delivery> deliveries_;  // GUARDED_BY(mu_)
};

// What the receiver made of its deliveries: the changes de-duplicated by cursor, in the order
// they first arrived, and how many arrived twice.
struct Received {
  std::vector<object> changes;
  size_t duplicates = 0;
};

int64_t Cursor(const object& change) {
  const std::string c = Str(change, "cursor");
  return c.empty() || c.find_first_not_of("0123456789") != std::string::npos ? -1 : std::stoll(c);
}

// Verifies every delivery (path, content type, timestamp, signature, body shape, cursor order
// within and across batches: no gap ever, no repeat unless `allow_repeats`), recording test
// failures, and fills *out with the de-duplicated changes.
void Verify(const std::vector<Delivery>& deliveries, bool allow_repeats, Received* out) {
  int64_t last = 0;
  const int64_t wall_s = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  for (size_t i = 0; i < deliveries.size(); ++i) {
    const Delivery& d = deliveries[i];
    SCOPED_TRACE("delivery " + std::to_string(i) + ": " + d.body);
    EXPECT_EQ(d.path, "/hook");
    EXPECT_NE(d.content_type.find("application/json"), std::string::npos) << d.content_type;
    // The timestamp is the sender's real time (what receivers check replays against).
    ASSERT_FALSE(d.timestamp.empty());
    ASSERT_EQ(d.timestamp.find_first_not_of("0123456789"), std::string::npos) << d.timestamp;
    EXPECT_LT(std::llabs(std::stoll(d.timestamp) - wall_s), 300) << d.timestamp;
    EXPECT_EQ(d.signature, auth::HmacSha256Hex(kSecret, "v0:" + d.timestamp + ":" + d.body));
    value body = ParseJson(d.body);
    ASSERT_TRUE(body.is_object());
    EXPECT_EQ(Str(body, "segment"), kSlug);
    const value* changes = body.as_object().if_contains("changes");
    ASSERT_TRUE(changes && changes->is_array() && !changes->as_array().empty());
    int64_t prev = -1;
    for (const auto& c : changes->as_array()) {
      ASSERT_TRUE(c.is_object());
      const int64_t cursor = Cursor(c.as_object());
      ASSERT_GT(cursor, 0) << c;
      if (prev >= 0) {
        EXPECT_EQ(cursor, prev + 1) << "a batch skips or reorders: " << c;
      }
      prev = cursor;
      EXPECT_LE(cursor, last + 1) << "gap: cursor " << cursor << " after " << last;
      if (cursor <= last) {
        ++out->duplicates;
        continue;
      }
      last = cursor;
      out->changes.push_back(c.as_object());
    }
  }
  if (!allow_repeats) {
    EXPECT_EQ(out->duplicates, 0u) << "changes delivered twice";
  }
}

class AudienceWebhookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cohort_ = std::make_unique<InProcessCohort>(dir_.Sub("data"), &clock_);
    {
      Status st = cohort_->Start();
      ASSERT_TRUE(st.ok()) << st.message();
    }
    InstallDefaultQuery();
    Reply saved = cohort().Request("POST", "/api/segment",
                                   R"(FILTER cio_last_open_ts > "now-7d" ALIAS recent_openers)");
    ASSERT_EQ(saved.status, 200) << saved.Describe();
    {
      Status st = receiver_.Start(0);
      ASSERT_TRUE(st.ok()) << st.message();
    }
    Reply hook = cohort().Request(
        "PUT", std::string("/api/segment/") + kSlug + "/webhook",
        boost::json::serialize(object{{"url", receiver_.url()}, {"secret", kSecret}}));
    ASSERT_EQ(hook.status, 200) << hook.Describe();
    EXPECT_EQ(Str(hook.Data().at("webhook"), "url"), receiver_.url()) << hook.Describe();
    EXPECT_EQ(hook.Data().at("webhook").at("secret_set"), value(true)) << hook.Describe();
    EXPECT_EQ(hook.body.find(kSecret), std::string::npos) << "the secret is shown";
  }

  InProcessCohort& cohort() { return *cohort_; }

  void InstallDefaultQuery() { ASSERT_TRUE(cohort().RunImportWebhookEvents()); }

  // Posts a Customer.io email open of `customer` at `at_ms`.
  void PostOpen(const std::string& customer, int64_t at_ms) {
    Reply r = cohort().PostEmailEvent("open-" + std::to_string(++events_), "opened", customer, at_ms);
    ASSERT_EQ(r.status, 200) << r.Describe();
  }

  // The audience (with its webhook delivery state).
  object Segment() {
    Reply r = cohort().Request("GET", std::string("/api/segment/") + kSlug);
    EXPECT_EQ(r.status, 200) << r.Describe();
    return r.Data().is_object() ? r.Data().as_object() : object{};
  }

  // The whole enter/exit log.
  std::vector<object> Log() {
    Reply r = cohort().Request("GET", std::string("/api/segment/") + kSlug + "/changes?after=0");
    EXPECT_EQ(r.status, 200) << r.Describe();
    std::vector<object> out;
    if (r.Data().is_array()) {
      for (const auto& c : r.Data().as_array()) out.push_back(c.as_object());
    }
    return out;
  }

  // Polls until the log has `n` entries.
  void WaitForLog(size_t n) {
    size_t got = 0;
    EXPECT_TRUE(Eventually(
        [&] {
          got = Log().size();
          return got >= n;
        },
        10s))
        << "the log has " << got << " changes, want " << n;
    EXPECT_EQ(Log().size(), n);
  }

  // Polls until the receiver has every change of the log (by cursor); `timeout` covers the
  // retry backoff.
  void WaitForDelivery(size_t n, std::chrono::milliseconds timeout) {
    size_t got = 0;
    bool ok = Eventually(
        [&] {
          got = 0;
          std::set<int64_t> cursors;
          for (const auto& d : receiver_.Deliveries()) {
            value body = ParseJson(d.body);
            const value* c = body.is_object() ? body.as_object().if_contains("changes") : nullptr;
            if (!c || !c->is_array()) continue;
            for (const auto& x : c->as_array()) {
              if (x.is_object()) cursors.insert(Cursor(x.as_object()));
            }
          }
          got = cursors.size();
          return got >= n;
        },
        timeout, 50ms);
    EXPECT_TRUE(ok) << "the receiver has " << got << " of " << n
                    << " changes; segment: " << value(Segment());
  }

  // The received changes must be the log, entry for entry.
  void ExpectReceivedIsTheLog(const Received& got) {
    const auto log = Log();
    ASSERT_EQ(got.changes.size(), log.size());
    for (size_t i = 0; i < log.size(); ++i) {
      EXPECT_EQ(value(got.changes[i]), value(log[i])) << "change " << i;
    }
  }

  // Polls until the delivery state satisfies `pred`; returns the last webhook object seen.
  object WaitForWebhookState(const std::function<bool(const object&)>& pred,
                             const std::string& what) {
    object hook;
    bool ok = Eventually(
        [&] {
          object s = Segment();
          const value* h = s.if_contains("webhook");
          if (!h || !h->is_object()) return false;
          hook = h->as_object();
          return pred(hook);
        },
        10s, 20ms);
    EXPECT_TRUE(ok) << what << "; webhook state: " << value(hook);
    return hook;
  }
  static int64_t Field(const object& hook, std::string_view key) { return IntField(hook, key); }

  TempDir dir_;
  FakeClock clock_{kStartMs};
  Receiver receiver_;  // outlives the server's sender (declared before it)
  std::unique_ptr<InProcessCohort> cohort_;
  int events_ = 0;
};

TEST_F(AudienceWebhookTest, ReceiverGetsEnterAndExitSignedAndInOrder) {
  const int64_t open_ms = kStartMs - kHourMs;
  PostOpen("ann", open_ms);
  WaitForLog(1);
  WaitForDelivery(1, 10s);
  clock_.SetMs(open_ms + 7 * kDayMs + kMinuteMs);
  WaitForLog(2);
  WaitForDelivery(2, 10s);

  Received got;
  Verify(receiver_.Deliveries(), /*allow_repeats=*/false, &got);
  ASSERT_EQ(got.changes.size(), 2u);
  EXPECT_EQ(Str(got.changes[0], "change"), "enter");
  EXPECT_EQ(Str(got.changes[0], "reason"), "event");
  EXPECT_EQ(Str(got.changes[0], "email"), "ann@example.com");
  EXPECT_EQ(Str(got.changes[1], "change"), "exit");
  EXPECT_EQ(Str(got.changes[1], "reason"), "time");
  EXPECT_EQ(Str(got.changes[1], "profile"), Str(got.changes[0], "profile"));
  ExpectReceivedIsTheLog(got);

  object hook = WaitForWebhookState([](const object& h) { return IntField(h, "pending") == 0; },
                                    "everything acknowledged");
  EXPECT_EQ(Field(hook, "delivered_through"), Cursor(got.changes.back()));
  EXPECT_EQ(Field(hook, "failed_attempts"), 0);
  EXPECT_EQ(Str(hook, "state"), "delivered");
  EXPECT_TRUE(hook["last_success"].is_string()) << value(hook);
}

TEST_F(AudienceWebhookTest, ChangesWhileTheReceiverIsDownArriveInOrderWhenItIsBack) {
  const int64_t ann_open = kStartMs - kHourMs;
  PostOpen("ann", ann_open);
  WaitForLog(1);
  WaitForDelivery(1, 10s);

  // Down: an exit (time) and two enters (events) happen meanwhile.
  receiver_.Stop();
  clock_.SetMs(ann_open + 7 * kDayMs + kMinuteMs);
  WaitForLog(2);
  PostOpen("ben", clock_.NowMs() - kMinuteMs);
  PostOpen("cat", clock_.NowMs());
  WaitForLog(4);
  object hook = WaitForWebhookState(
      [](const object& h) {
        return IntField(h, "failed_attempts") > 0 && IntField(h, "pending") == 3;
      },
      "failed attempts and 3 pending while the receiver is down");
  EXPECT_EQ(Field(hook, "delivered_through"), 1);
  EXPECT_EQ(Str(hook, "state"), "retrying");
  EXPECT_FALSE(Str(hook, "last_error").empty()) << value(hook);
  EXPECT_TRUE(hook["next_attempt"].is_string()) << value(hook);
  const size_t before = receiver_.Deliveries().size();

  // Back on the same port: the pending changes arrive after the backoff.
  const uint16_t port = receiver_.port();
  {
    Status st = receiver_.Start(port);
    ASSERT_TRUE(st.ok()) << st.message();
  }
  ASSERT_EQ(receiver_.port(), port);
  const auto back = std::chrono::steady_clock::now();
  WaitForDelivery(4, 20s);
  std::printf("[ pending changes arrived %lld ms (real) after the receiver came back ]\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - back)
                                         .count()));
  EXPECT_GT(receiver_.Deliveries().size(), before);
  Received got;
  Verify(receiver_.Deliveries(), /*allow_repeats=*/false, &got);
  ExpectReceivedIsTheLog(got);
  ASSERT_EQ(got.changes.size(), 4u);
  EXPECT_EQ(Str(got.changes[1], "change"), "exit");
  EXPECT_EQ(Str(got.changes[2], "email"), "ben@example.com");
  EXPECT_EQ(Str(got.changes[3], "email"), "cat@example.com");

  hook = WaitForWebhookState([](const object& h) { return IntField(h, "pending") == 0; },
                             "everything acknowledged");
  EXPECT_EQ(Field(hook, "delivered_through"), 4);
  EXPECT_EQ(Field(hook, "failed_attempts"), 0);
  EXPECT_EQ(Str(hook, "state"), "delivered");
}

TEST_F(AudienceWebhookTest, PendingChangesArriveAfterAServerRestart) {
  const int64_t ann_open = kStartMs - kHourMs;
  PostOpen("ann", ann_open);
  WaitForLog(1);
  WaitForDelivery(1, 10s);

  // Down, with a change pending and failing.
  receiver_.Stop();
  PostOpen("ben", kStartMs);
  WaitForLog(2);
  WaitForWebhookState(
      [](const object& h) {
        return IntField(h, "failed_attempts") > 0 && IntField(h, "pending") == 1;
      },
      "a failed attempt with 1 pending");

  // Restart Cohort on the same data directory: the delivery cursor and the webhook survive.
  cohort().Stop();
  {
    Status st = cohort().Start();
    ASSERT_TRUE(st.ok()) << st.message();
  }
  object hook = WaitForWebhookState([](const object& h) { return IntField(h, "pending") == 1; },
                                    "1 pending after the restart");
  EXPECT_EQ(Field(hook, "delivered_through"), 1);
  EXPECT_EQ(Str(hook, "url"), receiver_.url());
  EXPECT_EQ(hook["secret_set"], value(true));

  // More changes after the restart, still down: Ann's window passes, Cat opens.
  clock_.SetMs(ann_open + 7 * kDayMs + kMinuteMs);
  WaitForLog(3);
  PostOpen("cat", clock_.NowMs());
  WaitForLog(4);
  WaitForWebhookState(
      [](const object& h) {
        return IntField(h, "failed_attempts") > 0 && IntField(h, "pending") == 3;
      },
      "failed attempts and 3 pending after the restart");

  const uint16_t port = receiver_.port();
  {
    Status st = receiver_.Start(port);
    ASSERT_TRUE(st.ok()) << st.message();
  }
  WaitForDelivery(4, 20s);
  Received got;
  Verify(receiver_.Deliveries(), /*allow_repeats=*/true, &got);
  std::printf("[ %zu changes re-delivered across the restart ]\n", got.duplicates);
  ExpectReceivedIsTheLog(got);
  ASSERT_EQ(got.changes.size(), 4u);
  EXPECT_EQ(Str(got.changes[0], "email"), "ann@example.com");
  EXPECT_EQ(Str(got.changes[1], "email"), "ben@example.com");
  EXPECT_EQ(Str(got.changes[2], "change"), "exit");
  EXPECT_EQ(Str(got.changes[2], "reason"), "time");
  EXPECT_EQ(Str(got.changes[3], "email"), "cat@example.com");

  hook = WaitForWebhookState([](const object& h) { return IntField(h, "pending") == 0; },
                             "everything acknowledged");
  EXPECT_EQ(Field(hook, "delivered_through"), 4);
  EXPECT_EQ(Str(hook, "state"), "delivered");
}

}  // namespace
}  // namespace cohort::integration
