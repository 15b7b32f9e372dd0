#include "stream/stats.h"

#include <algorithm>

#include "common/coding.h"

namespace cohort::stream {

void StreamStats::Add(const StreamStats& d) {
  event_count += d.event_count;
  bytes += d.bytes;
  duplicate_count += d.duplicate_count;
  rejected_count += d.rejected_count;
  time_fallback_count += d.time_fallback_count;
  unmapped_count += d.unmapped_count;
  if (d.first_received_ms && (!first_received_ms || d.first_received_ms < first_received_ms)) {
    first_received_ms = d.first_received_ms;
  }
  last_received_ms = std::max(last_received_ms, d.last_received_ms);
}

void CatalogAdd(FieldCatalog* c, std::string_view key, std::string_view sample) {
  auto it = c->find(key);
  if (it == c->end()) {
    if (c->size() >= kMaxCatalogFields) return;
    it = c->emplace(std::string(key), FieldInfo{}).first;
  }
  FieldInfo& f = it->second;
  ++f.count;
  if (f.samples.size() < kMaxSamples && sample.size() <= kMaxSampleBytes &&
      std::find(f.samples.begin(), f.samples.end(), sample) == f.samples.end()) {
    f.samples.emplace_back(sample);
  }
}

StreamConfig DefaultStreamConfig(std::string_view stream) {
  StreamConfig c;
  if (stream == "customerio" || stream == "customerio_events") c.timestamp_field = "timestamp";
  return c;
}

bool ValidStreamName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char ch : name) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
  }
  return true;
}

namespace {
Status Corrupt(std::string_view what) {
  return InternalError("stored " + std::string(what) + " is corrupt");
}
}  // namespace

std::string EncodeStats(const StreamStats& s) {
  std::string v;
  v.push_back(1);
  for (uint64_t x : {s.event_count, s.bytes, s.duplicate_count, s.rejected_count,
                     s.time_fallback_count, s.unmapped_count}) {
    PutVarint64(&v, x);
  }
  PutVarsint64(&v, s.first_received_ms);
  PutVarsint64(&v, s.last_received_ms);
  return v;
}

Status DecodeStats(std::string_view v, StreamStats* s) {
  if (v.empty() || v[0] != 1) return Corrupt("stream stats");
  v.remove_prefix(1);
  for (uint64_t* x : {&s->event_count, &s->bytes, &s->duplicate_count, &s->rejected_count,
                      &s->time_fallback_count, &s->unmapped_count}) {
    if (!GetVarint64(&v, x)) return Corrupt("stream stats");
  }
  if (!GetVarsint64(&v, &s->first_received_ms) || !GetVarsint64(&v, &s->last_received_ms)) {
    return Corrupt("stream stats");
  }
  return Status::Ok();
}

std::string EncodeCatalog(const FieldCatalog& c) {
  std::string v;
  v.push_back(1);
  PutVarint64(&v, c.size());
  for (const auto& [k, f] : c) {
    PutLengthPrefixed(&v, k);
    PutVarint64(&v, f.count);
    PutVarint64(&v, f.samples.size());
    for (const auto& s : f.samples) PutLengthPrefixed(&v, s);
  }
  return v;
}

Status DecodeCatalog(std::string_view v, FieldCatalog* c) {
  c->clear();
  if (v.empty() || v[0] != 1) return Corrupt("field catalogue");
  v.remove_prefix(1);
  uint64_t n;
  if (!GetVarint64(&v, &n)) return Corrupt("field catalogue");
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view k;
    FieldInfo f;
    uint64_t ns;
    if (!GetLengthPrefixed(&v, &k) || !GetVarint64(&v, &f.count) || !GetVarint64(&v, &ns) ||
        ns > kMaxSamples) {
      return Corrupt("field catalogue");
    }
    for (uint64_t j = 0; j < ns; ++j) {
      std::string_view s;
      if (!GetLengthPrefixed(&v, &s)) return Corrupt("field catalogue");
      f.samples.emplace_back(s);
    }
    c->emplace(std::string(k), std::move(f));
  }
  return Status::Ok();
}

std::string EncodeConfig(const StreamConfig& c) {
  std::string v;
  v.push_back(1);
  PutLengthPrefixed(&v, c.signing_key);
  PutLengthPrefixed(&v, c.id_field);
  PutLengthPrefixed(&v, c.timestamp_field);
  return v;
}

Status DecodeConfig(std::string_view v, StreamConfig* c) {
  if (v.empty() || v[0] != 1) return Corrupt("stream config");
  v.remove_prefix(1);
  std::string_view a, b, t;
  if (!GetLengthPrefixed(&v, &a) || !GetLengthPrefixed(&v, &b) || !GetLengthPrefixed(&v, &t)) {
    return Corrupt("stream config");
  }
  c->signing_key = a;
  c->id_field = b;
  c->timestamp_field = t;
  return Status::Ok();
}

}  // namespace cohort::stream
