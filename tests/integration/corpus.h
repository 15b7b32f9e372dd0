// Customer.io webhook corpora for the profile, crash and workflow tests; the profiles the
// default query (SPEC §6) must make of them, computed by a simple reference that knows nothing
// of the server; and the helpers that drive a server through a corpus (posting bodies from
// several threads, waiting for the pipeline and jobs, reading every profile).
//
// The generator models people with a customer id, a cio_id and one or two email addresses.
// Each event names some of them: only an email, only a customer id, only a cio_id, or two or
// three at once ("bridging" events, which make the profile store merge profiles). Some people
// are never bridged and stay split over several profiles; a few share an address with the next
// person and merge with them. Events use both webhook formats (SPEC §4), ids as numbers and as
// strings, numeric-string timestamps, "Name <ADDR>" addresses in mixed case, "in-app" for
// in_app, metrics the default query ignores and one it has never heard of, events with no
// identity and events the processor cannot map. Timestamps fall on a 5-minute grid over three
// days, so many events tie, including the ones that decide `latest` fields.
//
// Thread-safety: the functions are pure or only talk to the server they are given; a
// BodyPoster is controlled from one thread while its workers post.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "harness.h"

namespace cohort::integration::corpus {

// ---------------------------------------------------------------------------------------------
// Generating.

struct Options {
  size_t people = 300;
  size_t events = 4000;  // total, including bridges, unidentified and unmappable events
  uint64_t seed = 1;     // also makes the event ids: corpora of different seeds never share one
};

// What the default query reads from one event, normalised as the processor must produce it
// ("" = absent). An event the processor cannot map has an empty object_type.
struct Truth {
  std::string event_id;
  std::string object_type, metric;
  int64_t timestamp = 0;  // Unix seconds
  std::string customer_id, cio_id, email;
  std::string campaign_id, campaign_name, subject, journey_id;

  std::string event() const { return object_type + "_" + metric; }
  bool identified() const { return !customer_id.empty() || !cio_id.empty() || !email.empty(); }
};

struct Corpus {
  std::vector<std::string> events;  // raw webhook JSON, one object each, no newline
  std::vector<Truth> truth;         // truth[i] describes events[i]
  size_t current = 0, legacy = 0, bridging = 0, unidentified = 0, unmappable = 0;
};

Corpus Generate(const Options& options);

// A seeded permutation of 0 … n-1.
std::vector<size_t> Shuffled(size_t n, uint64_t seed);
// 0 … n-1.
std::vector<size_t> InOrder(size_t n);

enum class Framing {
  kSingle,  // one JSON object per request
  kNdjson,  // `per_body` lines per request
  kArray,   // a JSON array of `per_body` objects per request
};
// The request bodies that deliver corpus.events[order[0]], corpus.events[order[1]], … .
std::vector<std::string> Bodies(const Corpus& corpus, const std::vector<size_t>& order,
                                Framing framing, size_t per_body);

// ---------------------------------------------------------------------------------------------
// The reference.

struct ExpectedProfile {
  std::set<std::string> identities;  // "field=value" for cio_id, cio_customer_id and email
  boost::json::object fields;        // `data` of GET /api/entity/user/... without `_segments`
  size_t events = 0;                 // events that updated it
};

// One profile per connected component of the identities of the identified, mappable events,
// with every SPEC §6 field: counts, sets, dates (RFC 3339), latest values (ties on event time
// broken by the greater value).
std::vector<ExpectedProfile> ExpectedProfiles(const std::vector<Truth>& truth);

// "2024-06-01T14:00:12Z" for a whole second.
std::string Rfc3339(int64_t unix_seconds);

// Each profile of `got` (listing items) must be the expected profile its identity fields
// point to, field for field, and every expected profile must be there exactly once. Records
// test failures (the first few in full) and returns how many profiles differ or are missing.
size_t ExpectProfilesMatch(const std::vector<boost::json::object>& got,
                           const std::vector<ExpectedProfile>& want);

// ---------------------------------------------------------------------------------------------
// Driving a server.

inline constexpr char kProfilesLag[] = "cohort_pipeline_lag_events{stage=\"profiles\"}";
inline constexpr char kProcessorLag[] =
    "cohort_pipeline_lag_events{stage=\"processor:customerio\"}";

// The value of one series in a Prometheus text body; -1 if it is not there.
double MetricIn(const std::string& metrics_body, const std::string& series);
// MetricIn(GET /metrics, series); -1 if the server did not answer.
double Metric(const ServerProcess& server, const std::string& series);

// Waits until no job is running and both pipeline stages have applied every stored event
// (which, with nothing being posted, means profiles reflect every event). False, with a test
// failure naming what was still pending and the tail of the server log, after `timeout`.
bool WaitForPipeline(const ServerProcess& server, std::chrono::milliseconds timeout);

// GET /api/job/{id} → data (null if the server did not answer 200).
boost::json::value Job(const ServerProcess& server, const std::string& id);
// Polls the job until it is no longer running; its final status, or "" after `timeout` (with
// a test failure).
std::string WaitForJob(const ServerProcess& server, const std::string& id,
                       std::chrono::milliseconds timeout);

// POST /api/query with `text`; the rebuild job id ("" with a test failure if refused).
std::string InstallQuery(const ServerProcess& server, std::string_view text);
// InstallQuery of customerio::DefaultQueryText().
std::string InstallDefaultQuery(const ServerProcess& server);

struct Listing {
  std::string bytes;  // every page's response body, each followed by '\n'
  std::vector<boost::json::object> profiles;
  size_t pages = 0;
  std::string error;  // what went wrong, empty if the listing is complete
};
// Pages through GET /api/entity/user with `limit` until a page has no meta.next_cursor.
Listing ListProfiles(const ServerProcess& server, int limit);

// `profile` without its `_segments` member.
boost::json::object WithoutSegments(boost::json::object profile);

// Posts request bodies from several threads, each body until it is acknowledged, the way a
// webhook sender retries: Start() posts every body not yet acknowledged and stops when all are
// or when the server stops answering (it was killed); Start() again after a restart resends
// the rest. Any answer other than 200 is an error and stops the posting.
class BodyPoster {
 public:
  // `bodies` must outlive the poster.
  BodyPoster(const std::vector<std::string>* bodies, int threads);
  ~BodyPoster();
  BodyPoster(const BodyPoster&) = delete;
  BodyPoster& operator=(const BodyPoster&) = delete;

  // Starts posting to `target` ("/collect/json/customerio?key=…") on `server`, which must
  // outlive the posting (Join() before killing or destroying it is not needed: a killed
  // server just stops the workers). Returns at once.
  void Start(const ServerProcess* server, std::string target);
  // Waits for the workers.
  void Join();
  // True when the workers have stopped.
  bool done() const { return running_ == 0; }
  size_t acked() const;
  bool all_acked() const { return acked() == acked_.size(); }
  std::string error() const;

 private:
  void Run(const ServerProcess* server, const std::string& target);

  const std::vector<std::string>* bodies_;
  const int threads_;
  std::vector<std::thread> workers_;
  std::atomic<int> running_{0};
  mutable std::mutex mu_;
  std::vector<bool> acked_;  // GUARDED_BY(mu_)
  size_t next_ = 0;          // GUARDED_BY(mu_)
  std::string error_;        // GUARDED_BY(mu_)
};

// The collect target for the customerio stream with the server's collect key.
std::string CustomerIoTarget(const ServerProcess& server);

// Seconds since `start`.
double SecondsSince(std::chrono::steady_clock::time_point start);

}  // namespace cohort::integration::corpus
