// Must-show 5 of issue 2 (SPEC §3.1, §9.1-2): many clients post unique events, the server is
// SIGKILLed mid-load and restarted on the same data directory, and every event that got a 200
// is there exactly once — twice over.
#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>

#include "harness.h"

namespace cohort::integration {
namespace {

using Clock = std::chrono::steady_clock;

const char kStream[] = "crash";
constexpr int kThreads = 16;

// What each of `threads` client threads posts, over and over: `singles` single events, then
// (when `batch` is not 0) one NDJSON body of `batch` events. The kill comes `min_ms` after
// the load starts at the earliest.
struct Shape {
  int singles = 3;
  int batch = 5;
  int threads = kThreads;
  std::chrono::milliseconds min_ms = 1200ms;
};

// The event posted for `id`; the same id always gives the same event.
std::string EventFor(const std::string& id) {
  return "{\"event_id\":\"" + id +
         "\",\"object_type\":\"email\",\"metric\":\"opened\",\"timestamp\":1717250412,"
         "\"data\":{\"customer_id\":\"cust-" +
         id + "\",\"recipient\":\"" + id + "@example.org\"}}";
}

struct Load {
  std::mutex mu;
  std::set<std::string> attempted;  // GUARDED_BY(mu): ids sent at least once
  std::set<std::string> acked;      // GUARDED_BY(mu): ids in a body answered 200
  std::vector<std::string> errors;  // GUARDED_BY(mu): answers that are wrong at any time
  size_t unanswered = 0;            // GUARDED_BY(mu): requests cut by the kill
  size_t unavailable = 0;           // GUARDED_BY(mu): 503s
};

// Posts unique events from kThreads threads until `stop`, in the given shape. Ids start with
// `prefix`.
void RunClients(const ServerProcess& server, const std::string& prefix, Shape shape,
                std::atomic<bool>* stop, Load* load) {
  std::vector<std::thread> threads;
  const std::string target = CollectPath(kStream) + "?key=" + server.collect_key();
  for (int t = 0; t < shape.threads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; !stop->load(); ++i) {
        std::vector<std::string> ids;
        std::string body;
        const std::string base = prefix + "-t" + std::to_string(t) + "-" + std::to_string(i);
        if (shape.batch > 0 && i % (shape.singles + 1) == shape.singles) {
          for (int k = 0; k < shape.batch; ++k) {
            ids.push_back(base + "-" + std::to_string(k));
            body += EventFor(ids.back()) + "\n";
          }
        } else {
          ids.push_back(base);
          body = EventFor(base);
        }
        {
          std::lock_guard l(load->mu);
          load->attempted.insert(ids.begin(), ids.end());
        }
        Reply r =
            server.Request({.method = "POST", .target = target, .body = body, .timeout_ms = 10000});
        std::lock_guard l(load->mu);
        if (r.status == 200) {
          if (DataInt(r, "message_count") != static_cast<int64_t>(ids.size()) ||
              DataInt(r, "duplicate_count") != 0 || DataInt(r, "rejected_count") != 0) {
            load->errors.push_back(base + ": " + r.Describe());
          }
          load->acked.insert(ids.begin(), ids.end());
        } else if (r.status == 503) {
          ++load->unavailable;
        } else if (r.status == 0) {
          ++load->unanswered;
          if (r.error.find("cannot connect") != std::string::npos) return;  // server gone
        } else {
          load->errors.push_back(base + ": " + r.Describe());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
}

class CrashTest : public ServerTest {
 protected:
  // Checks the stream against everything acknowledged so far. Returns the number of stored
  // events.
  size_t Verify(const std::set<std::string>& acked, const std::set<std::string>& attempted) {
    std::string error;
    auto events = ReadAllEvents(server(), kStream, 10000, &error);
    EXPECT_EQ(error, "");
    std::map<std::string, int> seen;
    size_t wrong_body = 0;
    for (const auto& e : events) {
      const auto& ev = e.at("event");
      std::string id(ev.at("event_id").as_string());
      ++seen[id];
      if (ev != ParseJson(EventFor(id))) ++wrong_body;
    }
    EXPECT_EQ(wrong_body, 0u) << "stored events differ from what was sent";
    size_t twice = 0, unknown = 0, lost = 0;
    std::string first_lost;
    for (const auto& [id, n] : seen) {
      twice += n > 1;
      unknown += !attempted.contains(id);
    }
    for (const auto& id : acked) {
      if (!seen.contains(id)) {
        if (lost++ == 0) first_lost = id;
      }
    }
    EXPECT_EQ(twice, 0u) << "events stored more than once";
    EXPECT_EQ(unknown, 0u) << "events stored that were never sent";
    EXPECT_EQ(lost, 0u) << "acknowledged events lost, e.g. " << first_lost << " (of "
                        << acked.size() << " acknowledged)";
    EXPECT_EQ(IntField(StreamInfo(server(), kStream), "event_count"),
              static_cast<int64_t>(events.size()))
        << "event_count disagrees with the events stored";
    return events.size();
  }

  // Every acknowledged event posted again is a duplicate, and nothing new is stored.
  void ExpectAllDuplicates(const std::set<std::string>& acked, size_t stored) {
    std::vector<std::string> ids(acked.begin(), acked.end());
    int64_t duplicates = 0;
    for (size_t i = 0; i < ids.size(); i += 1000) {
      std::string body;
      for (size_t j = i; j < std::min(ids.size(), i + 1000); ++j) body += EventFor(ids[j]) + "\n";
      Reply r = server().Post(CollectPath(kStream), body, collect());
      ASSERT_EQ(r.status, 200) << r.Describe();
      duplicates += DataInt(r, "duplicate_count");
    }
    EXPECT_EQ(duplicates, static_cast<int64_t>(ids.size()));
    EXPECT_EQ(IntField(StreamInfo(server(), kStream), "event_count"), static_cast<int64_t>(stored));
  }

  // One load-kill-restart-verify cycle per shape: kills once `ready` (and the shape's min_ms
  // and 100 acknowledged events) or after 20 s, restarts on the same data directory, and
  // checks that every event ever acknowledged is stored exactly once.
  void KillCycles(const std::vector<Shape>& shapes, const std::function<bool()>& ready) {
    std::set<std::string> acked_all, attempted_all;
    for (size_t cycle = 0; cycle < shapes.size(); ++cycle) {
      SCOPED_TRACE("cycle " + std::to_string(cycle));
      Load load;
      std::atomic<bool> stop{false};
      auto t0 = Clock::now();
      std::thread clients(
          [&] { RunClients(server(), "c" + std::to_string(cycle), shapes[cycle], &stop, &load); });
      bool loaded = Eventually(
          [&] {
            std::lock_guard l(load.mu);
            return Clock::now() - t0 >= shapes[cycle].min_ms && load.acked.size() >= 100 &&
                   ready();
          },
          20s);
      ExitInfo killed = server().Kill();
      stop = true;
      clients.join();
      ASSERT_TRUE(loaded) << "the kill's condition was not reached; acknowledged "
                          << load.acked.size();
      EXPECT_EQ(killed.signal, SIGKILL) << killed.Describe();
      EXPECT_TRUE(load.errors.empty())
          << load.errors.size() << " wrong answers, first: " << load.errors.front();
      std::cout << "[ cycle " << cycle << " ] acknowledged " << load.acked.size() << " of "
                << load.attempted.size() << " events; " << load.unanswered
                << " requests cut by SIGKILL, " << load.unavailable << " answered 503\n";
      acked_all.insert(load.acked.begin(), load.acked.end());
      attempted_all.insert(load.attempted.begin(), load.attempted.end());

      Status s = server().Start();
      ASSERT_TRUE(s.ok()) << "restart after SIGKILL: " << s.message();
      size_t stored = Verify(acked_all, attempted_all);
      ASSERT_FALSE(HasFailure());
      ExpectAllDuplicates(acked_all, stored);
    }
  }
};

TEST_F(CrashTest, AcknowledgedEventsSurviveSigkillExactlyOnce) {
  KillCycles({Shape{}, Shape{}}, [] { return true; });
}

// The two write paths of session 3 under SIGKILL (docs/storage.md): single events written
// into WAL files zeroed beforehand (1 MiB files here, so the log moves onto one within a
// second; the kill lands while one is open, its zero tail on disk), and bodies of 1,000
// events whose groups are synced by the log writer's sync thread.
class CrashTestWalPaths : public CrashTest {
 public:
 protected:
  ServerOptions Options() const override {
    return {.flags = {"--wal-zeroed-file-bytes", "1048576"}};
  }
  // A WAL file still at the zeroed size: the log is being written into zeroed space.
  bool OnZeroedWal() {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(server().data_dir(), ec)) {
      const std::string name = e.path().filename().string();
      if (name.ends_with(".log") && name != "LOG" && e.file_size(ec) == (1u << 20)) return true;
    }
    return false;
  }
  int64_t PipelinedSyncs() {
    Reply r = server().Get("/metrics", admin());
    const std::string key = "cohort_log_pipelined_syncs_total ";
    size_t at = r.body.find("\n" + key);
    return at == std::string::npos ? -1 : std::stoll(r.body.substr(at + 1 + key.size()));
  }
};

TEST_F(CrashTestWalPaths, ZeroedWalAndPipelinedSyncSurviveSigkillExactlyOnce) {
  // Cycle 0: single events only, killed while the log is on a zeroed file.
  // Cycle 1: bodies of 1,200 events (~280 KB, each group over the 256 KiB of a pipelined
  // sync) from 2 threads, killed after the sync thread has synced a few groups.
  int cycle = 0;
  KillCycles({Shape{.singles = 1, .batch = 0},
              Shape{.singles = 0, .batch = 1200, .threads = 2, .min_ms = 300ms}},
             [&] {
    if (cycle == 0 && OnZeroedWal()) return ++cycle, true;
    return cycle == 1 && PipelinedSyncs() >= 3;
  });
  EXPECT_EQ(cycle, 1) << "cycle 0 never saw the log on a zeroed WAL file";
}

}  // namespace
}  // namespace cohort::integration
