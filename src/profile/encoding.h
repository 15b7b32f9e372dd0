// The binary encoding of a Profile, as stored by the profile store. The byte layout is
// written up in docs/profile.md ("Binary encoding"); this file and encoding.cc are its only
// implementation.
//
// The encoding is canonical: equal profiles encode to equal bytes, and Decode accepts only
// what Encode produces (apart from over-long varints), so a stored profile can be compared
// by its bytes. Persisted: the version byte and every tag are append-only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "profile/profile.h"

namespace cohort::profile {

// First byte of every encoded profile. Do not reuse old values.
inline constexpr uint8_t kProfileEncodingVersion = 1;

std::string Encode(const Profile& profile);
// Appends Encode(profile) to *out.
void EncodeTo(const Profile& profile, std::string* out);

// Never crashes and never reads outside `data`, whatever it holds. On any malformed input
// (truncated, trailing bytes, unknown version/kind/op, unsorted names, a state breaking an
// invariant) returns kInternal "corrupt profile encoding at byte N: ...", where N is the
// offset at which reading failed (for a broken state, the offset of its field's name).
StatusOr<Profile> Decode(std::string_view data);

}  // namespace cohort::profile
