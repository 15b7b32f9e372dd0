// Per-stream counters, field catalogue and configuration, with their persisted encodings.
// Plain values; the StreamCatalog owns the live copies.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cohort::stream {

struct StreamStats {
  uint64_t event_count = 0;      // events stored
  uint64_t bytes = 0;            // raw JSON bytes stored
  uint64_t duplicate_count = 0;  // events acknowledged but not stored again (same id)
  uint64_t rejected_count = 0;   // array items / NDJSON lines that were not JSON objects
  uint64_t time_fallback_count = 0;  // unparsable timestamps replaced by the receive time
  uint64_t unmapped_count = 0;   // events a processor could not map (stored raw only)
  int64_t first_received_ms = 0; // 0 until the first event
  int64_t last_received_ms = 0;

  // Adds every counter of `d`; first/last received take min/max of the non-zero values.
  void Add(const StreamStats& d);
  bool operator==(const StreamStats&) const = default;
};

// The field catalogue: every top-level key seen, how often, and up to kMaxSamples distinct
// sample values (as JSON text, each at most kMaxSampleBytes).
struct FieldInfo {
  uint64_t count = 0;
  std::vector<std::string> samples;
  bool operator==(const FieldInfo&) const = default;
};
using FieldCatalog = std::map<std::string, FieldInfo, std::less<>>;
inline constexpr size_t kMaxSamples = 5;
inline constexpr size_t kMaxSampleBytes = 120;
// Keys beyond this many per stream are not catalogued (a guard against unbounded key sets).
inline constexpr size_t kMaxCatalogFields = 1000;

// Records one occurrence of `key` with sample JSON text `sample`.
void CatalogAdd(FieldCatalog* c, std::string_view key, std::string_view sample);

struct StreamConfig {
  std::string signing_key;               // empty: signatures are not checked
  std::string id_field = "event_id";     // top-level field used for de-duplication
  std::string timestamp_field;           // top-level field holding the event time; "" = none
  bool operator==(const StreamConfig&) const = default;
};
// The default config of a new stream: customerio and customerio_events use "timestamp".
StreamConfig DefaultStreamConfig(std::string_view stream);

// A stream name is [a-z0-9_]{1,64} (SPEC §1).
bool ValidStreamName(std::string_view name);

std::string EncodeStats(const StreamStats& s);
Status DecodeStats(std::string_view v, StreamStats* s);
std::string EncodeCatalog(const FieldCatalog& c);
Status DecodeCatalog(std::string_view v, FieldCatalog* c);
std::string EncodeConfig(const StreamConfig& c);
Status DecodeConfig(std::string_view v, StreamConfig* c);

}  // namespace cohort::stream
