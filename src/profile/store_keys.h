// Key layouts of the profile store (docs/storage.md, "Profiles"). Every key carries the
// store generation, so a rebuild writes a new generation beside the serving one and the switch
// is one meta write. Persisted: append-only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "mapping/evaluator.h"
#include "profile/profile.h"

namespace cohort::profile {

// profile family: 'P', gen u32 BE, profile id u64 BE → ProfileRecord.
std::string ProfileKey(uint32_t gen, uint64_t pid);
// profile family: 'O', gen u32 BE, order key → profile id u64 BE. The order key of a profile
// is its smallest identity (IdentityText); listings walk these, so their order depends only
// on the profiles, never on arrival order or ids.
std::string OrderKey(uint32_t gen, std::string_view order);
// identity family: gen u32 BE, field, 0x00, value → profile id u64 BE.
std::string IdentityKey(uint32_t gen, const mapping::Identity& id);
// Prefix covering every key of `gen` in the given family ('P', 'O', or "" for identity).
std::string GenPrefix(char tag, uint32_t gen);
std::string GenPrefixEnd(char tag, uint32_t gen);

// "field\0value": the identity as one comparable string.
std::string IdentityText(const mapping::Identity& id);
// IdentityText(a) < IdentityText(b), without building the strings.
bool IdentityTextLess(const mapping::Identity& a, const mapping::Identity& b);

std::string EncodePid(uint64_t pid);
bool DecodePid(std::string_view v, uint64_t* pid);

// A stored profile: its identities and its fields.
struct ProfileRecord {
  uint64_t id = 0;
  std::vector<mapping::Identity> identities;  // sorted, unique
  Profile profile;
  // The smallest identity; "" if none.
  std::string OrderText() const;
};
// version 1, varint count, (length-prefixed field, value)*, then profile::Encode bytes.
std::string EncodeRecord(const ProfileRecord& r);
StatusOr<ProfileRecord> DecodeRecord(uint64_t pid, std::string_view v);

}  // namespace cohort::profile
