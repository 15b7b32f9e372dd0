// Splitting a collect body into events (SPEC §2.2): one JSON object, a JSON array of objects,
// or NDJSON (one object per line), and preparing each event for the log (id, event time,
// catalogue samples).
//
// Thread-compatible: a BodyParser holds a reusable simdjson parser; use one per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "stream/log_writer.h"
#include "stream/stats.h"

namespace cohort::ingest {

struct ParsedBody {
  std::vector<stream::PreparedEvent> events;
  uint64_t rejected = 0;
  // Why the first rejected item was refused (for the 400 when nothing is usable).
  std::string first_error;
};

class BodyParser {
 public:
  BodyParser();
  ~BodyParser();

  // Splits `body` and prepares every object with `config` (id and timestamp fields) and the
  // receive time. kInvalidArgument when the body holds no usable event, with the reason and
  // the offset (byte, line, column) of the first problem.
  StatusOr<ParsedBody> Parse(std::string_view body, const stream::StreamConfig& config,
                             int64_t received_at_ms);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Nesting deeper than this is refused (a guard against stack-exhausting bodies).
inline constexpr size_t kMaxJsonDepth = 64;

}  // namespace cohort::ingest
