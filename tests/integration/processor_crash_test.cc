// Crash test of the Customer.io processor stage (issue 3, must-show 3): 100,000 unique events
// go in as NDJSON bodies of 1,000 while the server is SIGKILLed, several times, in the middle
// of processing them (first while events are still arriving, then while the restarted
// processor catches up on its backlog). Bodies that were not acknowledged are sent again after
// each restart, as a webhook sender would. In the end `customerio_events` must hold exactly one
// record per unique mappable raw event, each equal to what the pure processor makes of it:
// the checkpoint commits atomically with the records, so a crash neither loses nor repeats one.
#include <algorithm>
#include <map>
#include <set>

#include "corpus.h"
#include "customerio/processor.h"
#include "harness.h"

namespace cohort::integration {
namespace {

using corpus::BodyPoster;

constexpr size_t kEvents = 100000;
constexpr size_t kPerBody = 1000;
constexpr int kKills = 3;
// Two posting threads deliver events faster than the one processor thread maps them, so a
// restarted server has a backlog to catch up on.
constexpr int kPosters = 2;

// event_count of a stream: 0 while it does not exist yet, -1 if the server did not answer.
int64_t EventCount(const ServerProcess& server, const std::string& stream) {
  Reply r = server.Get("/api/stream/" + stream, server.admin_token());
  if (r.status == 404) return 0;
  if (r.status != 200) return -1;
  return DataInt(r, "event_count");
}

// Kills the server when it goes out of scope: declared after the poster, it stops the posting
// threads before the poster joins them on an early return.
class KillOnExit {
 public:
  explicit KillOnExit(ServerProcess* server) : server_(server) {}
  ~KillOnExit() { server_->Kill(); }

 private:
  ServerProcess* server_;
};

TEST(ProcessorCrashTest, SigkillWhileProcessingNeitherLosesNorRepeatsARecord) {
  const auto test_start = std::chrono::steady_clock::now();
  const corpus::Corpus c = corpus::Generate({.people = 20000, .events = kEvents, .seed = 31});
  ASSERT_EQ(c.events.size(), kEvents);
  const int64_t mappable = static_cast<int64_t>(kEvents - c.unmappable);
  // Shuffled, so that unmappable events are spread over the bodies.
  const std::vector<std::string> bodies =
      corpus::Bodies(c, corpus::Shuffled(kEvents, 32), corpus::Framing::kNdjson, kPerBody);

  TempDir dir;
  ServerProcess server(dir.Sub("data"));
  BodyPoster poster(&bodies, kPosters);
  KillOnExit kill_on_exit(&server);

  int64_t largest_backlog = 0;
  for (int round = 0; round < kKills; ++round) {
    Status started = server.Start();
    ASSERT_TRUE(started.ok()) << started.message();
    // Raw events the processor had not reached when the last run was killed (it may already
    // have started on them: this undercounts).
    const boost::json::value raw = StreamInfo(server, "customerio");
    const int64_t processed_at_start = EventCount(server, "customerio_events");
    ASSERT_GE(processed_at_start, 0);
    const int64_t backlog = round == 0 ? 0
                                       : IntField(raw, "event_count") -
                                             IntField(raw, "unmapped_count") - processed_at_start;
    largest_backlog = std::max(largest_backlog, backlog);
    poster.Start(&server, corpus::CustomerIoTarget(server));
    // The first run is killed once a fifth of the records are in, while events still arrive;
    // later runs as soon as their processor has written records (catching up on the backlog),
    // never after the last one.
    const int64_t kill_at = round == 0 ? mappable / 5 : processed_at_start + 1;
    int64_t processed = processed_at_start;
    bool killed = Eventually(
        [&] {
          processed = EventCount(server, "customerio_events");
          if (processed >= kill_at && processed < mappable) {
            server.Kill();
            return true;
          }
          return poster.done() && processed == mappable;
        },
        60s, 1ms);
    poster.Join();
    ASSERT_EQ(poster.error(), "");
    ASSERT_TRUE(killed) << "round " << round << ": no kill and no end in 60 s";
    ASSERT_FALSE(server.running())
        << "round " << round << ": the processor finished (" << processed
        << " records) before a kill could land; the crash was not tested";
    std::printf(
        "[ kill %d ] backlog at start %lld raw events, records at start %lld, at kill "
        "%lld of %lld; bodies acknowledged %zu of %zu\n",
        round + 1, static_cast<long long>(backlog), static_cast<long long>(processed_at_start),
        static_cast<long long>(processed), static_cast<long long>(mappable), poster.acked(),
        bodies.size());
  }
  // Catching up after a restart is the case the checkpoint exists for.
  EXPECT_GT(largest_backlog, static_cast<int64_t>(kPerBody))
      << "no restart found raw events waiting to be processed: the kills did not land while "
         "the processor was behind";

  // The last run: send what was never acknowledged, and let the processor finish.
  Status started = server.Start();
  ASSERT_TRUE(started.ok()) << started.message();
  std::printf("[ final  ] records at start %lld\n",
              static_cast<long long>(EventCount(server, "customerio_events")));
  poster.Start(&server, corpus::CustomerIoTarget(server));
  poster.Join();
  ASSERT_EQ(poster.error(), "");
  ASSERT_TRUE(poster.all_acked());
  ASSERT_TRUE(corpus::WaitForPipeline(server, 120s));

  boost::json::value raw = StreamInfo(server, "customerio");
  EXPECT_EQ(IntField(raw, "event_count"), static_cast<int64_t>(kEvents)) << raw;
  EXPECT_EQ(IntField(raw, "unmapped_count"), static_cast<int64_t>(c.unmappable)) << raw;
  boost::json::value events = StreamInfo(server, "customerio_events");
  EXPECT_EQ(IntField(events, "event_count"), mappable) << events;
  // A record derived twice would be caught by de-duplication and counted here.
  EXPECT_EQ(IntField(events, "duplicate_count"), 0) << events;

  // Every record, read back: one per mappable event, each exactly what the processor makes of
  // that event, and with the event, time and identities the generator meant it to have.
  std::map<std::string, size_t> index_of;
  for (size_t i = 0; i < kEvents; ++i) index_of.emplace(c.truth[i].event_id, i);
  ASSERT_EQ(index_of.size(), kEvents) << "the corpus repeats an event_id";
  std::string error;
  auto items = ReadAllEvents(server, "customerio_events", 10000, &error);
  ASSERT_EQ(error, "");
  EXPECT_EQ(static_cast<int64_t>(items.size()), mappable);
  std::set<std::string> seen;
  size_t repeated = 0, unknown = 0, different = 0;
  for (const auto& item : items) {
    const boost::json::value& rec = item.at("event");
    auto str = [&rec](std::string_view key) -> std::string {
      const boost::json::value* v = rec.is_object() ? rec.as_object().if_contains(key) : nullptr;
      return v && v->is_string() ? std::string(v->as_string()) : "";
    };
    const std::string event_id = str("event_id");
    if (!seen.insert(event_id).second && ++repeated <= 3) {
      ADD_FAILURE() << "event_id " << event_id << " has two records";
    }
    auto it = index_of.find(event_id);
    if (it == index_of.end() || c.truth[it->second].object_type.empty()) {
      if (++unknown <= 3) ADD_FAILURE() << "a record for no mappable event: " << rec;
      continue;
    }
    const corpus::Truth& t = c.truth[it->second];
    auto want = customerio::ProcessCustomerIoEvent(c.events[it->second]);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    const bool same = rec == ParseJson(want->record_json) && str("event") == t.event() &&
                      str("email") == t.email && str("customer_id") == t.customer_id &&
                      str("cio_id") == t.cio_id &&
                      ParseRfc3339Ms(item.at("event_time").as_string()) == t.timestamp * 1000;
    if (!same && ++different <= 3) {
      ADD_FAILURE() << "stored " << item << "\n  the processor makes " << want->record_json
                    << "\n  the generator meant " << t.event() << " at " << t.timestamp
                    << ", customer_id " << t.customer_id << ", cio_id " << t.cio_id << ", email "
                    << t.email;
    }
  }
  EXPECT_EQ(repeated, 0u);
  EXPECT_EQ(unknown, 0u);
  EXPECT_EQ(different, 0u);

  // Sending a few bodies once more adds nothing.
  for (size_t i : {size_t{0}, bodies.size() / 2, bodies.size() - 1}) {
    Reply r = server.Post(corpus::CustomerIoTarget(server), bodies[i], "");
    ASSERT_EQ(r.status, 200) << r.Describe();
    EXPECT_EQ(DataInt(r, "duplicate_count"), static_cast<int64_t>(kPerBody)) << r.Describe();
  }
  ASSERT_TRUE(corpus::WaitForPipeline(server, 30s));
  EXPECT_EQ(EventCount(server, "customerio_events"), mappable);
  std::printf("[ done   ] %lld records from %zu events in %.1f s\n",
              static_cast<long long>(mappable), kEvents, corpus::SecondsSince(test_start));
}

}  // namespace
}  // namespace cohort::integration
