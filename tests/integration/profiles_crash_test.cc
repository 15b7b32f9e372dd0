// Crash tests of the profile stage (issue 4, must-show 4; SPEC §3.1): the server is SIGKILLed,
// repeatedly, while it applies the default query to live events and while it rebuilds
// profiles from the stored log. Bodies that were not acknowledged are sent again after each
// restart, as Customer.io would. In the end every profile must equal the reference computed
// from the corpus, field for field — in particular every count-like field (`cio_events`,
// `cio_hourlyopens`, map[string]intsum) is exact: the checkpoint commits with the profile
// writes, so a crash neither loses an event's effect nor applies it twice.
#include <cstdio>

#include "corpus.h"
#include "harness.h"

namespace cohort::integration {
namespace {

using corpus::BodyPoster;
using corpus::Framing;

// The sum of every profile's cio_events counts: each identified, mappable event once.
int64_t CountedEvents(const std::vector<boost::json::object>& profiles) {
  int64_t n = 0;
  for (const auto& p : profiles) {
    const boost::json::value* m = p.if_contains("cio_events");
    if (!m || !m->is_object()) continue;
    for (const auto& [k, v] : m->as_object()) n += v.is_int64() ? v.as_int64() : 0;
  }
  return n;
}

int64_t IdentifiedEvents(const corpus::Corpus& c) {
  int64_t n = 0;
  for (const auto& t : c.truth) n += !t.object_type.empty() && t.identified();
  return n;
}

// Sends whatever is not acknowledged yet, waits for the pipeline and every job, and checks
// every profile against the reference.
void FinishAndCheck(ServerProcess& server, BodyPoster& poster, const corpus::Corpus& c,
                    const std::vector<std::string>& bodies) {
  poster.Start(&server, corpus::CustomerIoTarget(server));
  poster.Join();
  ASSERT_EQ(poster.error(), "");
  ASSERT_TRUE(poster.all_acked());
  ASSERT_TRUE(corpus::WaitForPipeline(server, 120s));

  boost::json::value raw = StreamInfo(server, "customerio");
  EXPECT_EQ(IntField(raw, "event_count"), static_cast<int64_t>(c.events.size())) << raw;
  boost::json::value flat = StreamInfo(server, "customerio_events");
  EXPECT_EQ(IntField(flat, "event_count"), static_cast<int64_t>(c.events.size() - c.unmappable))
      << flat;

  corpus::Listing listing = corpus::ListProfiles(server, 1000);
  ASSERT_EQ(listing.error, "");
  const auto want = corpus::ExpectedProfiles(c.truth);
  EXPECT_EQ(CountedEvents(listing.profiles), IdentifiedEvents(c))
      << "the profiles count a different number of events than the corpus holds";
  EXPECT_EQ(listing.profiles.size(), want.size());
  EXPECT_EQ(corpus::ExpectProfilesMatch(listing.profiles, want), 0u);
  std::printf("[ check  ] %zu profiles count %lld events, as the corpus says (%zu bodies)\n",
              listing.profiles.size(), static_cast<long long>(CountedEvents(listing.profiles)),
              bodies.size());
}

TEST(ProfilesCrashTest, SigkillDuringLiveProcessingNeitherLosesNorRepeatsACount) {
  constexpr int kKills = 3;
  const corpus::Corpus c = corpus::Generate({.people = 3000, .events = 60000, .seed = 21});
  const auto bodies =
      corpus::Bodies(c, corpus::Shuffled(c.events.size(), 7), Framing::kNdjson, 500);
  const auto start = std::chrono::steady_clock::now();
  TempDir dir;
  ServerProcess server(dir.Sub("data"));
  Status started = server.Start();
  ASSERT_TRUE(started.ok()) << started.message();
  const std::string job = corpus::InstallDefaultQuery(server);
  ASSERT_EQ(corpus::WaitForJob(server, job, 30s), "completed");

  BodyPoster poster(&bodies, 2);
  for (int round = 0; round < kKills; ++round) {
    if (round > 0) {
      started = server.Start();
      ASSERT_TRUE(started.ok()) << started.message();
    }
    const double lag_at_start = corpus::Metric(server, corpus::kProfilesLag);
    poster.Start(&server, corpus::CustomerIoTarget(server));
    // Each run is killed once its share of the bodies is in and the profile stage is behind.
    const size_t kill_after = bodies.size() * static_cast<size_t>(round + 1) / (kKills + 1);
    double lag = -1;
    bool killed = Eventually(
        [&] {
          lag = corpus::Metric(server, corpus::kProfilesLag);
          if (poster.acked() >= kill_after && lag > 0) {
            server.Kill();
            return true;
          }
          return poster.done();
        },
        60s, 1ms);
    poster.Join();
    ASSERT_EQ(poster.error(), "");
    ASSERT_TRUE(killed) << "round " << round << ": no kill in 60 s";
    ASSERT_FALSE(server.running())
        << "round " << round << ": every body was in and the profiles caught up before a kill "
        << "could land; the crash was not tested";
    std::printf(
        "[ kill %d ] lag at start %.0f; killed with profiles lag %.0f, %zu of %zu bodies "
        "acknowledged\n",
        round + 1, lag_at_start, lag, poster.acked(), bodies.size());
  }
  started = server.Start();
  ASSERT_TRUE(started.ok()) << started.message();
  ASSERT_NO_FATAL_FAILURE(FinishAndCheck(server, poster, c, bodies));
  std::printf("[ done   ] %.1f s\n", corpus::SecondsSince(start));
}

TEST(ProfilesCrashTest, SigkillDuringRebuildNeitherLosesNorRepeatsACount) {
  constexpr size_t kStoredFirst = 50000;
  const corpus::Corpus c = corpus::Generate({.people = 2500, .events = 55000, .seed = 22});
  const auto order = corpus::Shuffled(c.events.size(), 8);
  // The first 50,000 events are stored before the query exists; the rest arrive while the
  // rebuild runs (collection goes on during a rebuild).
  const std::vector<size_t> first(order.begin(), order.begin() + kStoredFirst);
  const std::vector<size_t> rest(order.begin() + kStoredFirst, order.end());
  const auto first_bodies = corpus::Bodies(c, first, Framing::kNdjson, 500);
  const auto rest_bodies = corpus::Bodies(c, rest, Framing::kNdjson, 100);
  const auto start = std::chrono::steady_clock::now();

  TempDir dir;
  // The rebuild writes its progress every 10,000 events (default 1,000,000: after the whole
  // corpus), so a kill lands both before and after a write of a partly built generation.
  ServerProcess server(dir.Sub("data"), {.flags = {"--rebuild-flush-events", "10000"}});
  Status started = server.Start();
  ASSERT_TRUE(started.ok()) << started.message();
  {
    BodyPoster poster(&first_bodies, 2);
    poster.Start(&server, corpus::CustomerIoTarget(server));
    poster.Join();
    ASSERT_EQ(poster.error(), "");
    ASSERT_TRUE(poster.all_acked());
  }
  ASSERT_TRUE(corpus::WaitForPipeline(server, 60s));
  std::printf("[ stored ] %zu events in %.1f s\n", kStoredFirst, corpus::SecondsSince(start));

  std::string job = corpus::InstallDefaultQuery(server);
  ASSERT_FALSE(job.empty());
  BodyPoster live(&rest_bodies, 1);
  live.Start(&server, corpus::CustomerIoTarget(server));

  // Kill while the job is running and has made progress (beyond what the last kill saw); after
  // a restart the rebuild resumes. If a resumed rebuild finishes before the next kill can
  // land, another rebuild is started and killed instead.
  int kills = 0;
  uint64_t done_at_last_kill = 0;
  std::string seen;
  while (kills < 2) {
    bool killed = Eventually(
        [&] {
          boost::json::value j = corpus::Job(server, job);
          seen = boost::json::serialize(j);
          if (!j.is_object()) return false;
          const int64_t done = IntField(j.at("progress"), "done");
          if (j.at("status") == boost::json::value("running") && done > 0 &&
              static_cast<uint64_t>(done) > done_at_last_kill) {
            server.Kill();
            done_at_last_kill = static_cast<uint64_t>(done);
            return true;
          }
          return j.at("status") != boost::json::value("running");
        },
        60s, 1ms);
    ASSERT_TRUE(killed) << "job " << job << " neither progressed nor ended: " << seen;
    live.Join();
    ASSERT_EQ(live.error(), "");
    if (server.running()) {
      // The job ended before a kill landed: rebuild again and kill that one.
      ASSERT_EQ(corpus::Job(server, job).at("status"), boost::json::value("completed")) << seen;
      Reply r = server.Post("/api/rebuild", "", server.admin_token());
      ASSERT_EQ(r.status, 200) << r.Describe();
      job = std::string(r.Data().at("id").as_string());
      done_at_last_kill = 0;
      std::printf("[ again  ] the rebuild finished before a kill; started %s\n", job.c_str());
      continue;
    }
    ++kills;
    std::printf("[ kill %d ] during %s at %s\n", kills, job.c_str(), seen.c_str());
    started = server.Start();
    ASSERT_TRUE(started.ok()) << started.message();
    // After a restart the job is resumed (or has just completed), never left running alone.
    boost::json::value j = corpus::Job(server, job);
    ASSERT_TRUE(j.is_object()) << "job " << job << " is gone after the restart";
    EXPECT_NE(j.at("status"), boost::json::value("failed")) << j;
    live.Start(&server, corpus::CustomerIoTarget(server));
  }
  EXPECT_EQ(corpus::WaitForJob(server, job, 60s), "completed");
  ASSERT_NO_FATAL_FAILURE(FinishAndCheck(server, live, c, rest_bodies));
  std::printf("[ done   ] %.1f s\n", corpus::SecondsSince(start));
}

}  // namespace
}  // namespace cohort::integration
