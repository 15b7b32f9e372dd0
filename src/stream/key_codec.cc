#include "stream/key_codec.h"

#include "common/coding.h"

namespace cohort::stream {

std::string LogKey(uint64_t seq) {
  std::string k;
  PutBigEndian64(&k, seq);
  return k;
}

bool DecodeLogKey(std::string_view key, uint64_t* seq) {
  return key.size() == 8 && GetBigEndian64(&key, seq);
}

std::string StreamIndexKey(uint32_t stream_id, uint64_t seq) {
  std::string k;
  PutBigEndian32(&k, stream_id);
  PutBigEndian64(&k, seq);
  return k;
}

bool DecodeStreamIndexKey(std::string_view key, uint32_t* stream_id, uint64_t* seq) {
  return key.size() == 12 && GetBigEndian32(&key, stream_id) && GetBigEndian64(&key, seq);
}

std::string DedupKey(uint32_t stream_id, std::string_view event_id) {
  std::string k;
  PutBigEndian32(&k, stream_id);
  k.append(event_id);
  return k;
}

std::string DedupValue(int64_t received_at_ms, uint64_t seq) {
  std::string v;
  PutBigEndian64(&v, static_cast<uint64_t>(received_at_ms));
  PutVarint64(&v, seq);
  return v;
}

bool DecodeDedupValue(std::string_view v, int64_t* received_at_ms, uint64_t* seq) {
  uint64_t t;
  if (!GetBigEndian64(&v, &t) || !GetVarint64(&v, seq)) return false;
  *received_at_ms = static_cast<int64_t>(t);
  return true;
}

std::string MetaKey(std::string_view kind, std::string_view name) {
  std::string k(kind);
  k.push_back('\0');
  k.append(name);
  return k;
}

std::string MetaPrefix(std::string_view kind) { return MetaKey(kind, ""); }

std::string StreamIdName(uint32_t stream_id) {
  std::string k;
  PutBigEndian32(&k, stream_id);
  return k;
}

void EncodeLogRecordHeader(const LogRecord& r, std::string* v) {
  v->push_back(1);
  PutVarint64(v, r.stream_id);
  PutVarsint64(v, r.received_at_ms);
  PutVarsint64(v, r.event_time_ms);
  v->push_back(static_cast<char>(r.flags));
}

std::string EncodeLogRecord(const LogRecord& r) {
  std::string v;
  v.reserve(r.raw.size() + 24);
  EncodeLogRecordHeader(r, &v);
  v.append(r.raw);
  return v;
}

Status DecodeLogRecord(std::string_view value, LogRecord* r) {
  if (value.empty() || value[0] != 1) {
    return InternalError("log record has an unknown version byte; the data directory was "
                         "written by a newer Cohort or is corrupt");
  }
  value.remove_prefix(1);
  uint64_t id;
  if (!GetVarint64(&value, &id) || !GetVarsint64(&value, &r->received_at_ms) ||
      !GetVarsint64(&value, &r->event_time_ms) || value.empty()) {
    return InternalError("log record is truncated; the data directory is corrupt");
  }
  r->stream_id = static_cast<uint32_t>(id);
  r->flags = static_cast<uint8_t>(value[0]);
  value.remove_prefix(1);
  r->raw = value;
  return Status::Ok();
}

}  // namespace cohort::stream
