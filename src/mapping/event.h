// Reading an event's fields for the mapping language: a path of keys from the event's root
// ("data.identifiers.email" is {"data","identifiers","email"}; a whole-number key indexes an
// array: "recipients.0.device_id"), and the JSON value found there as a Datum. This is the
// one place the mapping module reads simdjson values. Pure functions; thread-safe.
#pragma once

#include <span>
#include <string>

#include <simdjson.h>

#include "mapping/datum.h"

namespace cohort::mapping {

// The value at `path` in `root`, or the empty datum if a key is missing or a step is not an
// object (or an array, for a whole-number key). Strings, numbers, bools and null become
// scalars; an array becomes a list of its scalar members; an object a map of its scalar
// members (nested arrays and objects inside are skipped).
Datum LookupField(const simdjson::dom::element& root, std::span<const std::string> path);

// The datum of one JSON value, as LookupField converts it.
Datum DatumFromJson(const simdjson::dom::element& value);

}  // namespace cohort::mapping
