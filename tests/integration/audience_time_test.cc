// Time-relative audiences with the injected clock (issue 6, must-show 3; SPEC §2.6, §7).
//
// The server runs in this process with a FakeClock, so the test moves "now" instead of
// sleeping. A Customer.io email open puts a profile into `cio_last_open_ts > "now-7d"` at once
// (reason "event"); one minute before the seven days are up it is still a member; once they
// are up it leaves with no event (reason "time") within the bounded delay; a new open brings
// it back. An audience that INCLUDEs the time-relative one follows it in and out (and one that
// excludes it enters when the window passes), also after the included one is edited. A
// pending exit survives a restart: the server is
// stopped while the profile is a member, the clock is moved past the exit, and the new server
// on the same data directory lets the profile go. A count audience (`email_opened >= 2`) is
// entered on the second open only.
//
// "The pipeline has seen this clock" is established without sleeping by a barrier: after the
// clock moves, an email_sent event for a new person is posted and the test waits for that
// person's profile. The profile stage reads the clock for its timers at the start of every
// pass, and the pass that applies the barrier event started after the event was written, so
// by then every timer due at the new "now" has run.
#include <cstdint>
#include <cstdio>
#include <sstream>

#include "common/clock.h"
#include "harness.h"
#include "in_process.h"
#include "server/config.h"
#include "server/server.h"

namespace cohort::integration {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;


const char kRecentOpeners[] = R"(FILTER cio_last_open_ts > "now-7d" ALIAS recent_openers)";

class AudienceTimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cohort_ = std::make_unique<InProcessCohort>(dir_.Sub("data"), &clock_);
    {
      Status st = cohort_->Start();
      ASSERT_TRUE(st.ok()) << st.message();
    }
    InstallDefaultQuery();
  }

  InProcessCohort& cohort() { return *cohort_; }

  // Runs Import Webhook Events and waits for it (and its rebuild) to complete.
  void InstallDefaultQuery() { ASSERT_TRUE(cohort().RunImportWebhookEvents()); }

  // Saves a filter (text with ALIAS); returns the saved audience.
  object SaveAudience(const std::string& text) {
    Reply r = cohort().Request("POST", "/api/segment", text);
    EXPECT_EQ(r.status, 200) << text << ": " << r.Describe();
    return r.Data().is_object() ? r.Data().as_object() : object{};
  }

  // Posts one Customer.io email event for a person known by customer id and email.
  void PostEvent(const std::string& event_id, const std::string& metric,
                 const std::string& customer, int64_t at_ms) {
    Reply r = cohort().PostEmailEvent(event_id, metric, customer, at_ms, "Weekly digest");
    ASSERT_EQ(r.status, 200) << r.Describe();
  }
  void PostOpen(const std::string& customer, int64_t at_ms) {
    PostEvent("open-" + std::to_string(++events_), "opened", customer, at_ms);
  }

  // Waits until the pipeline has run a pass that started after this call (see the file
  // comment), so that every timer due at the clock's current "now" has been handled.
  void Barrier() {
    const std::string marker = "barrier-" + std::to_string(++events_);
    PostEvent("sent-" + marker, "sent", marker, clock_.NowMs());
    ASSERT_TRUE(Eventually(
        [&] {
          return cohort().Request("GET", "/api/entity/user/cio_customer_id/" + marker).status ==
                 200;
        },
        10s))
        << "the pipeline did not apply the barrier event " << marker;
  }

  int64_t Size(const std::string& slug) {
    return DataInt(cohort().Request("GET", "/api/segment/" + slug), "size");
  }

  // The whole enter/exit log of `slug`.
  std::vector<object> Changes(const std::string& slug) {
    Reply r = cohort().Request("GET", "/api/segment/" + slug + "/changes?after=0");
    EXPECT_EQ(r.status, 200) << r.Describe();
    std::vector<object> out;
    if (r.Data().is_array()) {
      for (const auto& c : r.Data().as_array()) out.push_back(c.as_object());
    }
    return out;
  }

  // Polls until `slug` has `size` members and `changes` log entries (kAnyCount: any number).
  static constexpr size_t kAnyCount = SIZE_MAX;
  void WaitFor(const std::string& slug, int64_t size, size_t changes,
               std::chrono::milliseconds timeout) {
    int64_t got_size = -1;
    size_t got_changes = 0;
    bool ok = Eventually(
        [&] {
          got_size = Size(slug);
          got_changes = Changes(slug).size();
          return got_size == size && (changes == kAnyCount || got_changes == changes);
        },
        timeout);
    if (ok) return;
    array log;
    for (auto& c : Changes(slug)) log.push_back(std::move(c));
    ADD_FAILURE() << slug << ": want size " << size << " and "
                  << (changes == kAnyCount ? "any number of" : std::to_string(changes))
                  << " changes, got size " << got_size << " and " << got_changes
                  << " changes; log: " << log;
  }

  // The audiences of a person's profile (`_segments` of the entity lookup).
  std::vector<std::string> SegmentsOf(const std::string& customer) {
    Reply r = cohort().Request("GET", "/api/entity/user/cio_customer_id/" + customer);
    EXPECT_EQ(r.status, 200) << r.Describe();
    std::vector<std::string> out;
    const value* s = r.Data().is_object() ? r.Data().as_object().if_contains("_segments") : nullptr;
    EXPECT_TRUE(s && s->is_array()) << r.Describe();
    if (s && s->is_array()) {
      for (const auto& v : s->as_array()) out.push_back(std::string(v.as_string()));
    }
    return out;
  }

  // Checks one log entry.
  static void ExpectChange(const object& c, const std::string& change, const std::string& reason,
                           const std::string& customer, int64_t at_min_ms, int64_t at_max_ms) {
    SCOPED_TRACE(boost::json::serialize(c));
    EXPECT_EQ(Str(c, "change"), change);
    EXPECT_EQ(Str(c, "reason"), reason);
    EXPECT_EQ(Str(c, "email"), customer + "@example.com");
    EXPECT_FALSE(Str(c, "profile").empty());
    const int64_t at = ParseRfc3339Ms(Str(c, "at"));
    EXPECT_GE(at, at_min_ms);
    EXPECT_LE(at, at_max_ms);
  }

  // Cursors of the log, which must be strictly increasing integers.
  static void ExpectIncreasingCursors(const std::vector<object>& log) {
    int64_t last = 0;
    for (const auto& c : log) {
      const int64_t cursor = std::stoll(Str(c, "cursor").empty() ? "0" : Str(c, "cursor"));
      EXPECT_GT(cursor, last) << boost::json::serialize(c);
      last = cursor;
    }
  }

  TempDir dir_;  // declared first: removed after the server is gone
  FakeClock clock_{kStartMs};
  std::unique_ptr<InProcessCohort> cohort_;
  int events_ = 0;
};

// Real time since `start`, in milliseconds (for the reports of the bounded delay).
int64_t MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

TEST_F(AudienceTimeTest, EntersOnOpenLeavesWhenTheWindowPassesAndComesBackOnANewOpen) {
  object saved = SaveAudience(kRecentOpeners);
  EXPECT_EQ(saved["time_relative"], value(true)) << value(saved);
  EXPECT_EQ(saved["size"], value(0)) << value(saved);

  // An open an hour ago: in at once, because of the event.
  const int64_t open_ms = kStartMs - kHourMs;
  PostOpen("ada", open_ms);
  WaitFor("recent_openers", 1, 1, 10s);
  auto log = Changes("recent_openers");
  ASSERT_EQ(log.size(), 1u);
  ExpectChange(log[0], "enter", "event", "ada", kStartMs, kStartMs);
  EXPECT_EQ(SegmentsOf("ada"), std::vector<std::string>{"recent_openers"});
  Reply scan = cohort().Request("GET", "/api/segment/recent_openers/scan?fields=email");
  ASSERT_EQ(scan.status, 200) << scan.Describe();
  ASSERT_TRUE(scan.Data().is_array() && scan.Data().as_array().size() == 1) << scan.Describe();
  EXPECT_EQ(Str(scan.Data().as_array()[0], "email"), "ada@example.com");

  // One minute before the seven days are up: still in.
  clock_.SetMs(open_ms + 7 * kDayMs - kMinuteMs);
  Barrier();
  EXPECT_EQ(Size("recent_openers"), 1);
  EXPECT_EQ(Changes("recent_openers").size(), 1u);

  // Seven days and a second after the open: out, with no event, within the bounded delay
  // (the pipeline runs timers every pass, at most 100 ms apart).
  clock_.SetMs(open_ms + 7 * kDayMs + 1000);
  const auto moved = std::chrono::steady_clock::now();
  WaitFor("recent_openers", 0, 2, 2s);
  std::printf("[ time exit seen %lld ms (real) after the clock passed the window ]\n",
              static_cast<long long>(MsSince(moved)));
  log = Changes("recent_openers");
  ASSERT_EQ(log.size(), 2u);
  ExpectChange(log[1], "exit", "time", "ada", open_ms + 7 * kDayMs, clock_.NowMs());
  EXPECT_EQ(Str(log[1], "profile"), Str(log[0], "profile"));
  EXPECT_TRUE(SegmentsOf("ada").empty());

  // A new open brings her back.
  clock_.AdvanceMs(3 * kDayMs);
  PostOpen("ada", clock_.NowMs() - kMinuteMs);
  WaitFor("recent_openers", 1, 3, 10s);
  log = Changes("recent_openers");
  ASSERT_EQ(log.size(), 3u);
  ExpectChange(log[2], "enter", "event", "ada", clock_.NowMs(), clock_.NowMs());
  ExpectIncreasingCursors(log);
  EXPECT_EQ(SegmentsOf("ada"), std::vector<std::string>{"recent_openers"});
}

TEST_F(AudienceTimeTest, IncludeFollowsTheTimeRelativeAudience) {
  SaveAudience(kRecentOpeners);
  object inc = SaveAudience("FILTER INCLUDE recent_openers ALIAS inc");
  EXPECT_EQ(inc["time_relative"], value(true)) << value(inc);
  // The complement among people who ever opened: enters when the window passes.
  object lapsed =
      SaveAudience("FILTER AND (EXISTS cio_last_open_ts, NOT INCLUDE recent_openers) ALIAS lapsed");
  EXPECT_EQ(lapsed["time_relative"], value(true)) << value(lapsed);

  const int64_t open_ms = kStartMs - kHourMs;
  PostOpen("bo", open_ms);
  WaitFor("recent_openers", 1, 1, 10s);
  WaitFor("inc", 1, 1, 2s);
  WaitFor("lapsed", 0, 0, 2s);
  ExpectChange(Changes("inc").at(0), "enter", "event", "bo", kStartMs, kStartMs);
  EXPECT_EQ(SegmentsOf("bo"), (std::vector<std::string>{"inc", "recent_openers"}));

  clock_.SetMs(open_ms + 7 * kDayMs - kMinuteMs);
  Barrier();
  EXPECT_EQ(Size("inc"), 1);
  EXPECT_EQ(Size("lapsed"), 0);

  clock_.SetMs(open_ms + 7 * kDayMs + 1000);
  WaitFor("recent_openers", 0, 2, 2s);
  WaitFor("inc", 0, 2, 2s);
  WaitFor("lapsed", 1, 1, 2s);
  ExpectChange(Changes("inc").at(1), "exit", "time", "bo", open_ms + 7 * kDayMs, clock_.NowMs());
  ExpectChange(Changes("lapsed").at(0), "enter", "time", "bo", open_ms + 7 * kDayMs,
               clock_.NowMs());
  EXPECT_EQ(SegmentsOf("bo"), std::vector<std::string>{"lapsed"});

  PostOpen("bo", clock_.NowMs());
  WaitFor("inc", 1, 3, 10s);
  WaitFor("lapsed", 0, 2, 2s);
  ExpectChange(Changes("inc").at(2), "enter", "event", "bo", clock_.NowMs(), clock_.NowMs());
  ExpectChange(Changes("lapsed").at(1), "exit", "event", "bo", clock_.NowMs(), clock_.NowMs());
  ExpectIncreasingCursors(Changes("inc"));
}

// INCLUDE means the included audience as it is now: when its filter is edited (upsert by
// slug), the including audience follows the new window, on save and as time passes. The edit
// itself moves people in or out, so it is in the log (reason "saved"), like any change.
TEST_F(AudienceTimeTest, IncludeFollowsAnEditedTimeRelativeAudience) {
  SaveAudience(kRecentOpeners);
  SaveAudience("FILTER INCLUDE recent_openers ALIAS inc");
  const int64_t open_ms = kStartMs - kHourMs;
  PostOpen("fay", open_ms);
  WaitFor("recent_openers", 1, 1, 10s);
  WaitFor("inc", 1, 1, 2s);

  // Narrowed to the last 30 minutes: Fay (an hour ago) is out of both at once.
  object edited = SaveAudience(R"(FILTER cio_last_open_ts > "now-30m" ALIAS recent_openers)");
  EXPECT_EQ(edited["size"], value(0)) << value(edited);
  WaitFor("recent_openers", 0, kAnyCount, 2s);
  auto log = Changes("recent_openers");
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.size(), 2u) << "editing the filter let Fay go without an exit in the log";
  ExpectChange(log.back(), "exit", "saved", "fay", kStartMs, kStartMs);
  WaitFor("inc", 0, 2, 2s);

  // A new open: in both, and out of both 30 minutes later (not seven days).
  PostOpen("fay", clock_.NowMs());
  WaitFor("recent_openers", 1, kAnyCount, 10s);
  WaitFor("inc", 1, kAnyCount, 2s);
  clock_.AdvanceMs(30 * kMinuteMs + 1000);
  for (const char* slug : {"recent_openers", "inc"}) {
    SCOPED_TRACE(slug);
    WaitFor(slug, 0, kAnyCount, 2s);
    log = Changes(slug);
    ASSERT_FALSE(log.empty());
    ExpectChange(log.back(), "exit", "time", "fay", kStartMs + 30 * kMinuteMs, clock_.NowMs());
  }
  EXPECT_TRUE(SegmentsOf("fay").empty());
}

// Cy's exit falls while the server is down: the new server lets her go at once. Di's falls 6 s
// (of clock time) after the restart, sooner than the engine's periodic sweep of time-relative
// audiences runs again (every 10 s of clock time), so her persisted timer is what lets her go.
TEST_F(AudienceTimeTest, PendingExitSurvivesARestart) {
  SaveAudience(kRecentOpeners);
  const int64_t cy_open = kStartMs - kHourMs;
  PostOpen("cy", cy_open);
  WaitFor("recent_openers", 1, 1, 10s);
  clock_.AdvanceMs(2 * kDayMs);
  const int64_t di_open = clock_.NowMs() - kHourMs;
  PostOpen("di", di_open);
  WaitFor("recent_openers", 2, 2, 10s);
  const auto before = Changes("recent_openers");
  const int64_t cy_exit = cy_open + 7 * kDayMs, di_exit = di_open + 7 * kDayMs;

  // Stopped while both exits are pending; the clock passes Cy's exit while it is down.
  cohort().Stop();
  clock_.SetMs(di_exit - 5000);
  {
    Status st = cohort().Start();
    ASSERT_TRUE(st.ok()) << st.message();
  }
  const auto started = std::chrono::steady_clock::now();
  WaitFor("recent_openers", 1, 3, 2s);
  std::printf("[ time exit seen %lld ms (real) after the restart ]\n",
              static_cast<long long>(MsSince(started)));
  auto log = Changes("recent_openers");
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(value(log[0]), value(before[0]));  // the log survives too
  EXPECT_EQ(value(log[1]), value(before[1]));
  ExpectChange(log[2], "exit", "time", "cy", cy_exit, clock_.NowMs());
  Barrier();
  EXPECT_TRUE(SegmentsOf("cy").empty());
  EXPECT_EQ(SegmentsOf("di"), std::vector<std::string>{"recent_openers"});

  // Di's timer, loaded from disk, fires when her window passes.
  clock_.SetMs(di_exit + 1000);
  WaitFor("recent_openers", 0, 4, 2s);
  log = Changes("recent_openers");
  ASSERT_EQ(log.size(), 4u);
  ExpectChange(log[3], "exit", "time", "di", di_exit, clock_.NowMs());
  ExpectIncreasingCursors(log);
}

TEST_F(AudienceTimeTest, CountAudienceEntersOnTheSecondOpenOnly) {
  object saved = SaveAudience("FILTER cio_events.email_opened >= 2 ALIAS twice_openers");
  EXPECT_EQ(saved["time_relative"], value(false)) << value(saved);

  PostEvent("first-open", "opened", "eve", kStartMs - kHourMs);
  Barrier();
  Reply eve = cohort().Request("GET", "/api/entity/user/cio_customer_id/eve");
  ASSERT_EQ(eve.status, 200) << eve.Describe();
  EXPECT_EQ(eve.Data().at("cio_events").at("email_opened"), value(1)) << eve.Describe();
  EXPECT_EQ(Size("twice_openers"), 0);
  EXPECT_TRUE(Changes("twice_openers").empty());

  PostEvent("second-open", "opened", "eve", kStartMs - kMinuteMs);
  WaitFor("twice_openers", 1, 1, 10s);
  ExpectChange(Changes("twice_openers").at(0), "enter", "event", "eve", kStartMs, kStartMs);

  // The same event again is a duplicate: no third open, no new change. Time does not matter.
  PostEvent("second-open", "opened", "eve", kStartMs - kMinuteMs);
  clock_.AdvanceMs(30 * kDayMs);
  Barrier();
  EXPECT_EQ(Size("twice_openers"), 1);
  EXPECT_EQ(Changes("twice_openers").size(), 1u);
  eve = cohort().Request("GET", "/api/entity/user/cio_customer_id/eve");
  EXPECT_EQ(eve.Data().at("cio_events").at("email_opened"), value(2)) << eve.Describe();
}

}  // namespace
}  // namespace cohort::integration
