// Audience benchmark (issue 6, "Must show" 5; docs/benchmarks.md "## Audiences"). In one run,
// on one data set:
//
//  1. build: N people's generated Customer.io events (corpus.h) → the Customer.io processor →
//     flat customerio_events records → the default Customer.io query (CompiledQuery::
//     EvaluateJson) → ProfileWriter::Apply → Flush → RocksDB WriteBatch, in 5000-event chunks
//     as the profile stage does (events/s reported). AudienceEngine::BuildIndex runs after
//     step 3 (timed, with the RSS it adds).
//  2. reference pass: every stored profile, in listing order, is evaluated against the five
//     filters with segment::CompiledSegment::Matches (the per-profile evaluator, not the
//     index), and rendered as JSON into PostgreSQL's COPY.
//  3. PostgreSQL (--pg): indexes from postgres_indexes.sql (GIN on doc, expression indexes),
//     ANALYZE.
//  4. Cohort: Save of six audiences (the five filters and one matching everyone), each timed
//     from the caller's side (Save blocks until the pipeline thread — here the main thread,
//     calling ProcessRequests — has computed membership over every profile).
//  5. ad-hoc size, interleaved: per round and filter, Cohort (CompileFilter + Count, what
//     POST /api/segment/size runs) then each SQL formulation of the same filter
//     (SELECT count(*) ... WHERE ...); median over rounds; the first round is a warm-up.
//  6. verification: for every filter, Cohort's Count, the saved audience's size, the reference
//     pass, the generator's ground truth and every PostgreSQL formulation must give the same
//     count, and the members' id sums must agree (Cohort's saved membership, the reference
//     pass, PostgreSQL's sum(id)). Any difference: exit 1.
//  7. event → membership change: single events that each flip one profile in or out of one
//     audience, timed from the raw webhook JSON through processor, evaluate, Apply, Flush,
//     OnProfiles (all six audiences re-evaluated), WriteBatch write and Commit, to IsMember
//     answering the new state (checked). p50/p99 with a per-step breakdown; S events through
//     the build's long-lived writer (as the server's serving writer, with the profile cache the
//     build left), then S through a fresh writer (empty cache). Afterwards every audience's
//     incrementally kept size must equal a fresh Count.
//  8. memory: AudienceEngine::MemoryBytes() and the RSS growth of BuildIndex, per profile.
//  9. diagnosis: the atoms of the LIKE filter sized alone; the same LIKE over a dense
//     pid → value-id layout; a Flush with nothing dirty on the build's writer.
//
// Usage: audience_bench [--people=N (1000000)] [--rounds=R (7)] [--samples=S (250)]
//                       [--seed=S (11)] [--pg=CONNINFO] [--sql-dir=DIR] [--dir=PATH]
// stdout: one JSON object per line ({"bench":"audiences","metric":...,"value":...,"unit":...});
// stderr: progress and a human summary. Exit 1 on any wrong answer.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../common/flags.h"
#include "audience/engine.h"
#include "common/clock.h"
#include "corpus.h"
#include "customerio/integration.h"
#include "customerio/processor.h"
#include "mapping/query.h"
#include "pg.h"
#include "profile/json_writer.h"
#include "profile/reader.h"
#include "profile/render.h"
#include "profile/writer.h"
#include "segment/like.h"
#include "segment/segment.h"
#include "storage/db.h"

namespace cohort::bench::aud {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr size_t kChunk = 5000;  // ProfileStageOptions::batch_events default
constexpr uint32_t kGen = 1;

struct Options {
  uint32_t people = 1000000;
  int rounds = 7;
  int samples = 250;
  uint64_t seed = 11;
  std::string pg;
  std::string sql_dir;
  std::string dir;
};

double Seconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }
double Ms(SteadyClock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p / 100.0 * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

std::string JsonEscape(std::string_view s) {
  std::string o;
  profile::AppendJsonString(&o, s);
  return o;
}

void Line(const std::string& metric, double value, const char* unit,
          const std::string& filter = "") {
  std::printf("{\"bench\":\"audiences\",\"metric\":\"%s\",\"value\":%.6g,\"unit\":\"%s\"",
              metric.c_str(), value, unit);
  if (!filter.empty()) std::printf(",\"filter\":%s", JsonEscape(filter).c_str());
  std::printf("}\n");
  std::fflush(stdout);
}

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "FAILED: %s\n", what.c_str());
  std::exit(1);
}
void Check(const Status& s, const char* what) {
  if (!s.ok()) Fail(std::string(what) + ": " + s.ToString());
}
template <typename T>
T Must(StatusOr<T> v, const char* what) {
  if (!v.ok()) Fail(std::string(what) + ": " + v.status().ToString());
  return std::move(*v);
}

size_t RssBytes() {
  std::ifstream f("/proc/self/statm");
  size_t pages = 0, resident = 0;
  f >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// ---- the five filters and their SQL

struct SqlForm {
  const char* name;   // what a reader calls this formulation
  std::string where;  // the WHERE clause ({T7} = now - 7 days in ms)
};
struct Filter {
  const char* slug;
  const char* text;  // the audience language
  std::vector<SqlForm> sql;
  // The ground truth from the generator's bookkeeping.
  bool (*truth)(const Truth&, uint32_t person);
};

std::vector<Filter> Filters() {
  return {
      {"f1_recent_open",
       "FILTER cio_last_open_ts > \"now-7d\"",
       {{"btree expression", "(doc->>'cio_last_open_ts')::bigint > {T7}"}},
       [](const Truth& t, uint32_t) { return t.last_open_ms > kNowMs - 7 * kDayMs; }},
      {"f2_opened_no_click",
       "FILTER AND(cio_events.email_opened >= 1, NOT cio_events.email_clicked >= 1)",
       {{"->> casts",
         "(doc->'cio_events'->>'email_opened')::bigint >= 1 AND NOT "
         "coalesce((doc->'cio_events'->>'email_clicked')::bigint >= 1, false)"},
        {"jsonpath @? (GIN)",
         "doc @? '$.cio_events.email_opened ? (@ >= 1)' AND NOT "
         "doc @? '$.cio_events.email_clicked ? (@ >= 1)'"}},
       [](const Truth& t, uint32_t) { return t.opened && !t.clicked; }},
      {"f3_opens_at_9",
       "FILTER cio_hourlyopens.9 >= 1",
       {{"->> cast", "(doc->'cio_hourlyopens'->>'9')::bigint >= 1"},
        {"jsonpath @? (GIN)", "doc @? '$.cio_hourlyopens.\"9\" ? (@ >= 1)'"}},
       [](const Truth& t, uint32_t) { return (t.open_hours >> 9 & 1) != 0; }},
      {"f4_campaign_118",
       "FILTER cio_campaign_ids INTERSECTS (\"118\")",
       {{"@> containment (GIN)", "doc @> '{\"cio_campaign_ids\":[\"118\"]}'"},
        {"-> ? key", "doc->'cio_campaign_ids' ? '118'"}},
       [](const Truth& t, uint32_t) { return t.campaign118; }},
      {"f5_push_or_org",
       "FILTER OR(cio_channels INTERSECTS (\"push\"), email LIKE \"*@example.org\")",
       {{"@> OR ILIKE (GIN + trigram)",
         "doc @> '{\"cio_channels\":[\"push\"]}' OR doc->>'email' ILIKE '%@example.org'"},
        {"-> ? OR ILIKE", "doc->'cio_channels' ? 'push' OR doc->>'email' ILIKE '%@example.org'"}},
       [](const Truth& t, uint32_t p) { return t.push || PersonDomain(p) == "example.org"; }},
  };
}

std::string SqlWhere(const SqlForm& f) {
  std::string w = f.where;
  const std::string t7 = std::to_string(kNowMs - 7 * kDayMs);
  for (size_t at; (at = w.find("{T7}")) != std::string::npos;) w.replace(at, 4, t7);
  return w;
}

// The profile as PostgreSQL gets it: the profile API's JSON (profile/render.h) except that
// dates are Unix milliseconds (numbers a btree can order) rather than RFC 3339 text.
void RenderDoc(const profile::Profile& p, std::string* out) {
  profile::JsonWriter w;
  w.BeginObject();
  for (const auto& [name, state] : p.fields()) {
    w.Key(name);
    if (state.kind() == mapping::Kind::kDate) {
      w.Int(state.value().scalar.i);
    } else {
      profile::WriteFieldValue(state, &w);
    }
  }
  w.EndObject();
  *out = std::move(w).Release();
}

// COPY text format: backslash, newline, tab and carriage return escaped.
void AppendCopyField(std::string* out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\r':
        *out += "\\r";
        break;
      default:
        out->push_back(c);
    }
  }
}

// Statements of a .sql file, split at ';' ending a line; `--` comment lines dropped.
std::vector<std::string> SqlStatements(const std::string& path) {
  std::ifstream f(path);
  if (!f) Fail("cannot read " + path);
  std::vector<std::string> out;
  std::string line, cur;
  while (std::getline(f, line)) {
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line.compare(first, 2, "--") == 0) continue;
    cur += line + "\n";
    size_t last = line.find_last_not_of(" \t\r");
    if (last != std::string::npos && line[last] == ';') {
      out.push_back(cur);
      cur.clear();
    }
  }
  if (cur.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(cur);
  return out;
}

std::string OneLine(std::string s) {
  for (char& c : s) c = c == '\n' ? ' ' : c;
  while (!s.empty() && (s.back() == ' ' || s.back() == ';')) s.pop_back();
  return s;
}

int Run(const Options& o) {
  const auto run_start = SteadyClock::now();
  FakeClock clock(kNowMs);
  const std::vector<Filter> filters = Filters();
  const size_t nf = filters.size();

  // ---- PostgreSQL connection (first, so a missing server fails fast)
  std::unique_ptr<Pg> pg;
  std::string err;
  if (!o.pg.empty()) {
    pg = std::make_unique<Pg>();
    if (!pg->Connect(o.pg, &err)) Fail("connect to PostgreSQL: " + err);
    std::vector<std::string> row;
    if (!pg->Exec("SELECT version()", &row, &err)) Fail(err);
    std::fprintf(stderr, "postgres: %s\n", row.at(0).c_str());
    for (const std::string& s : SqlStatements(o.sql_dir + "/postgres_schema.sql")) {
      if (!pg->Exec(s, nullptr, &err)) Fail("schema: " + OneLine(s) + ": " + err);
    }
  }

  // ---- storage
  std::string dir = o.dir;
  bool remove_dir = false;
  if (dir.empty()) {
    char tmpl[] = "/tmp/cohort-audience-bench-XXXXXX";
    if (!mkdtemp(tmpl)) Fail("mkdtemp");
    dir = tmpl;
    remove_dir = true;
  }
  struct DirGuard {
    std::string path;
    ~DirGuard() {
      if (path.empty()) return;
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } guard{remove_dir ? dir : std::string()};
  storage::DbOptions dbo;
  dbo.path = dir + "/db";
  auto db = Must(storage::Db::Open(dbo), "open db");

  // ---- 1. build
  auto query = Must(mapping::Compile(customerio::DefaultQueryText()), "compile default query");
  auto t0 = SteadyClock::now();
  Population pop(o.people, o.seed);
  const size_t n_events = pop.events();
  std::fprintf(stderr, "population: %u people, %zu events (planned in %.1f s)\n", o.people,
               n_events, Seconds(SteadyClock::now() - t0));
  profile::ProfileWriter writer(db.get(), kGen, profile::WriterOptions{}, nullptr);
  Check(writer.Init(), "writer init");
  double t_gen = 0, t_proc = 0, t_eval = 0, t_apply = 0, t_flush = 0, t_write = 0;
  size_t record_bytes = 0, legacy = 0;
  std::mt19937_64 cosmetic(o.seed * 31 + 7);
  std::vector<std::string> raws;
  raws.reserve(kChunk);
  const auto build_start = SteadyClock::now();
  for (size_t i = 0; i < n_events; i += kChunk) {
    const size_t end = std::min(n_events, i + kChunk);
    auto a = SteadyClock::now();
    raws.clear();
    for (size_t j = i; j < end; ++j) {
      EventSpec e = pop.Next(j);
      legacy += e.legacy;
      raws.push_back(RenderRaw(e, &cosmetic));
    }
    auto b = SteadyClock::now();
    t_gen += Seconds(b - a);
    for (const std::string& raw : raws) {
      auto p0 = SteadyClock::now();
      auto r = customerio::ProcessCustomerIoEvent(raw);
      if (!r.ok() || r->outcome != customerio::ProcessResult::Outcome::kMapped || !r->timestamp_s) {
        Fail("the processor did not map " + raw);
      }
      record_bytes += r->record_json.size();
      auto p1 = SteadyClock::now();
      auto ev = query->EvaluateJson(r->record_json, *r->timestamp_s * 1000, kNowMs);
      if (!ev.ok() || !*ev || (*ev)->identities.empty())
        Fail("no evaluation for " + r->record_json);
      auto p2 = SteadyClock::now();
      Check(writer.Apply(**ev), "apply");
      auto p3 = SteadyClock::now();
      t_proc += Seconds(p1 - p0);
      t_eval += Seconds(p2 - p1);
      t_apply += Seconds(p3 - p2);
    }
    auto f0 = SteadyClock::now();
    storage::WriteBatch batch;
    writer.Flush(&batch);
    auto f1 = SteadyClock::now();
    Check(db->Write(&batch, /*sync=*/false), "write");
    auto f2 = SteadyClock::now();
    t_flush += Seconds(f1 - f0);
    t_write += Seconds(f2 - f1);
    if ((i / kChunk) % 100 == 0) {
      std::fprintf(stderr, "  built %zu / %zu events (%.0f s)\n", end, n_events,
                   Seconds(SteadyClock::now() - build_start));
    }
  }
  const double build_wall = Seconds(SteadyClock::now() - build_start);
  const double t_pipeline = t_eval + t_apply + t_flush + t_write;
  const auto& wc = writer.counters();
  std::fprintf(stderr,
               "build: %zu events (%zu legacy), %.0f B/record, %" PRIu64
               " profiles created, %" PRIu64 " merges, %" PRIu64
               " field errors; wall %.1f s: generate %.1f, processor %.1f, "
               "evaluate %.1f, apply %.1f, flush %.1f, write %.1f s\n",
               n_events, legacy, static_cast<double>(record_bytes) / n_events, wc.created,
               wc.merges, wc.errors, build_wall, t_gen, t_proc, t_eval, t_apply, t_flush, t_write);
  if (wc.errors) Fail("field errors while building");

  // ---- schema and the filters compiled on their own (reference evaluator)
  std::map<std::string, mapping::Kind, std::less<>> fields;
  for (const auto& col : query->columns()) fields[col.name] = col.kind;
  segment::Schema schema;
  schema.fields = fields;
  std::vector<std::shared_ptr<const segment::CompiledSegment>> ref_compiled;
  for (const auto& f : filters)
    ref_compiled.push_back(Must(segment::Compile(f.text, schema), f.text));

  // ---- 2. reference pass (+ COPY into PostgreSQL)
  std::vector<uint64_t> ref_count(nf, 0), ref_sum(nf, 0);
  uint64_t profiles = 0, max_pid = 0;
  double copy_s = 0, ref_match_s = 0, ref_render_s = 0, ref_copy_s = 0;
  size_t doc_bytes = 0;
  // For the LIKE diagnosis: each profile's email (the field the index scans for LIKE).
  std::vector<std::pair<uint32_t, std::string>> emails;
  emails.reserve(o.people);
  t0 = SteadyClock::now();
  {
    if (pg && !pg->CopyBegin("COPY profiles (id, doc) FROM STDIN", &err)) Fail("COPY: " + err);
    std::string buf, doc;
    profile::ProfileReader reader(db.get(), kGen);
    Check(reader.ForEach([&](const profile::ProfileRecord& r) {
      ++profiles;
      max_pid = std::max(max_pid, r.id);
      auto m0 = SteadyClock::now();
      for (size_t k = 0; k < nf; ++k) {
        if (ref_compiled[k]->Matches(r.profile, kNowMs)) {
          ++ref_count[k];
          ref_sum[k] += r.id;
        }
      }
      ref_match_s += Seconds(SteadyClock::now() - m0);
      if (const profile::FieldState* e = r.profile.Find("email")) {
        emails.emplace_back(static_cast<uint32_t>(r.id), e->value().scalar.s);
      }
      if (pg) {
        auto r0 = SteadyClock::now();
        RenderDoc(r.profile, &doc);
        doc_bytes += doc.size();
        buf += std::to_string(r.id);
        buf.push_back('\t');
        AppendCopyField(&buf, doc);
        buf.push_back('\n');
        auto r1 = SteadyClock::now();
        ref_render_s += Seconds(r1 - r0);
        if (buf.size() > (1 << 20)) {
          if (!pg->CopyData(buf, &err)) Fail("COPY data: " + err);
          buf.clear();
          ref_copy_s += Seconds(SteadyClock::now() - r1);
        }
      }
      return true;
    }),
          "reference pass");
    if (pg) {
      if (!buf.empty() && !pg->CopyData(buf, &err)) Fail("COPY data: " + err);
      if (!pg->CopyEnd(&err)) Fail("COPY end: " + err);
    }
  }
  copy_s = Seconds(SteadyClock::now() - t0);
  const double ref_read_s = copy_s - ref_match_s - ref_render_s - ref_copy_s;
  std::fprintf(stderr,
               "reference pass%s: %" PRIu64
               " profiles in %.1f s (ProfileReader::ForEach %.1f, "
               "Matches %.1f, render %.1f, COPY send %.1f s), %zu B/doc\n",
               pg ? " + COPY" : "", profiles, copy_s, ref_read_s, ref_match_s, ref_render_s,
               ref_copy_s, doc_bytes / std::max<uint64_t>(profiles, 1));

  // ---- LIKE diagnosis: what `email LIKE "*@example.org"` costs in a layout with one value id
  // per profile (a dense pid → value-id array plus the distinct values), for comparison with
  // the index's std::map<value, Roaring> walk, timed in step 5.
  double diag_like_match_ms = 0, diag_like_scan_ms = 0, diag_like_bitmap_ms = 0;
  uint64_t diag_like_count = 0;
  {
    std::vector<std::string> values;
    std::vector<uint32_t> value_of(max_pid + 1, UINT32_MAX);
    {
      std::vector<std::pair<std::string, uint32_t>> sorted;
      for (const auto& [pid, e] : emails) sorted.emplace_back(e, pid);
      std::sort(sorted.begin(), sorted.end());
      for (const auto& [e, pid] : sorted) {
        if (values.empty() || values.back() != e) values.push_back(e);
        value_of[pid] = static_cast<uint32_t>(values.size() - 1);
      }
    }
    std::vector<double> match_ms, scan_ms, bitmap_ms;
    for (int rep = 0; rep < 3; ++rep) {
      auto a = SteadyClock::now();
      segment::LikePattern pat("*@example.org");
      std::vector<char> hit(values.size());
      for (size_t v = 0; v < values.size(); ++v) hit[v] = pat.Matches(values[v]);
      auto b = SteadyClock::now();
      std::vector<uint32_t> pids;
      for (uint32_t pid = 0; pid < value_of.size(); ++pid) {
        if (value_of[pid] != UINT32_MAX && hit[value_of[pid]]) pids.push_back(pid);
      }
      auto c = SteadyClock::now();
      Roaring bits;
      bits.addMany(pids.size(), pids.data());
      diag_like_count = bits.cardinality();
      auto d = SteadyClock::now();
      match_ms.push_back(Ms(b - a));
      scan_ms.push_back(Ms(c - b));
      bitmap_ms.push_back(Ms(d - c));
    }
    diag_like_match_ms = Median(match_ms);
    diag_like_scan_ms = Median(scan_ms);
    diag_like_bitmap_ms = Median(bitmap_ms);
    std::fprintf(stderr,
                 "LIKE diagnosis: %zu distinct emails; pattern on each %.1f ms, pid scan %.1f ms, "
                 "Roaring::addMany %.1f ms → %" PRIu64 " profiles\n",
                 values.size(), diag_like_match_ms, diag_like_scan_ms, diag_like_bitmap_ms,
                 diag_like_count);
  }
  emails.clear();
  emails.shrink_to_fit();
  bool verified = true;
  if (profiles != o.people) {
    std::fprintf(stderr, "MISMATCH: %" PRIu64 " profiles, %u people\n", profiles, o.people);
    verified = false;
  }
  std::vector<uint64_t> truth_count(nf, 0);
  for (uint32_t p = 0; p < o.people; ++p) {
    for (size_t k = 0; k < nf; ++k) truth_count[k] += filters[k].truth(pop.truth()[p], p);
  }

  // ---- 3. PostgreSQL indexes
  std::vector<std::pair<std::string, double>> pg_setup;
  if (pg) {
    for (const std::string& s : SqlStatements(o.sql_dir + "/postgres_indexes.sql")) {
      auto a = SteadyClock::now();
      if (!pg->Exec(s, nullptr, &err)) Fail("indexes: " + OneLine(s) + ": " + err);
      pg_setup.emplace_back(OneLine(s), Seconds(SteadyClock::now() - a));
      std::fprintf(stderr, "postgres: %.1f s  %s\n", pg_setup.back().second,
                   pg_setup.back().first.c_str());
    }
    std::vector<std::string> row;
    if (pg->Exec("SELECT pg_total_relation_size('profiles'), pg_relation_size('profiles'), "
                 "pg_indexes_size('profiles')",
                 &row, &err)) {
      Line("pg_total_bytes", std::stod(row[0]), "bytes");
      Line("pg_table_bytes", std::stod(row[1]), "bytes");
      Line("pg_index_bytes", std::stod(row[2]), "bytes");
    }
  }

  // ---- BuildIndex, memory
  malloc_trim(0);
  const size_t rss0 = RssBytes();
  auto engine = Must(audience::AudienceEngine::Load(db.get(), &clock), "engine load");
  engine->SetSchema(fields);
  t0 = SteadyClock::now();
  Check(engine->BuildIndex(kGen), "BuildIndex");
  const double build_index_s = Seconds(SteadyClock::now() - t0);
  malloc_trim(0);
  const size_t rss1 = RssBytes();
  const size_t index_bytes = engine->MemoryBytes();
  std::fprintf(stderr, "BuildIndex: %.1f s; MemoryBytes %.1f MB; RSS %.1f → %.1f MB\n",
               build_index_s, index_bytes / 1e6, rss0 / 1e6, rss1 / 1e6);

  // ---- 4. Save (create) audiences
  auto save = [&](const std::string& slug, const std::string& text, double* process_ms) {
    audience::SegmentDef d;
    d.slug = slug;
    d.name = slug;
    d.segment_ql = text;
    auto a = SteadyClock::now();
    auto fut = std::async(std::launch::async, [&engine, d] { return engine->Save(d, 600000); });
    double proc = 0;
    while (fut.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      auto p = SteadyClock::now();
      Check(engine->ProcessRequests(kGen), "ProcessRequests");
      proc += Ms(SteadyClock::now() - p);
      std::this_thread::yield();
    }
    auto info = fut.get();
    const double ms = Ms(SteadyClock::now() - a);
    if (!info.ok()) Fail("save " + text + ": " + info.status().ToString());
    *process_ms = proc;
    return std::make_pair(ms, info->size);
  };
  struct SaveResult {
    std::string slug, text;
    double ms, process_ms;
    uint64_t size;
  };
  std::vector<SaveResult> saves;
  {
    const std::string everyone = "FILTER EXISTS cio_events";
    double proc = 0;
    auto [ms, size] = save("everyone", everyone, &proc);
    saves.push_back({"everyone", everyone, ms, proc, size});
    if (size != profiles) {
      std::fprintf(stderr, "MISMATCH: 'everyone' has %" PRIu64 " members of %" PRIu64 "\n", size,
                   profiles);
      verified = false;
    }
  }
  for (const auto& f : filters) {
    double proc = 0;
    auto [ms, size] = save(f.slug, f.text, &proc);
    saves.push_back({f.slug, f.text, ms, proc, size});
  }
  for (const auto& s : saves) {
    std::fprintf(stderr, "save %-20s %8.1f ms (pipeline %.1f ms), %" PRIu64 " members\n",
                 s.slug.c_str(), s.ms, s.process_ms, s.size);
  }
  malloc_trim(0);
  const size_t rss2 = RssBytes();
  const size_t engine_bytes = engine->MemoryBytes();

  // ---- 5. ad-hoc sizes, interleaved with PostgreSQL
  std::vector<std::vector<double>> cohort_ms(nf), compile_ms(nf);
  std::vector<std::vector<std::vector<double>>> pg_ms(nf);
  std::vector<uint64_t> cohort_count(nf, 0);
  std::vector<std::vector<uint64_t>> pg_count(nf);
  for (size_t k = 0; k < nf; ++k) {
    pg_ms[k].resize(filters[k].sql.size());
    pg_count[k].assign(filters[k].sql.size(), 0);
  }
  for (int round = 0; round <= o.rounds; ++round) {
    for (size_t k = 0; k < nf; ++k) {
      auto a = SteadyClock::now();
      auto compiled = engine->CompileFilter(filters[k].text);
      if (!compiled.ok()) Fail(std::string("compile ") + filters[k].text);
      auto b = SteadyClock::now();
      uint64_t n = Must(engine->Count(*compiled.value(), kGen), "Count");
      auto c = SteadyClock::now();
      if (round > 0) {
        cohort_ms[k].push_back(Ms(c - a));
        compile_ms[k].push_back(Ms(b - a));
      }
      if (round > 0 && n != cohort_count[k]) {
        std::fprintf(stderr, "MISMATCH: Count of %s changed between rounds\n", filters[k].slug);
        verified = false;
      }
      cohort_count[k] = n;
      if (!pg) continue;
      for (size_t q = 0; q < filters[k].sql.size(); ++q) {
        const std::string sql =
            "SELECT count(*) FROM profiles WHERE " + SqlWhere(filters[k].sql[q]);
        std::vector<std::string> row;
        auto pa = SteadyClock::now();
        if (!pg->Exec(sql, &row, &err)) Fail(sql + ": " + err);
        auto pb = SteadyClock::now();
        if (round > 0) pg_ms[k][q].push_back(Ms(pb - pa));
        pg_count[k][q] = std::stoull(row.at(0));
      }
    }
    std::fprintf(stderr, "round %d done\n", round);
  }

  // The two atoms of f5 on their own (where its time goes).
  const std::vector<std::string> atoms = {"FILTER cio_channels INTERSECTS (\"push\")",
                                          "FILTER email LIKE \"*@example.org\""};
  std::vector<double> atom_ms;
  std::vector<uint64_t> atom_count;
  for (const auto& text : atoms) {
    std::vector<double> v;
    uint64_t n = 0;
    for (int rep = 0; rep < 3; ++rep) {
      auto a = SteadyClock::now();
      auto compiled = engine->CompileFilter(text);
      if (!compiled.ok()) Fail("compile " + text);
      n = Must(engine->Count(*compiled.value(), kGen), "Count");
      v.push_back(Ms(SteadyClock::now() - a));
    }
    atom_ms.push_back(Median(v));
    atom_count.push_back(n);
    std::fprintf(stderr, "atom %-45s %8.2f ms, %" PRIu64 " profiles\n", text.c_str(),
                 atom_ms.back(), n);
  }
  if (atom_count[1] != diag_like_count) {
    std::fprintf(stderr, "MISMATCH: LIKE diagnosis found %" PRIu64 ", Count %" PRIu64 "\n",
                 diag_like_count, atom_count[1]);
    verified = false;
  }

  // ---- 6. verification
  std::vector<uint64_t> pg_sum(nf, 0);
  for (size_t k = 0; k < nf; ++k) {
    const Filter& f = filters[k];
    auto info = engine->Get(f.slug);
    uint64_t saved_size = info ? info->size : UINT64_MAX;
    uint64_t member_sum = 0;
    for (uint64_t pid : engine->Members(f.slug, 0, SIZE_MAX)) member_sum += pid;
    bool ok = cohort_count[k] == ref_count[k] && saved_size == ref_count[k] &&
              truth_count[k] == ref_count[k] && member_sum == ref_sum[k];
    for (size_t q = 0; pg && q < f.sql.size(); ++q) {
      ok &= pg_count[k][q] == ref_count[k];
      std::vector<std::string> row;
      const std::string sql =
          "SELECT count(*), coalesce(sum(id), 0) FROM profiles WHERE " + SqlWhere(f.sql[q]);
      if (!pg->Exec(sql, &row, &err)) Fail(sql + ": " + err);
      uint64_t c = std::stoull(row.at(0)), s = std::stoull(row.at(1));
      ok &= c == ref_count[k] && s == ref_sum[k];
      pg_sum[k] = s;
    }
    if (!ok) {
      std::fprintf(stderr,
                   "MISMATCH %s: Count %" PRIu64 ", saved %" PRIu64 ", reference %" PRIu64
                   ", truth %" PRIu64 ", member id sum %" PRIu64 " vs reference %" PRIu64,
                   f.slug, cohort_count[k], saved_size, ref_count[k], truth_count[k], member_sum,
                   ref_sum[k]);
      for (size_t q = 0; pg && q < f.sql.size(); ++q) {
        std::fprintf(stderr, ", pg[%s] %" PRIu64, f.sql[q].name, pg_count[k][q]);
      }
      std::fprintf(stderr, ", pg id sum %" PRIu64 "\n", pg_sum[k]);
      verified = false;
    }
  }
  if (pg) {  // the plans PostgreSQL chose, for the write-up
    for (size_t k = 0; k < nf; ++k) {
      for (const auto& form : filters[k].sql) {
        std::vector<std::string> plan;
        if (pg->Lines("EXPLAIN SELECT count(*) FROM profiles WHERE " + SqlWhere(form), &plan,
                      &err)) {
          std::fprintf(stderr, "plan %s [%s]:\n", filters[k].slug, form.name);
          for (const auto& l : plan) std::fprintf(stderr, "    %s\n", l.c_str());
        }
      }
    }
  }

  // ---- 7. event → membership change
  struct Step {
    double process = 0, evaluate = 0, apply = 0, flush = 0, audiences = 0, write = 0, total = 0;
  };
  size_t flips_wrong = 0;
  std::mt19937_64 rng(o.seed * 7 + 3);
  // `w` applies the events: the build's writer (long-lived, like the server's serving writer,
  // with the profile cache the build left) or a fresh one.
  auto run_samples = [&](profile::ProfileWriter& w, int count, int serial0,
                         std::vector<Step>* steps) {
    for (int s = 0; s < count; ++s) {
      const size_t k = static_cast<size_t>(s) % nf;
      const Filter& f = filters[k];
      const bool exit = k == 1;  // f2: a member clicks and leaves; the others: a non-member enters
      // Pick a profile in the right state (untimed).
      profile::ProfileReader reader(db.get(), kGen);
      std::optional<profile::ProfileRecord> rec;
      for (int attempt = 0; attempt < 100000 && !rec; ++attempt) {
        uint64_t pid = 1 + rng() % max_pid;
        if (exit) {
          auto m = engine->Members(f.slug, pid, 1);
          if (m.empty()) continue;
          pid = m[0];
        } else if (engine->IsMember(f.slug, pid)) {
          continue;
        }
        auto r = Must(reader.ByPid(pid), "ByPid");
        if (r) rec = std::move(r);
      }
      if (!rec) Fail(std::string("no candidate profile for ") + f.slug);
      std::string email;
      for (const auto& id : rec->identities) {
        if (id.field == "email") email = id.value;
      }
      if (email.empty()) Fail("a profile without an email");
      EventSpec e;
      e.serial = 100000000 + serial0 + s;
      e.style = 1;  // the email only
      e.object_type = "email";
      e.ts_s = kNowMs / 1000 - 60;
      switch (k) {
        case 0:
          e.metric = "opened";
          break;
        case 1:
          e.metric = "clicked";
          break;
        case 2:
          e.metric = "opened";
          e.ts_s = (kNowMs / kDayMs) * 86400 + 9 * 3600 + 1800;  // 09:30 UTC today
          break;
        case 3:
          e.metric = "sent";
          e.campaign = 118;
          break;
        default:
          e.object_type = "push";
          e.metric = "delivered";
          break;
      }
      e.email = email;
      const std::string raw = RenderRaw(e, &rng);
      Step st;
      auto a = SteadyClock::now();
      auto r = customerio::ProcessCustomerIoEvent(raw);
      if (!r.ok() || r->outcome != customerio::ProcessResult::Outcome::kMapped)
        Fail("latency event");
      auto b = SteadyClock::now();
      auto ev = query->EvaluateJson(r->record_json, *r->timestamp_s * 1000, kNowMs);
      if (!ev.ok() || !*ev) Fail("latency event evaluation");
      auto c = SteadyClock::now();
      Check(w.Apply(**ev), "apply");
      auto d = SteadyClock::now();
      storage::WriteBatch batch;
      profile::ProfileWriter::Changes changes;
      w.Flush(&batch, &changes);
      auto e1 = SteadyClock::now();
      Check(engine->OnProfiles(kGen, changes, &batch), "OnProfiles");
      auto e2 = SteadyClock::now();
      Check(db->Write(&batch, /*sync=*/false), "write");
      engine->Commit();
      const bool member = engine->IsMember(f.slug, rec->id);
      auto e3 = SteadyClock::now();
      st.process = Ms(b - a);
      st.evaluate = Ms(c - b);
      st.apply = Ms(d - c);
      st.flush = Ms(e1 - d);
      st.audiences = Ms(e2 - e1);
      st.write = Ms(e3 - e2);
      st.total = Ms(e3 - a);
      steps->push_back(st);
      if (member != !exit) {
        if (++flips_wrong <= 3) {
          std::fprintf(stderr, "MISMATCH: %s did not flip for profile %" PRIu64 " (%s)\n", f.slug,
                       rec->id, r->record_json.c_str());
        }
      }
    }
  };
  // A Flush with nothing to write, on the build's writer: the cost of walking its cache.
  std::vector<double> empty_flush;
  for (int rep = 0; rep < 3; ++rep) {
    storage::WriteBatch b;
    auto a = SteadyClock::now();
    writer.Flush(&b);
    empty_flush.push_back(Ms(SteadyClock::now() - a));
    if (b.Count() != 0) Fail("an empty Flush wrote something");
  }
  const double empty_flush_ms = Median(empty_flush);
  std::fprintf(stderr, "empty Flush of the build's writer: %.1f ms\n", empty_flush_ms);
  t0 = SteadyClock::now();
  std::vector<Step> steps, fresh_steps;
  run_samples(writer, o.samples, 0, &steps);
  const double latency_phase_s = Seconds(SteadyClock::now() - t0);
  {
    profile::ProfileWriter fresh(db.get(), kGen, profile::WriterOptions{}, nullptr);
    Check(fresh.Init(), "fresh writer init");
    run_samples(fresh, o.samples, o.samples, &fresh_steps);
  }
  if (flips_wrong) verified = false;
  // Incremental membership still equals a fresh count from the index.
  for (size_t k = 0; k < nf; ++k) {
    auto compiled = engine->CompileFilter(filters[k].text);
    uint64_t n = Must(engine->Count(*compiled.value(), kGen), "Count");
    auto info = engine->Get(filters[k].slug);
    if (!info || info->size != n) {
      std::fprintf(stderr,
                   "MISMATCH: after the events %s has %" PRIu64 " members, Count %" PRIu64 "\n",
                   filters[k].slug, info ? info->size : 0, n);
      verified = false;
    }
  }

  // ---- 8. report
  Line("people", o.people, "people");
  Line("profiles", static_cast<double>(profiles), "profiles");
  Line("events", static_cast<double>(n_events), "events");
  Line("legacy_events", static_cast<double>(legacy), "events");
  Line("record_bytes_avg", static_cast<double>(record_bytes) / n_events, "bytes");
  Line("merges", static_cast<double>(wc.merges), "merges");
  Line("build_events_per_s", n_events / t_pipeline, "events/s (evaluate+apply+flush+write)");
  Line("build_with_processor_events_per_s", n_events / (t_pipeline + t_proc),
       "events/s (processor+evaluate+apply+flush+write)");
  Line("build_wall_seconds", build_wall, "s (incl. generation)");
  Line("build_us_per_event_processor", t_proc / n_events * 1e6, "us");
  Line("build_us_per_event_evaluate", t_eval / n_events * 1e6, "us");
  Line("build_us_per_event_apply", t_apply / n_events * 1e6, "us");
  Line("build_us_per_event_flush", t_flush / n_events * 1e6, "us");
  Line("build_us_per_event_write", t_write / n_events * 1e6, "us");
  Line("build_index_seconds", build_index_s, "s");
  Line("reference_read_seconds", ref_read_s, "s (ProfileReader::ForEach over every profile)");
  Line("reference_matches_seconds", ref_match_s, "s (CompiledSegment::Matches, 5 filters)");
  Line("reference_pass_seconds", copy_s, pg ? "s (incl. COPY)" : "s");
  for (const auto& [what, s] : pg_setup) Line("pg_setup_seconds", s, "s", what);
  double max_save = 0;
  for (const auto& s : saves) {
    Line("create_ms", s.ms, "ms", s.text);
    Line("create_pipeline_ms", s.process_ms, "ms", s.text);
    Line("create_members", static_cast<double>(s.size), "profiles", s.text);
    max_save = std::max(max_save, s.ms);
  }
  Line("create_ms_max", max_save, "ms");
  Line("create_target_met", max_save <= 1000, "bool (<= 1000 ms)");
  bool size_ok = true, ratio_ok = true;
  double worst_ratio = 1e300;
  for (size_t k = 0; k < nf; ++k) {
    const Filter& f = filters[k];
    const double cm = Median(cohort_ms[k]);
    size_ok &= cm <= 50;
    Line("size", static_cast<double>(cohort_count[k]), "profiles", f.text);
    Line("cohort_size_ms_median", cm, "ms", f.text);
    Line("cohort_size_ms_min", Percentile(cohort_ms[k], 0), "ms", f.text);
    Line("cohort_size_ms_max", Percentile(cohort_ms[k], 100), "ms", f.text);
    Line("cohort_compile_ms_median", Median(compile_ms[k]), "ms", f.text);
    if (!pg) continue;
    double best = 1e300;
    for (size_t q = 0; q < f.sql.size(); ++q) {
      const double pm = Median(pg_ms[k][q]);
      best = std::min(best, pm);
      Line("pg_size_ms_median", pm, "ms", std::string(f.text) + " | " + f.sql[q].name);
    }
    Line("pg_best_size_ms_median", best, "ms", f.text);
    Line("ratio_pg_over_cohort", best / cm, "x", f.text);
    worst_ratio = std::min(worst_ratio, best / cm);
    ratio_ok &= best / cm >= 10;
  }
  Line("size_target_met", size_ok, "bool (every median <= 50 ms)");
  for (size_t i = 0; i < atoms.size(); ++i) {
    Line("atom_size_ms_median", atom_ms[i], "ms", atoms[i]);
    Line("atom_size", static_cast<double>(atom_count[i]), "profiles", atoms[i]);
  }
  Line("diag_like_distinct_values_match_ms", diag_like_match_ms, "ms (LikePattern on each email)");
  Line("diag_like_dense_scan_ms", diag_like_scan_ms, "ms (pid -> value-id array scan)");
  Line("diag_like_addmany_ms", diag_like_bitmap_ms, "ms (Roaring::addMany of the matches)");
  if (pg) {
    Line("ratio_min", worst_ratio, "x");
    Line("ratio_target_met", ratio_ok, "bool (every ratio >= 10)");
  }
  // Latency lines for one set of samples; returns p99.
  struct StepStats {
    double p50 = 0, p99 = 0, max = 0;
    Step avg;
  };
  auto stats_of = [](const std::vector<Step>& v) {
    StepStats r;
    std::vector<double> totals;
    for (const auto& st : v) {
      totals.push_back(st.total);
      r.avg.process += st.process;
      r.avg.evaluate += st.evaluate;
      r.avg.apply += st.apply;
      r.avg.flush += st.flush;
      r.avg.audiences += st.audiences;
      r.avg.write += st.write;
    }
    const double n = std::max<size_t>(v.size(), 1);
    r.avg.process /= n;
    r.avg.evaluate /= n;
    r.avg.apply /= n;
    r.avg.flush /= n;
    r.avg.audiences /= n;
    r.avg.write /= n;
    r.p50 = Percentile(totals, 50);
    r.p99 = Percentile(totals, 99);
    r.max = Percentile(totals, 100);
    return r;
  };
  auto report_steps = [&](const std::string& prefix, const std::vector<Step>& v) {
    StepStats r = stats_of(v);
    Line(prefix + "samples", static_cast<double>(v.size()), "events");
    Line(prefix + "latency_ms_p50", r.p50, "ms");
    Line(prefix + "latency_ms_p99", r.p99, "ms");
    Line(prefix + "latency_ms_max", r.max, "ms");
    Line(prefix + "ms_avg_processor", r.avg.process, "ms");
    Line(prefix + "ms_avg_evaluate", r.avg.evaluate, "ms");
    Line(prefix + "ms_avg_apply", r.avg.apply, "ms");
    Line(prefix + "ms_avg_flush", r.avg.flush, "ms");
    Line(prefix + "ms_avg_audiences", r.avg.audiences, "ms (OnProfiles, 6 audiences)");
    Line(prefix + "ms_avg_write_commit", r.avg.write, "ms");
    return r;
  };
  Line("writer_empty_flush_ms", empty_flush_ms, "ms (Flush with nothing dirty, build's writer)");
  const StepStats live = report_steps("change_", steps);
  const StepStats fresh = report_steps("change_fresh_writer_", fresh_steps);
  const double p50 = live.p50, p99 = live.p99;
  Line("change_target_met", p99 <= 50, "bool (p99 <= 50 ms, long-lived writer)");
  Line("engine_memory_bytes_after_index", static_cast<double>(index_bytes), "bytes");
  Line("engine_memory_bytes_with_audiences", static_cast<double>(engine_bytes), "bytes");
  Line("engine_memory_bytes_per_profile", static_cast<double>(engine_bytes) / profiles,
       "bytes/profile");
  Line("rss_index_delta_bytes_per_profile", (static_cast<double>(rss1) - rss0) / profiles,
       "bytes/profile");
  Line("rss_index_and_audiences_delta_bytes_per_profile",
       (static_cast<double>(rss2) - rss0) / profiles, "bytes/profile");
  Line("run_seconds", Seconds(SteadyClock::now() - run_start), "s");
  Line("verified", verified, "bool");

  // Human summary.
  std::fprintf(stderr,
               "\n%u people, %" PRIu64
               " profiles, %zu events; build %.0f events/s (evaluate→"
               "write; %.0f with the processor); BuildIndex %.1f s\n",
               o.people, profiles, n_events, n_events / t_pipeline,
               n_events / (t_pipeline + t_proc), build_index_s);
  std::fprintf(stderr, "create (Save) max %.0f ms [target <= 1000: %s]\n", max_save,
               max_save <= 1000 ? "met" : "MISSED");
  std::fprintf(stderr, "%-78s %9s %9s %10s %8s\n", "filter", "size", "cohort ms", "postgres ms",
               "ratio");
  for (size_t k = 0; k < nf; ++k) {
    double best = 0;
    if (pg) {
      best = 1e300;
      for (const auto& v : pg_ms[k]) best = std::min(best, Median(v));
    }
    const double cm = Median(cohort_ms[k]);
    std::fprintf(stderr, "%-78s %9" PRIu64 " %9.2f %10.1f %7.0fx\n", filters[k].text,
                 cohort_count[k], cm, best, pg ? best / cm : 0.0);
  }
  std::fprintf(stderr,
               "event → membership (long-lived writer): p50 %.2f ms, p99 %.2f ms over %zu events "
               "[target p99 <= 50: %s] (avg processor %.3f, evaluate %.3f, apply %.3f, flush "
               "%.3f, audiences %.3f, write+commit %.3f ms; phase %.1f s)\n",
               p50, p99, steps.size(), p99 <= 50 ? "met" : "MISSED", live.avg.process,
               live.avg.evaluate, live.avg.apply, live.avg.flush, live.avg.audiences,
               live.avg.write, latency_phase_s);
  std::fprintf(stderr,
               "event → membership (fresh writer): p50 %.2f ms, p99 %.2f ms (avg flush %.3f, "
               "apply %.3f, audiences %.3f ms)\n",
               fresh.p50, fresh.p99, fresh.avg.flush, fresh.avg.apply, fresh.avg.audiences);
  std::fprintf(stderr,
               "memory: engine %.0f B/profile (MemoryBytes), RSS growth of BuildIndex %.0f "
               "B/profile, with audiences %.0f B/profile\n",
               static_cast<double>(engine_bytes) / profiles,
               (static_cast<double>(rss1) - rss0) / profiles,
               (static_cast<double>(rss2) - rss0) / profiles);
  std::fprintf(stderr, "answers: %s\n", verified ? "verified" : "WRONG");
  return verified ? 0 : 1;
}

}  // namespace
}  // namespace cohort::bench::aud

int main(int argc, char** argv) {
  using namespace cohort::bench::aud;
  using cohort::bench::ParseFlag;
  Options o;
  o.sql_dir = std::filesystem::path(__FILE__).parent_path().string();
  for (int i = 1; i < argc; ++i) {
    std::string v;
    uint64_t n = 0;
    if (ParseFlag(argv[i], "--people", &n) && n < (1u << 31)) {
      o.people = static_cast<uint32_t>(n);
    } else if (ParseFlag(argv[i], "--rounds", &n) && n < 1000) {
      o.rounds = static_cast<int>(n);
    } else if (ParseFlag(argv[i], "--samples", &n) && n < 1'000'000) {
      o.samples = static_cast<int>(n);
    } else if (ParseFlag(argv[i], "--seed", &n)) {
      o.seed = n;
    } else if (ParseFlag(argv[i], "--pg", &v)) {
      o.pg = v;
    } else if (ParseFlag(argv[i], "--sql-dir", &v)) {
      o.sql_dir = v;
    } else if (ParseFlag(argv[i], "--dir", &v)) {
      o.dir = v;
    } else {
      std::fprintf(stderr,
                   "usage: %s [--people=N] [--rounds=R] [--samples=S] [--seed=S] [--pg=CONNINFO] "
                   "[--sql-dir=DIR] [--dir=PATH]\n",
                   argv[0]);
      return 2;
    }
  }
  if (o.people < 100 || o.rounds < 1 || o.samples < 5) {
    std::fprintf(stderr, "need --people >= 100, --rounds >= 1, --samples >= 5\n");
    return 2;
  }
  return Run(o);
}
