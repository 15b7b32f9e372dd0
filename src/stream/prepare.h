// Preparing one JSON object for the log: its id (the stream's id field), its event time (the
// timestamp field, SPEC §3.3) and its top-level keys with samples for the field catalogue.
// Shared by ingest (bodies from HTTP) and processors (records they derive).
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "common/status.h"
#include "stream/log_writer.h"
#include "stream/stats.h"

namespace cohort::stream {

// `obj` must be an object; `raw` is the text to store.
void PrepareEvent(simdjson::dom::element obj, std::string raw, const StreamConfig& config,
                  int64_t received_at_ms, PreparedEvent* out);

// Parses `json` (one object) with a thread-local parser and prepares it.
StatusOr<PreparedEvent> PrepareEventText(std::string_view json, const StreamConfig& config,
                                         int64_t received_at_ms);

}  // namespace cohort::stream
