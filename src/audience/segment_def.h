// A saved audience (SPEC §2.6): its definition and webhook setting, with the persisted
// encoding (meta "segment" slug → record). Plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cohort::audience {

struct SegmentDef {
  uint32_t id = 0;          // internal, never reused; keys membership, changes, timers
  std::string slug;         // [a-z0-9_-]{1,64}
  std::string name;
  std::string description;
  std::string segment_ql;   // the FILTER text
  std::string webhook_url;  // "" = no webhook
  std::string webhook_secret;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

std::string EncodeSegmentDef(const SegmentDef& d);
StatusOr<SegmentDef> DecodeSegmentDef(std::string_view v);

// [a-z0-9_-]{1,64}.
bool ValidSlug(std::string_view slug);

// Keys. membership: segment id u32 BE, profile id u64 BE → "". changes: segment id u32 BE,
// seq u64 BE → change JSON. timers: due ms (order-preserving i64), segment id, profile id → "".
std::string MembershipKey(uint32_t seg, uint64_t pid);
std::string MembershipPrefix(uint32_t seg);
std::string ChangeKey(uint32_t seg, uint64_t seq);
bool DecodeChangeKey(std::string_view k, uint32_t* seg, uint64_t* seq);
std::string TimerKey(int64_t due_ms, uint32_t seg, uint64_t pid);
bool DecodeTimerKey(std::string_view k, int64_t* due_ms, uint32_t* seg, uint64_t* pid);

}  // namespace cohort::audience
