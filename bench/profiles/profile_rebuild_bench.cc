// Profile rebuild benchmark (issue 4, "Must show" 5; docs/benchmarks.md "## Profiles"). In one
// run, over one Customer.io corpus (cio_corpus.h: raw webhook events of both formats turned
// into flat customerio_events records by the real processor) stored in a temporary RocksDB
// through the log writer:
//   (a)  parse:   simdjson DOM parsing of every record, from memory (the parse the rebuild
//                 cannot avoid; the same parser call EvaluateJson makes);
//   (a') scan:    reading the log from seq 1 in 5000-event chunks + parsing each record;
//   (b)  rebuild: pipeline::ProfileStage, the server's own code with the server's audience
//                 engine, building a new profile generation from seq 1 with the default
//                 Customer.io query (Install the first time, Rebuild after): per 5000-event
//                 chunk ReadLog and EvaluateJson per event (on the stage's second thread, a
//                 chunk ahead), ProfileWriter::Apply; Flush and one WriteBatch with the
//                 checkpoint every rebuild_flush_events events and at the head of the log;
//                 then the switch to the new generation;
//   (c)  what-if: the same stage with --what-if-chunk events per chunk (default 50,000), to
//                 show what the chunk size costs;
// Reps alternate (a), (a'), (b), (c); each reported time is the median over reps, wall and
// process CPU time (CPU time includes RocksDB's background threads and excludes waiting for a
// core on a shared machine); for (b) and (c) also the CPU time of the pipeline thread alone,
// the critical path when a second core is free. The headline ratios are rebuild/parse and rebuild/scan.
//
// Then, untimed by the ratios:
//   - an instrumented pass: the steps of the per-chunk flow (the live one; rebuilds before
//     f9a162e) written out with ProfileWriter into a separate generation, each step timed
//     (read, parse, evaluate, apply, flush, write);
//   - live-sized rounds on that warm writer (every profile cached): 400 rounds of 50 events,
//     each evaluate + apply + Flush (with the change report the serving generation makes) +
//     audience engine + write, as one pipeline round at 5,000 events/s; p50/p99 per round.
//
// Answers are checked before anything is reported: after every rebuild and after the
// instrumented pass the generation is compared with profile::BuildProfilesInMemory over the
// same evaluations, computed independently from the in-memory corpus, as encoded bytes
// (profile::EncodeRecord: identities + fields), three ways: the stored profile records (sorted
// multiset), ProfileReader::ByIdentity for every identity of every reference profile (the
// entity API's lookup), and ProfileReader::ForEach (the listing) in reference order. The
// reference itself is checked against the corpus: every event is identified and its
// cio_events counts add up to the number of events. Any difference prints what differs and
// exits 1 (after printing the numbers).
//
// Usage: profile_rebuild_bench [--events=N (300000)] [--people=P (50000)] [--reps=R (3)]
//                              [--seed=S (7)] [--what-if-chunk=C (50000; 0 = skip)]
//                              [--dir=PATH (a fresh /tmp dir, removed after)]
// stdout: one JSON object per line ({"bench":"profile_rebuild","metric":...,"value":...});
// stderr: a human summary.
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "../common/flags.h"
#include "audience/engine.h"
#include "cio_corpus.h"
#include "common/clock.h"
#include "customerio/integration.h"
#include "mapping/query.h"
#include "pipeline/jobs.h"
#include "pipeline/profile_stage.h"
#include "pipeline/stage.h"
#include "profile/memory_build.h"
#include "profile/reader.h"
#include "profile/writer.h"
#include "storage/db.h"
#include "stream/catalog.h"
#include "stream/log_reader.h"
#include "stream/log_writer.h"
#include "stream/prepare.h"
#include "stream/stats.h"

namespace cohort::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr size_t kChunk = 5000;  // ProfileStageOptions::batch_events default
constexpr char kStream[] = "customerio_events";

struct Options {
  CioCorpusOptions corpus;
  int reps = 3;
  size_t what_if_chunk = 50000;  // 0: skip the what-if rebuilds
  std::string dir;
};

bool ParseOptions(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    uint64_t v = 0;
    if (ParseFlag(argv[i], "--events", &v) && v > 0) {
      o->corpus.events = v;
    } else if (ParseFlag(argv[i], "--people", &v) && v > 0 && v < (1u << 31)) {
      o->corpus.people = static_cast<uint32_t>(v);
    } else if (ParseFlag(argv[i], "--reps", &v) && v > 0 && v < 100) {
      o->reps = static_cast<int>(v);
    } else if (ParseFlag(argv[i], "--what-if-chunk", &v)) {
      o->what_if_chunk = v;
    } else if (ParseFlag(argv[i], "--seed", &v)) {
      o->corpus.seed = v;
    } else if (std::strncmp(argv[i], "--dir=", 6) == 0 && argv[i][6]) {
      o->dir = argv[i] + 6;
    } else {
      std::fprintf(stderr,
                   "usage: %s [--events=N] [--people=P] [--reps=R] [--seed=S] [--what-if-chunk=C] "
                   "[--dir=PATH]\n",
                   argv[0]);
      return false;
    }
  }
  return true;
}

double Seconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

// CPU time of the calling thread, s.
double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  size_t k = static_cast<size_t>(q / 100 * (v.size() - 1) + 0.5);
  return v[std::min(k, v.size() - 1)];
}

// CPU time of the whole process (every thread, RocksDB's background threads included), s.
// The machine is shared: wall time includes waiting for a core, CPU time does not.
double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void Line(const char* metric, double value, const char* unit) {
  std::printf("{\"bench\":\"profile_rebuild\",\"metric\":\"%s\",\"value\":%.6g,\"unit\":\"%s\"}\n",
              metric, value, unit);
}

#define CHECK_OK(expr)                                                              \
  do {                                                                              \
    ::cohort::Status _s = (expr);                                                   \
    if (!_s.ok()) {                                                                 \
      std::fprintf(stderr, "FAILED: %s: %s\n", #expr, _s.ToString().c_str());       \
      std::exit(1);                                                                 \
    }                                                                               \
  } while (0)

template <typename T>
T Must(StatusOr<T> v, const char* what) {
  if (!v.ok()) {
    std::fprintf(stderr, "FAILED: %s: %s\n", what, v.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(*v);
}

// Sum of the cio_events counts of a profile (valuect(event): one per event applied).
int64_t EventCount(const profile::ProfileRecord& r) {
  const profile::FieldState* f = r.profile.Find("cio_events");
  if (!f) return 0;
  int64_t sum = 0;
  for (const auto& [k, v] : f->value().map) sum += v.i;
  return sum;
}

struct VerifyResult {
  bool records = false;  // every stored profile record, and every identity lookup, is right
  bool listing = false;  // the listing (ProfileReader::ForEach, order keys) is right
};

// Checks generation `gen` against the reference profiles (`want`: EncodeRecord of each, in
// listing order), three ways, and prints the first differences:
//   records:  the profile records stored under 'P' keys, as a sorted list of encoded bytes,
//             equal the reference's;
//   lookups:  ProfileReader::ByIdentity (what GET /api/entity/user/{field}/{value} uses) finds
//             the reference profile for every identity of every reference profile;
//   listing:  ProfileReader::ForEach (what GET /api/entity/user pages through) yields exactly
//             the reference profiles in the reference order.
VerifyResult Verify(storage::Db* db, uint32_t gen, const std::vector<profile::ProfileRecord>& ref,
                    const std::vector<std::string>& want, const char* what) {
  VerifyResult out;
  // records
  std::vector<std::string> stored;
  {
    auto it = db->NewIterator(storage::Family::kProfile);
    const std::string pre = profile::GenPrefix('P', gen);
    for (it->Seek(pre); it->Valid() && it->key().starts_with(pre); it->Next()) {
      uint64_t pid = 0;
      for (char ch : it->key().substr(pre.size())) pid = pid << 8 | static_cast<unsigned char>(ch);
      auto rec = profile::DecodeRecord(pid, it->value());
      if (!rec.ok()) {
        std::fprintf(stderr, "MISMATCH (%s): profile %llu does not decode: %s\n", what,
                     static_cast<unsigned long long>(pid), rec.status().ToString().c_str());
        return out;
      }
      stored.push_back(profile::EncodeRecord(*rec));
    }
    if (!it->status().ok()) return out;
  }
  std::vector<std::string> sorted_want = want;
  std::sort(stored.begin(), stored.end());
  std::sort(sorted_want.begin(), sorted_want.end());
  bool records = stored == sorted_want;
  if (!records) {
    size_t missing = 0;
    for (const auto& w : sorted_want) {
      missing += !std::binary_search(stored.begin(), stored.end(), w);
    }
    std::fprintf(stderr,
                 "MISMATCH (%s): %zu profile records stored, reference %zu; %zu reference "
                 "profiles are not stored as such\n",
                 what, stored.size(), sorted_want.size(), missing);
  }
  // lookups
  profile::ProfileReader reader(db, gen);
  size_t bad_lookups = 0, lookups = 0;
  for (size_t i = 0; i < ref.size() && records; ++i) {
    for (const auto& id : ref[i].identities) {
      ++lookups;
      auto r = reader.ByIdentity(id);
      if (!r.ok() || !*r || profile::EncodeRecord(**r) != want[i]) {
        if (++bad_lookups <= 3) {
          std::fprintf(stderr, "MISMATCH (%s): lookup of %s=%s %s\n", what, id.field.c_str(),
                       id.value.c_str(),
                       !r.ok() ? r.status().ToString().c_str()
                               : !*r ? "finds nothing" : "finds another profile");
        }
      }
    }
  }
  if (bad_lookups) {
    std::fprintf(stderr, "MISMATCH (%s): %zu of %zu identity lookups wrong\n", what, bad_lookups,
                 lookups);
  }
  out.records = records && bad_lookups == 0;
  // listing
  size_t i = 0, bad = 0;
  Status st = reader.ForEach([&](const profile::ProfileRecord& r) {
    if (i >= want.size() || profile::EncodeRecord(r) != want[i]) ++bad;
    ++i;
    return true;
  });
  out.listing = st.ok() && bad == 0 && i == want.size();
  if (!out.listing) {
    // Which reference profiles does the listing leave out?
    std::set<std::string> listed;
    reader.ForEach([&](const profile::ProfileRecord& r) {
      listed.insert(profile::EncodeRecord(r));
      return true;
    }).IgnoreError();
    size_t absent = 0;
    for (size_t k = 0; k < ref.size(); ++k) {
      if (listed.count(want[k])) continue;
      if (++absent <= 3) {
        std::string order = ref[k].OrderText();
        for (char& c : order) c = c ? c : '=';
        std::fprintf(stderr, "MISMATCH (%s): the listing leaves out the profile of %s\n", what,
                     order.c_str());
      }
    }
    std::fprintf(stderr,
                 "MISMATCH (%s): the listing yields %zu profiles (%zu out of place), reference "
                 "%zu; %zu reference profiles are absent from it%s\n",
                 what, i, bad, want.size(), absent, st.ok() ? "" : st.ToString().c_str());
  }
  return out;
}

struct RebuildResult {
  bool ok = false;
  double seconds = 0, cpu_seconds = 0;
  // CPU time of the calling (pipeline) thread alone: the critical path. The stage evaluates
  // the next chunk on a second thread, so on two free cores the wall time is about this.
  double thread_cpu_seconds = 0;
  uint32_t gen = 0;
  std::string summary;
};

// One rebuild by a fresh pipeline::ProfileStage (as after a server start) with the given chunk
// size: Install (first time) or Rebuild, then RunOnce until the new generation serves. Only
// Install/Rebuild and the RunOnce loop are timed.
RebuildResult RebuildOnce(storage::Db* db, stream::StreamCatalog* catalog,
                          pipeline::JobRegistry* jobs, audience::AudienceEngine* audiences,
                          const Clock* clock,
                          const std::shared_ptr<const mapping::CompiledQuery>& query,
                          size_t batch_events, bool install, uint64_t last_seq, size_t n) {
  RebuildResult out;
  pipeline::ProfileStageOptions so;
  so.batch_events = batch_events;
  auto stage = Must(pipeline::ProfileStage::Create(db, catalog, jobs, clock, so, audiences),
                    "profile stage");
  {  // catch the serving generation up first (it has nothing to do if the log is processed)
    bool progressed = false;
    CHECK_OK(stage->RunOnce(last_seq, &progressed));
  }
  const uint32_t gen_before = stage->serving_gen();
  const double c0 = CpuSeconds();
  const double tc0 = ThreadCpuSeconds();
  auto t0 = SteadyClock::now();
  if (install) {
    Must(stage->Install(query), "install");
  } else {
    Must(stage->Rebuild("benchmark"), "rebuild");
  }
  size_t rounds = 0;
  do {
    bool progressed = false;
    CHECK_OK(stage->RunOnce(last_seq, &progressed));
    ++rounds;
  } while (stage->running_job() || stage->serving_gen() == gen_before);
  out.seconds = Seconds(SteadyClock::now() - t0);
  out.cpu_seconds = CpuSeconds() - c0;
  out.thread_cpu_seconds = ThreadCpuSeconds() - tc0;
  {  // untimed: one more round so the stage's counters describe the new generation
    bool progressed = false;
    CHECK_OK(stage->RunOnce(last_seq, &progressed));
  }
  const auto counters = stage->counters();
  out.gen = stage->serving_gen();
  char buf[300];
  std::snprintf(buf, sizeof buf,
                "(chunk %zu) %.3f s, %.3f CPU-s, pipeline thread %.3f CPU-s (%zu rounds, gen %u, "
                "%llu applied, %llu created, %llu merges, %llu field errors)",
                batch_events, out.seconds, out.cpu_seconds, out.thread_cpu_seconds, rounds, out.gen,
                static_cast<unsigned long long>(counters.applied),
                static_cast<unsigned long long>(counters.created),
                static_cast<unsigned long long>(counters.merges),
                static_cast<unsigned long long>(counters.errors));
  out.summary = buf;
  if (stage->checkpoint() != last_seq || counters.applied != n) {
    std::fprintf(stderr, "FAILED: rebuild ended at checkpoint %llu with %llu applied\n",
                 static_cast<unsigned long long>(stage->checkpoint()),
                 static_cast<unsigned long long>(counters.applied));
    return out;
  }
  out.ok = true;
  return out;
}

int Run(const Options& o) {
  // ---- corpus
  auto t0 = SteadyClock::now();
  CioCorpus corpus;
  if (!MakeCioCorpus(o.corpus, &corpus)) return 1;
  const size_t n = corpus.records.size();
  std::fprintf(stderr,
               "corpus: %zu events (%zu current, %zu legacy; identity styles all/email/id/cio "
               "%zu/%zu/%zu/%zu) for %u people; raw %.1f MB, records %.1f MB (%.0f B/record); "
               "made in %.1f s\n",
               n, corpus.current, corpus.legacy, corpus.style_counts[0], corpus.style_counts[1],
               corpus.style_counts[2], corpus.style_counts[3], o.corpus.people,
               corpus.raw_bytes / 1e6, corpus.record_bytes / 1e6,
               static_cast<double>(corpus.record_bytes) / n, Seconds(SteadyClock::now() - t0));

  // ---- store it
  std::string dir = o.dir;
  bool remove_dir = false;
  if (dir.empty()) {
    char tmpl[] = "/tmp/cohort-profile-bench-XXXXXX";
    if (!mkdtemp(tmpl)) {
      std::perror("mkdtemp");
      return 1;
    }
    dir = tmpl;
    remove_dir = true;
  }
  struct DirGuard {  // removes the temporary directory on every way out
    std::string path;
    ~DirGuard() {
      if (path.empty()) return;
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } guard{remove_dir ? dir : std::string()};
  {
    const Clock* clock = SystemClock::Default();
    storage::DbOptions dbo;
    dbo.path = dir + "/db";
    auto db = Must(storage::Db::Open(dbo), "open db");
    auto catalog = Must(stream::StreamCatalog::Load(db.get()), "load catalog");
    t0 = SteadyClock::now();
    {
      stream::LogWriterOptions lo;
      lo.sync = false;  // setup only; the rebuild never writes the log
      auto writer = Must(stream::LogWriter::Start(db.get(), catalog.get(), clock, lo), "writer");
      const stream::StreamConfig config = stream::DefaultStreamConfig(kStream);
      for (size_t i = 0; i < n; i += kChunk) {
        stream::AppendRequest req;
        req.stream = kStream;
        for (size_t j = i; j < std::min(n, i + kChunk); ++j) {
          auto p = Must(stream::PrepareEventText(corpus.records[j].json, config, clock->NowMs()),
                        "prepare");
          p.event_time_ms = corpus.records[j].event_time_ms;  // as the customerio stage does
          req.events.push_back(std::move(p));
        }
        stream::AppendResult res;
        CHECK_OK(writer->AppendSync(std::move(req), &res));
        if (res.duplicates) {
          std::fprintf(stderr, "FAILED: the log writer saw duplicates in the corpus\n");
          return 1;
        }
      }
      writer->Stop();
      if (writer->LastSeq() != n) {
        std::fprintf(stderr, "FAILED: stored %llu events, corpus has %zu\n",
                     static_cast<unsigned long long>(writer->LastSeq()), n);
        return 1;
      }
    }
    CHECK_OK(db->CompactFamily(storage::Family::kLog));  // a settled log, as after a while
    const uint64_t last_seq = n;
    std::fprintf(stderr, "stored %zu events in %s in %.1f s\n", n, dbo.path.c_str(),
                 Seconds(SteadyClock::now() - t0));

    // ---- the reference: evaluations from the in-memory corpus, profiles built in memory
    auto query = Must(mapping::Compile(customerio::DefaultQueryText()), "compile default query");
    const int64_t now_ms = clock->NowMs();
    std::vector<mapping::Evaluation> evals;
    evals.reserve(n);
    for (const CioRecord& r : corpus.records) {
      auto ev = Must(query->EvaluateJson(r.json, r.event_time_ms, now_ms), "reference evaluate");
      if (ev) evals.push_back(std::move(*ev));
    }
    t0 = SteadyClock::now();
    std::vector<profile::ProfileRecord> ref = profile::BuildProfilesInMemory(evals);
    const double memory_build_s = Seconds(SteadyClock::now() - t0);
    std::vector<std::string> want;
    int64_t ref_events = 0;
    size_t identified = 0;
    for (const auto& ev : evals) identified += !ev.identities.empty();
    for (const auto& r : ref) {
      want.push_back(profile::EncodeRecord(r));
      ref_events += EventCount(r);
    }
    if (identified != n || ref_events != static_cast<int64_t>(n)) {
      std::fprintf(stderr,
                   "FAILED: reference sanity: %zu of %zu events identified, cio_events sum %lld\n",
                   identified, n, static_cast<long long>(ref_events));
      return 1;
    }
    std::fprintf(stderr, "reference: %zu profiles from %zu evaluations (in-memory build %.2f s)\n",
                 ref.size(), evals.size(), memory_build_s);

    // ---- timed phases
    auto jobs = Must(pipeline::JobRegistry::Load(db.get(), clock), "jobs");
    // The server hands the profile stage its audience engine (no audiences are saved here, so
    // it only keeps its field index current, as a server without audiences does).
    auto audiences = Must(audience::AudienceEngine::Load(db.get(), clock), "audience engine");
    simdjson::dom::parser parser;
    std::vector<double> parse_s, scan_s, rebuild_s, parse_cpu, rebuild_cpu, rebuild_thread_cpu,
        what_if_s, what_if_cpu;
    bool records_ok = true, listing_ok = true;
    uint64_t parse_check = 0;
    for (int rep = -1; rep < o.reps; ++rep) {  // rep -1 warms up parse and scan only
      // (a) parse from memory
      const double ca = CpuSeconds();
      auto a = SteadyClock::now();
      uint64_t objects = 0;
      for (const CioRecord& r : corpus.records) {
        simdjson::dom::element root;
        if (parser.parse(r.json.data(), r.json.size()).get(root) != simdjson::SUCCESS) {
          std::fprintf(stderr, "FAILED: simdjson cannot parse a record\n");
          return 1;
        }
        objects += root.type() == simdjson::dom::element_type::OBJECT;
      }
      auto b = SteadyClock::now();
      const double cb = CpuSeconds();
      // (a') read the log + parse
      uint64_t scanned = 0, from = 1;
      while (from <= last_seq) {
        uint64_t next = from;
        CHECK_OK(stream::ReadLog(db.get(), from, last_seq, kChunk,
                                 [&](const stream::StoredEvent& e) {
                                   simdjson::dom::element root;
                                   if (parser.parse(e.raw.data(), e.raw.size()).get(root) ==
                                           simdjson::SUCCESS &&
                                       root.type() == simdjson::dom::element_type::OBJECT) {
                                     ++scanned;
                                   }
                                   next = e.seq + 1;
                                   return true;
                                 }));
        if (next == from) break;
        from = next;
      }
      auto c = SteadyClock::now();
      if (objects != n || scanned != n) {
        std::fprintf(stderr, "FAILED: parse saw %llu objects, scan %llu, corpus %zu\n",
                     static_cast<unsigned long long>(objects),
                     static_cast<unsigned long long>(scanned), n);
        return 1;
      }
      parse_check = objects;
      if (rep < 0) continue;
      // (b) rebuild through the profile stage, then the what-if chunk size
      auto rb = RebuildOnce(db.get(), catalog.get(), jobs.get(), audiences.get(), clock, query, kChunk,
                            /*install=*/rep == 0, last_seq, n);
      if (!rb.ok) return 1;
      parse_s.push_back(Seconds(b - a));
      scan_s.push_back(Seconds(c - b));
      rebuild_s.push_back(rb.seconds);
      parse_cpu.push_back(cb - ca);
      rebuild_cpu.push_back(rb.cpu_seconds);
      rebuild_thread_cpu.push_back(rb.thread_cpu_seconds);
      std::fprintf(stderr, "rep %d: parse %.3f s, scan %.3f s, rebuild %s\n", rep, Seconds(b - a),
                   Seconds(c - b), rb.summary.c_str());
      VerifyResult v = Verify(db.get(), rb.gen, ref, want, "profile stage rebuild");
      records_ok &= v.records;
      listing_ok &= v.listing;
      if (o.what_if_chunk) {
        auto wi = RebuildOnce(db.get(), catalog.get(), jobs.get(), audiences.get(), clock, query, o.what_if_chunk,
                              /*install=*/false, last_seq, n);
        if (!wi.ok) return 1;
        what_if_s.push_back(wi.seconds);
        what_if_cpu.push_back(wi.cpu_seconds);
        std::fprintf(stderr, "rep %d: what-if rebuild %s\n", rep, wi.summary.c_str());
        VerifyResult wv = Verify(db.get(), wi.gen, ref, want, "what-if chunk rebuild");
        records_ok &= wv.records;
        listing_ok &= wv.listing;
      }
    }

    // ---- instrumented pass: the stage's steps written out, each timed
    const uint32_t igen = 1000;
    std::set<std::string> tombstones;
    profile::ProfileWriter w(db.get(), igen, profile::WriterOptions{}, &tombstones);
    CHECK_OK(w.Init());
    double t_read = 0, t_parse = 0, t_eval = 0, t_apply = 0, t_flush = 0, t_write = 0;
    size_t batch_ops = 0, batch_bytes = 0, batches = 0;
    uint64_t checkpoint = 0;
    auto ia = SteadyClock::now();
    while (checkpoint < last_seq) {
      storage::WriteBatch batch;
      std::vector<stream::StoredEvent> events;
      events.reserve(kChunk);
      auto r0 = SteadyClock::now();
      CHECK_OK(stream::ReadLog(db.get(), checkpoint + 1, last_seq, kChunk,
                               [&](const stream::StoredEvent& e) {
                                 events.push_back(e);
                                 return true;
                               }));
      auto r1 = SteadyClock::now();
      t_read += Seconds(r1 - r0);
      for (const auto& e : events) {
        auto p0 = SteadyClock::now();
        simdjson::dom::element root;
        if (parser.parse(e.raw.data(), e.raw.size()).get(root) != simdjson::SUCCESS) return 1;
        auto p1 = SteadyClock::now();
        auto ev = query->Evaluate(root, e.event_time_ms, now_ms);
        auto p2 = SteadyClock::now();
        if (ev) CHECK_OK(w.Apply(*ev));
        auto p3 = SteadyClock::now();
        t_parse += Seconds(p1 - p0);
        t_eval += Seconds(p2 - p1);
        t_apply += Seconds(p3 - p2);
        checkpoint = e.seq;
      }
      auto f0 = SteadyClock::now();
      w.Flush(&batch);
      batch.Put(storage::Family::kMeta, pipeline::CheckpointKey("bench:instrumented"),
                pipeline::EncodeCheckpoint(checkpoint));
      auto f1 = SteadyClock::now();
      batch_ops += batch.Count();
      batch_bytes += batch.ByteSize();
      ++batches;
      CHECK_OK(db->Write(&batch, /*sync=*/false));
      auto f2 = SteadyClock::now();
      t_flush += Seconds(f1 - f0);
      t_write += Seconds(f2 - f1);
    }
    const double t_total = Seconds(SteadyClock::now() - ia);
    VerifyResult iv = Verify(db.get(), igen, ref, want, "instrumented pass");
    records_ok &= iv.records;
    listing_ok &= iv.listing;

    // ---- live-sized chunks on the warm writer: what one pipeline round of the profile stage
    // costs at 5,000 events/s (about 50 new events per 10 ms) once every profile is cached.
    // Re-applies the first events of the log as if new (timing only; checked above already).
    std::vector<double> live_wall_us, live_cpu_us, live_flush_us;
    {
      constexpr size_t kLive = 50;
      const size_t rounds = std::min<size_t>(400, last_seq / kLive);
      std::vector<stream::StoredEvent> events;
      CHECK_OK(stream::ReadLog(db.get(), 1, last_seq, rounds * kLive,
                               [&](const stream::StoredEvent& e) {
                                 events.push_back(e);
                                 return true;
                               }));
      for (size_t r = 0; r < rounds; ++r) {
        const double c0 = ThreadCpuSeconds();
        auto w0 = SteadyClock::now();
        for (size_t k = r * kLive; k < (r + 1) * kLive; ++k) {
          auto ev = Must(query->EvaluateJson(events[k].raw, events[k].event_time_ms, now_ms),
                         "evaluate");
          if (ev) CHECK_OK(w.Apply(*ev));
        }
        storage::WriteBatch batch;
        auto f0 = SteadyClock::now();
        // As the serving generation does: report the changes to the audience engine.
        profile::ProfileWriter::Changes changes;
        w.Flush(&batch, &changes);
        live_flush_us.push_back(Seconds(SteadyClock::now() - f0) * 1e6);
        CHECK_OK(audiences->OnProfiles(igen, changes, &batch));
        batch.Put(storage::Family::kMeta, pipeline::CheckpointKey("bench:instrumented"),
                  pipeline::EncodeCheckpoint(last_seq));
        CHECK_OK(db->Write(&batch, /*sync=*/false));
        audiences->Commit();
        live_wall_us.push_back(Seconds(SteadyClock::now() - w0) * 1e6);
        live_cpu_us.push_back((ThreadCpuSeconds() - c0) * 1e6);
      }
    }

    // ---- report
    const double parse_t = Median(parse_s), scan_t = Median(scan_s), rebuild_t = Median(rebuild_s);
    const double parse_eps = n / parse_t, scan_eps = n / scan_t, rebuild_eps = n / rebuild_t;
    const double parse_cpu_eps = n / Median(parse_cpu), rebuild_cpu_eps = n / Median(rebuild_cpu);
    const double rebuild_thread_eps = n / Median(rebuild_thread_cpu);
    Line("corpus_events", n, "events");
    Line("corpus_people", o.corpus.people, "people");
    Line("corpus_record_bytes", corpus.record_bytes, "bytes");
    Line("corpus_legacy_events", corpus.legacy, "events");
    Line("profiles", ref.size(), "profiles");
    Line("reps", o.reps, "runs");
    Line("parse_events_per_s", parse_eps, "events/s");
    Line("scan_events_per_s", scan_eps, "events/s");
    Line("rebuild_events_per_s", rebuild_eps, "events/s");
    Line("rebuild_seconds", rebuild_t, "s");
    Line("rebuild_to_parse_ratio", rebuild_eps / parse_eps, "rebuild events/s / parse events/s");
    Line("rebuild_to_scan_ratio", rebuild_eps / scan_eps, "rebuild events/s / scan events/s");
    Line("parse_events_per_cpu_s", parse_cpu_eps, "events/CPU-s");
    Line("rebuild_events_per_cpu_s", rebuild_cpu_eps, "events/CPU-s");
    Line("rebuild_events_per_pipeline_thread_cpu_s", rebuild_thread_eps, "events/CPU-s");
    Line("rebuild_to_parse_ratio_cpu", rebuild_cpu_eps / parse_cpu_eps,
         "rebuild events/CPU-s / parse events/CPU-s");
    if (!what_if_s.empty()) {
      const double wi_eps = n / Median(what_if_s), wi_cpu_eps = n / Median(what_if_cpu);
      Line("what_if_chunk_events", o.what_if_chunk, "events");
      Line("what_if_rebuild_events_per_s", wi_eps, "events/s");
      Line("what_if_rebuild_events_per_cpu_s", wi_cpu_eps, "events/CPU-s");
      Line("what_if_to_rebuild_ratio", wi_eps / rebuild_eps,
           "what-if events/s / rebuild events/s");
      Line("what_if_to_rebuild_ratio_cpu", wi_cpu_eps / rebuild_cpu_eps,
           "what-if events/CPU-s / rebuild events/CPU-s");
      std::fprintf(stderr,
                   "what-if: the same stage with %zu-event chunks: %.0f events/s, %.0f "
                   "events/CPU-s = %.2fx (wall) / %.2fx (CPU) the 5000-event chunks\n",
                   o.what_if_chunk, wi_eps, wi_cpu_eps, wi_eps / rebuild_eps,
                   wi_cpu_eps / rebuild_cpu_eps);
    }
    Line("rebuild_target_events_per_s", 100000, "events/s");
    Line("rebuild_target_met", rebuild_eps >= 100000, "bool");
    Line("instrumented_events_per_s", n / t_total, "events/s");
    Line("share_read", t_read / t_total, "fraction");
    Line("share_parse", t_parse / t_total, "fraction");
    Line("share_evaluate", t_eval / t_total, "fraction");
    Line("share_apply", t_apply / t_total, "fraction");
    Line("share_flush", t_flush / t_total, "fraction");
    Line("share_write", t_write / t_total, "fraction");
    Line("us_per_event_read", t_read / n * 1e6, "us");
    Line("us_per_event_parse", t_parse / n * 1e6, "us");
    Line("us_per_event_evaluate", t_eval / n * 1e6, "us");
    Line("us_per_event_apply", t_apply / n * 1e6, "us");
    Line("us_per_event_flush", t_flush / n * 1e6, "us");
    Line("us_per_event_write", t_write / n * 1e6, "us");
    Line("write_batch_ops_per_chunk", static_cast<double>(batch_ops) / batches, "ops");
    Line("write_batch_bytes_per_chunk", static_cast<double>(batch_bytes) / batches, "bytes");
    Line("memory_build_events_per_s", n / memory_build_s, "events/s");
    Line("live_round_events", 50, "events");
    Line("live_round_cached_profiles", ref.size(), "profiles");
    Line("live_round_wall_us_p50", Percentile(live_wall_us, 50), "us");
    Line("live_round_wall_us_p99", Percentile(live_wall_us, 99), "us");
    Line("live_round_cpu_us_p50", Percentile(live_cpu_us, 50), "us");
    Line("live_round_cpu_us_p99", Percentile(live_cpu_us, 99), "us");
    Line("live_round_flush_us_p50", Percentile(live_flush_us, 50), "us");
    Line("verified_profile_records", records_ok, "bool");
    Line("verified_profile_listing", listing_ok, "bool");
    Line("verified", parse_check == n && records_ok && listing_ok, "bool");
    std::fprintf(stderr,
                 "parse (simdjson, memory): %9.0f events/s (median of %d)\n"
                 "scan (read log + parse):  %9.0f events/s\n"
                 "rebuild (profile stage):  %9.0f events/s, %.2f s  [target >= 100000: %s]\n"
                 "rebuild / parse = %.3f, rebuild / scan = %.3f; by CPU time: parse %.0f, "
                 "rebuild %.0f events/CPU-s (all threads), %.0f per CPU-s of the pipeline thread "
                 "alone, ratio %.3f\n"
                 "instrumented pass %.0f events/s; per event: read %.2f us, parse %.2f us, "
                 "evaluate %.2f us, apply %.2f us, flush %.2f us, write %.2f us\n"
                 "  (%.0f ops, %.0f KB per 5000-event WriteBatch)\n"
                 "live-sized rounds (50 events, %zu profiles cached): p50 %.0f us wall / %.0f us "
                 "CPU (flush alone %.0f us), p99 %.0f us wall / %.0f us CPU\n"
                 "profile records and identity lookups: %s; listing: %s (%zu reference "
                 "profiles, compared byte for byte after every rebuild and the instrumented "
                 "pass)\n",
                 parse_eps, o.reps, scan_eps, rebuild_eps, rebuild_t,
                 rebuild_eps >= 100000 ? "met" : "MISSED", rebuild_eps / parse_eps,
                 rebuild_eps / scan_eps, parse_cpu_eps, rebuild_cpu_eps, rebuild_thread_eps,
                 rebuild_cpu_eps / parse_cpu_eps, n / t_total, t_read / n * 1e6, t_parse / n * 1e6,
                 t_eval / n * 1e6, t_apply / n * 1e6, t_flush / n * 1e6, t_write / n * 1e6,
                 static_cast<double>(batch_ops) / batches,
                 static_cast<double>(batch_bytes) / batches / 1e3, ref.size(),
                 Percentile(live_wall_us, 50), Percentile(live_cpu_us, 50),
                 Percentile(live_flush_us, 50), Percentile(live_wall_us, 99),
                 Percentile(live_cpu_us, 99), records_ok ? "verified" : "WRONG", listing_ok ? "verified" : "WRONG", ref.size());
    if (!records_ok || !listing_ok) {
      std::fprintf(stderr, "FAILED: the stored profiles do not match the reference (above)\n");
      return 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace cohort::bench

int main(int argc, char** argv) {
  cohort::bench::Options o;
  if (!cohort::bench::ParseOptions(argc, argv, &o)) return 2;
  return cohort::bench::Run(o);
}
