// Rendering profiles as JSON (SPEC §2.5): `date` and map[string]time values as RFC 3339 UTC
// strings, []string as a sorted array, maps as objects, numbers as numbers (integers without a
// decimal point), keys sorted. Output depends only on the profile, so equal profiles render
// to identical text. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "profile/field_state.h"
#include "profile/json_writer.h"
#include "profile/profile.h"

namespace cohort::profile {


// Writes the field's current value as one JSON value.
void WriteFieldValue(const FieldState& state, JsonWriter* writer);

// Writes "name": value for every field, sorted by name, into an object the caller has begun
// (so that it can add keys of its own, like "_segments").
void WriteProfileFields(const Profile& profile, JsonWriter* writer);

// The profile as one JSON object: {"field": value, ...}.
std::string RenderProfileJson(const Profile& profile);

}  // namespace cohort::profile
