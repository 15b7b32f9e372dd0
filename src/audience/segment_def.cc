#include "audience/segment_def.h"

#include "common/coding.h"

namespace cohort::audience {

std::string EncodeSegmentDef(const SegmentDef& d) {
  std::string v;
  v.push_back(1);
  PutVarint64(&v, d.id);
  for (const std::string* s : {&d.slug, &d.name, &d.description, &d.segment_ql, &d.webhook_url,
                               &d.webhook_secret}) {
    PutLengthPrefixed(&v, *s);
  }
  PutVarsint64(&v, d.created_ms);
  PutVarsint64(&v, d.updated_ms);
  return v;
}

StatusOr<SegmentDef> DecodeSegmentDef(std::string_view v) {
  SegmentDef d;
  uint64_t id;
  if (v.empty() || v[0] != 1) return InternalError("stored segment has an unknown version");
  v.remove_prefix(1);
  if (!GetVarint64(&v, &id)) return InternalError("stored segment is corrupt");
  d.id = static_cast<uint32_t>(id);
  for (std::string* s : {&d.slug, &d.name, &d.description, &d.segment_ql, &d.webhook_url,
                         &d.webhook_secret}) {
    std::string_view x;
    if (!GetLengthPrefixed(&v, &x)) return InternalError("stored segment is corrupt");
    *s = x;
  }
  if (!GetVarsint64(&v, &d.created_ms) || !GetVarsint64(&v, &d.updated_ms)) {
    return InternalError("stored segment is corrupt");
  }
  return d;
}

bool ValidSlug(std::string_view slug) {
  if (slug.empty() || slug.size() > 64) return false;
  for (char c : slug) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

std::string MembershipPrefix(uint32_t seg) {
  std::string k;
  PutBigEndian32(&k, seg);
  return k;
}

std::string MembershipKey(uint32_t seg, uint64_t pid) {
  std::string k = MembershipPrefix(seg);
  PutBigEndian64(&k, pid);
  return k;
}

std::string ChangeKey(uint32_t seg, uint64_t seq) {
  std::string k;
  PutBigEndian32(&k, seg);
  PutBigEndian64(&k, seq);
  return k;
}

bool DecodeChangeKey(std::string_view k, uint32_t* seg, uint64_t* seq) {
  return k.size() == 12 && GetBigEndian32(&k, seg) && GetBigEndian64(&k, seq);
}

std::string TimerKey(int64_t due_ms, uint32_t seg, uint64_t pid) {
  std::string k;
  PutOrderedInt64(&k, due_ms);
  PutBigEndian32(&k, seg);
  PutBigEndian64(&k, pid);
  return k;
}

bool DecodeTimerKey(std::string_view k, int64_t* due_ms, uint32_t* seg, uint64_t* pid) {
  return k.size() == 20 && GetOrderedInt64(&k, due_ms) && GetBigEndian32(&k, seg) &&
         GetBigEndian64(&k, pid);
}

}  // namespace cohort::audience
