// A deterministic corpus of Customer.io webhook events: both payload formats of SPEC §4, sizes
// like ../shared/fixtures/customerio (mostly 250-600 bytes; a few carry an HTML `content` of
// up to ~1.5 KB), with the awkward cases mixed in at fixed rates: ids as numbers and strings,
// numeric-string / millisecond / fractional / RFC 3339 / "abc" / null / missing timestamps,
// `"Name <ADDR>"`, mixed-case, null and non-address emails, push `recipients` arrays, `in-app`,
// unknown metrics, legacy events with only `variables.campaign.id`, missing `data`, and about
// 1% events that cannot be mapped. Every event has a unique `event_id` (the index is encoded
// in it), so the corpus can also be posted to a server without any being a duplicate.
//
// Same options, same corpus (std::mt19937_64). Thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cohort::bench {

struct CorpusOptions {
  // Number of events. Default: 200,000.
  size_t events = 200000;
  // PRNG seed; also mixed into the event ids, so two corpora with different seeds share none.
  // Default: 42.
  uint64_t seed = 42;
};

struct Corpus {
  std::vector<std::string> events;  // one compact JSON object each, no newline
  std::vector<std::string> ids;     // the event_id of events[i] as text (numbers in decimal)
  std::vector<bool> mappable;       // whether events[i] is in a format the processor maps
  size_t bytes = 0;                 // total size of `events`
  size_t current = 0;               // events in the current (object_type/metric) format
  size_t legacy = 0;                // events in the legacy (event_type) format
  size_t unmappable = 0;            // neither: the processor must leave these unmapped
};

Corpus GenerateCorpus(const CorpusOptions& options);

}  // namespace cohort::bench
