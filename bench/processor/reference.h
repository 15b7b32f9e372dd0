// The processor benchmark's reference: a deliberately small mapper for the few flat-record
// fields the benchmark checks, written straight from SPEC §4 with Boost.JSON. It shares no
// code with the processor (not simdjson, not common/email.h, not common/time_format.h), so a
// fast but wrong processor fails the run instead of reporting a number.
//
// It only has to be right for the inputs bench/processor/corpus.h generates: integral numeric
// timestamp strings and RFC 3339 timestamps of the form "YYYY-MM-DDTHH:MM:SSZ".
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cohort::bench {

struct ReferenceRecord {
  bool mapped = false;
  std::string event;                 // object_type + "_" + metric
  std::string email;                 // "" when the record has none
  std::string campaign_id;           // "" when the record has none
  std::optional<int64_t> timestamp;  // Unix seconds; nullopt when the record has none
};

// Maps one raw event; an input that is not a JSON object is reported as unmapped.
ReferenceRecord ReferenceMap(std::string_view raw);

// What a full walk over one parsed event must see: every value (objects and arrays included,
// the root too) and the bytes of every key and string value.
struct Shape {
  uint64_t values = 0;
  uint64_t string_bytes = 0;
};

// The Shape of `raw` according to Boost.JSON; all zero if it is not JSON.
Shape ReferenceShape(std::string_view raw);

}  // namespace cohort::bench
