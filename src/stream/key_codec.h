// Key and value layouts of the stream log (docs/storage.md). Keys are big-endian so that
// RocksDB's bytewise order is numeric order. Persisted: append-only, never renumber.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cohort::stream {

// log: seq (u64 BE).
std::string LogKey(uint64_t seq);
bool DecodeLogKey(std::string_view key, uint64_t* seq);

// stream_index: stream id (u32 BE), seq (u64 BE).
std::string StreamIndexKey(uint32_t stream_id, uint64_t seq);
bool DecodeStreamIndexKey(std::string_view key, uint32_t* stream_id, uint64_t* seq);

// dedup: stream id (u32 BE), event id bytes.
std::string DedupKey(uint32_t stream_id, std::string_view event_id);
// dedup value: received_at (u64 BE ms, read by the expiry compaction filter), seq (varint).
std::string DedupValue(int64_t received_at_ms, uint64_t seq);
bool DecodeDedupValue(std::string_view v, int64_t* received_at_ms, uint64_t* seq);

// meta: kind, 0x00, name. Kinds in use: "stream" (name → id), "stats" (id → StreamStats),
// "fields" (id → field catalogue), "config" (id → StreamConfig), "token" (id → token),
// "checkpoint" (consumer name → seq). A prefix scan of one kind uses MetaPrefix(kind).
std::string MetaKey(std::string_view kind, std::string_view name);
std::string MetaPrefix(std::string_view kind);
std::string StreamIdName(uint32_t stream_id);  // 4 bytes BE, for MetaKey names

// One event in the log.
struct LogRecord {
  uint32_t stream_id = 0;
  int64_t received_at_ms = 0;
  int64_t event_time_ms = 0;
  uint8_t flags = 0;  // bit 0: the event time fell back to the receive time
  std::string_view raw;  // the exact JSON text as received; points into the encoded value
};
inline constexpr uint8_t kFlagTimeFallback = 1;

// Value: version byte (1), varint stream id, zig-zag received_at, zig-zag event_time, flags,
// raw JSON bytes to the end.
std::string EncodeLogRecord(const LogRecord& r);
// Appends the value's bytes before the raw JSON (version .. flags) to *out; `r.raw` unused.
// EncodeLogRecord(r) == header + r.raw.
void EncodeLogRecordHeader(const LogRecord& r, std::string* out);
// `r.raw` points into `value`, which must outlive it.
Status DecodeLogRecord(std::string_view value, LogRecord* r);

}  // namespace cohort::stream
