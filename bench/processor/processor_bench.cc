// Customer.io processor benchmark (issue 3, "Must show" 4): in one run, over the same corpus,
//   (a) simdjson DOM parsing alone: parse each event and walk every value of it;
//   (b) the processor: customerio::ProcessCustomerIoEvent on each event;
// and the ratio of their throughputs. Both use simdjson's dom::parser::parse on the same
// bytes, so the ratio says what the mapping costs on top of the parse it cannot avoid.
//
// Answers are checked before anything is reported (docs/benchmarks.md):
//   - the walk in (a) must count exactly the values and string bytes Boost.JSON finds;
//   - every output of (b) is compared with bench/processor/reference.h (mapped or not; and
//     event, email, campaign_id, timestamp of each record), and with what the generator knows
//     (each event's event_id, and whether it is mappable); a checksum over the compared fields
//     is printed.
// Any mismatch exits 1 with the first few differences on stderr.
//
// Usage: processor_bench [--events=N (200000)] [--reps=R (5)] [--seed=S (42)]
// Each phase runs once untimed (warm-up), then R times alternating (a) and (b); the reported
// time is the median of the R runs. stdout: one JSON object per line
// ({"bench":"customerio_processor","metric":...,"value":...}); stderr: a human summary.
#include <simdjson.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "../common/flags.h"
#include "corpus.h"
#include "customerio/processor.h"
#include "reference.h"

namespace cohort::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  CorpusOptions corpus;
  int reps = 5;
};

bool ParseOptions(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    uint64_t v = 0;
    if (ParseFlag(argv[i], "--events", &v) && v > 0) {
      o->corpus.events = v;
    } else if (ParseFlag(argv[i], "--reps", &v) && v > 0 && v < 1000) {
      o->reps = static_cast<int>(v);
    } else if (ParseFlag(argv[i], "--seed", &v)) {
      o->corpus.seed = v;
    } else {
      std::fprintf(stderr, "usage: %s [--events=N] [--reps=R] [--seed=S]\n", argv[0]);
      return false;
    }
  }
  return true;
}

void Walk(simdjson::dom::element e, Shape* s) {
  ++s->values;
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: {
      simdjson::dom::object object = e.get_object().value_unsafe();
      for (auto field : object) {
        s->string_bytes += field.key.size();
        Walk(field.value, s);
      }
      break;
    }
    case simdjson::dom::element_type::ARRAY: {
      simdjson::dom::array array = e.get_array().value_unsafe();
      for (simdjson::dom::element child : array) Walk(child, s);
      break;
    }
    case simdjson::dom::element_type::STRING:
      s->string_bytes += e.get_string().value_unsafe().size();
      break;
    default:
      break;
  }
}

// Phase (a). Returns false (with a message) if an event does not parse.
bool ParseAll(const std::vector<std::string>& events, simdjson::dom::parser* parser, Shape* out) {
  Shape s;
  for (const std::string& e : events) {
    simdjson::dom::element root;
    if (auto error = parser->parse(e.data(), e.size()).get(root); error) {
      std::fprintf(stderr, "simdjson cannot parse a corpus event: %s\n%s\n",
                   simdjson::error_message(error), e.c_str());
      return false;
    }
    Walk(root, &s);
  }
  *out = s;
  return true;
}

// Phase (b). `results` is filled in corpus order; false if the processor refused an event.
bool ProcessAll(const std::vector<std::string>& events,
                std::vector<customerio::ProcessResult>* results) {
  for (const std::string& e : events) {
    auto r = customerio::ProcessCustomerIoEvent(e);
    if (!r.ok()) {
      std::fprintf(stderr, "the processor refused a corpus event: %s\n%s\n",
                   r.status().ToString().c_str(), e.c_str());
      return false;
    }
    results->push_back(std::move(*r));
  }
  return true;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// FNV-1a over the checked fields of one record, folded into `h`.
void Fold(uint64_t* h, const ReferenceRecord& r) {
  auto add = [h](std::string_view s) {
    for (unsigned char c : s) *h = (*h ^ c) * 1099511628211ULL;
    *h = (*h ^ 0xff) * 1099511628211ULL;  // field separator
  };
  add(r.mapped ? r.event : "<unmapped>");
  add(r.email);
  add(r.campaign_id);
  add(r.timestamp ? std::to_string(*r.timestamp) : "");
}

// The checked fields of a processor result, read back from its record_json.
ReferenceRecord Observed(const customerio::ProcessResult& p, std::string* problem) {
  ReferenceRecord r;
  if (p.outcome != customerio::ProcessResult::Outcome::kMapped) return r;
  r.mapped = true;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(p.record_json, ec);
  if (ec || !v.is_object()) {
    *problem = "record_json is not a JSON object: " + p.record_json;
    return r;
  }
  const boost::json::object& o = v.as_object();
  auto str = [&o](std::string_view key) -> std::string {
    const boost::json::value* f = o.if_contains(key);
    return f && f->is_string() ? std::string(f->as_string()) : "";
  };
  r.event = str("event");
  if (r.event != str("object_type") + "_" + str("metric")) {
    *problem = "event is not object_type_metric: " + p.record_json;
  }
  r.email = str("email");
  r.campaign_id = str("campaign_id");
  if (const boost::json::value* ts = o.if_contains("timestamp")) {
    if (ts->is_int64()) {
      r.timestamp = ts->as_int64();
    } else {
      *problem = "timestamp is not an integer: " + p.record_json;
    }
  }
  if (r.timestamp != p.timestamp_s) {
    *problem = "record timestamp and timestamp_s differ: " + p.record_json;
  }
  return r;
}

std::string Describe(const ReferenceRecord& r) {
  if (!r.mapped) return "unmapped";
  return "event=" + r.event + " email=" + r.email + " campaign_id=" + r.campaign_id +
         " timestamp=" + (r.timestamp ? std::to_string(*r.timestamp) : "none");
}

void Line(const char* metric, double value, const char* unit) {
  std::printf(
      "{\"bench\":\"customerio_processor\",\"metric\":\"%s\",\"value\":%.6g,\"unit\":\"%s\"}\n",
      metric, value, unit);
}

void Line(const char* metric, const std::string& value) {
  std::printf("{\"bench\":\"customerio_processor\",\"metric\":\"%s\",\"value\":\"%s\"}\n", metric,
              value.c_str());
}

int Run(const Options& o) {
  auto t0 = Clock::now();
  Corpus corpus = GenerateCorpus(o.corpus);
  const size_t n = corpus.events.size();
  std::fprintf(stderr,
               "corpus: %zu events (%zu current, %zu legacy, %zu unmappable), %.1f MB, "
               "%.0f bytes/event, generated in %.2f s\n",
               n, corpus.current, corpus.legacy, corpus.unmappable, corpus.bytes / 1e6,
               static_cast<double>(corpus.bytes) / n,
               std::chrono::duration<double>(Clock::now() - t0).count());

  // The references, untimed.
  Shape want_shape;
  std::vector<ReferenceRecord> want(n);
  size_t want_mapped = 0;
  uint64_t want_sum = 14695981039346656037ULL;
  for (size_t i = 0; i < n; ++i) {
    Shape s = ReferenceShape(corpus.events[i]);
    want_shape.values += s.values;
    want_shape.string_bytes += s.string_bytes;
    want[i] = ReferenceMap(corpus.events[i]);
    want_mapped += want[i].mapped;
    Fold(&want_sum, want[i]);
  }
  if (want_mapped != corpus.current + corpus.legacy) {
    std::fprintf(stderr, "FAILED: the reference maps %zu events, the corpus made %zu mappable\n",
                 want_mapped, corpus.current + corpus.legacy);
    return 1;
  }

  simdjson::dom::parser parser;
  std::vector<customerio::ProcessResult> results;
  results.reserve(n);
  Shape shape;
  std::vector<double> parse_s, process_s;
  for (int rep = -1; rep < o.reps; ++rep) {  // rep -1 is the warm-up
    auto a = Clock::now();
    if (!ParseAll(corpus.events, &parser, &shape)) return 1;
    auto b = Clock::now();
    results.clear();  // frees the previous run's records outside the timed section
    auto c = Clock::now();
    if (!ProcessAll(corpus.events, &results)) return 1;
    auto d = Clock::now();
    if (rep < 0) continue;
    parse_s.push_back(std::chrono::duration<double>(b - a).count());
    process_s.push_back(std::chrono::duration<double>(d - c).count());
  }

  // Check the answers of the last run.
  if (shape.values != want_shape.values || shape.string_bytes != want_shape.string_bytes) {
    std::fprintf(stderr,
                 "FAILED: the parse walk saw %llu values / %llu string bytes, Boost.JSON %llu / "
                 "%llu\n",
                 static_cast<unsigned long long>(shape.values),
                 static_cast<unsigned long long>(shape.string_bytes),
                 static_cast<unsigned long long>(want_shape.values),
                 static_cast<unsigned long long>(want_shape.string_bytes));
    return 1;
  }
  size_t mapped = 0, mismatches = 0;
  uint64_t sum = 14695981039346656037ULL;
  for (size_t i = 0; i < n; ++i) {
    std::string problem;
    ReferenceRecord got = Observed(results[i], &problem);
    mapped += got.mapped;
    Fold(&sum, got);
    const ReferenceRecord& w = want[i];
    if (problem.empty() &&
        (got.mapped != w.mapped || got.event != w.event || got.email != w.email ||
         got.campaign_id != w.campaign_id || got.timestamp != w.timestamp)) {
      problem = "processor: " + Describe(got) + "\n  reference: " + Describe(w);
    }
    if (problem.empty() && results[i].event_id != corpus.ids[i]) {
      problem = "event_id " + results[i].event_id + ", generated " + corpus.ids[i];
    }
    if (problem.empty() && got.mapped != corpus.mappable[i]) {
      problem = std::string("the generator made this event ") +
                (corpus.mappable[i] ? "mappable" : "unmappable");
    }
    if (!problem.empty() && ++mismatches <= 5) {
      std::fprintf(stderr, "MISMATCH event %zu: %s\n  input: %s\n", i, problem.c_str(),
                   corpus.events[i].c_str());
    }
  }
  if (mismatches || mapped != want_mapped || sum != want_sum) {
    std::fprintf(stderr,
                 "FAILED: %zu of %zu events differ from the reference (mapped %zu, "
                 "reference %zu)\n",
                 mismatches, n, mapped, want_mapped);
    return 1;
  }

  const double parse_t = Median(parse_s), process_t = Median(process_s);
  const double parse_eps = n / parse_t, process_eps = n / process_t;
  char checksum[17];
  std::snprintf(checksum, sizeof checksum, "%016llx", static_cast<unsigned long long>(sum));
  Line("corpus_events", static_cast<double>(n), "events");
  Line("corpus_bytes", static_cast<double>(corpus.bytes), "bytes");
  Line("corpus_legacy_events", static_cast<double>(corpus.legacy), "events");
  Line("corpus_unmappable_events", static_cast<double>(corpus.unmappable), "events");
  Line("reps", o.reps, "runs");
  Line("parse_events_per_s", parse_eps, "events/s");
  Line("parse_mb_per_s", corpus.bytes / parse_t / 1e6, "MB/s");
  Line("processor_events_per_s", process_eps, "events/s");
  Line("processor_mb_per_s", corpus.bytes / process_t / 1e6, "MB/s");
  Line("processor_to_parse_ratio", process_eps / parse_eps, "processor events/s / parse events/s");
  Line("mapped_events", static_cast<double>(mapped), "events");
  Line("checksum", checksum);
  Line("verified", 1, "bool");
  std::fprintf(stderr,
               "parse (simdjson DOM + walk): %.0f events/s, %.0f MB/s (median of %d)\n"
               "processor:                   %.0f events/s, %.0f MB/s\n"
               "processor / parse:           %.3f\n"
               "verified: %zu mapped events match the reference, checksum %s\n",
               parse_eps, corpus.bytes / parse_t / 1e6, o.reps, process_eps,
               corpus.bytes / process_t / 1e6, process_eps / parse_eps, mapped, checksum);
  return 0;
}

}  // namespace
}  // namespace cohort::bench

int main(int argc, char** argv) {
  cohort::bench::Options o;
  if (!cohort::bench::ParseOptions(argc, argv, &o)) return 2;
  return cohort::bench::Run(o);
}
