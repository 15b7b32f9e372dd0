// Conversions between scalars, and from a run-time Datum to the Value of a field kind. These
// define how loosely typed event JSON meets the typed fields of SPEC §5.3 (docs/mapping.md,
// "Kinds and conversions"). A conversion that is not possible gives nothing (std::nullopt or
// an empty Value), never an error: one odd event must not stop the pipeline. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mapping/datum.h"
#include "mapping/value.h"

namespace cohort::mapping {

// Shortest text that reads back as the same double; integral values without ".0" (3, not 3.0).
std::string FormatNumber(double d);

// Text of a scalar: strings as they are, ints in decimal, numbers by FormatNumber, bools as
// "true"/"false". Null gives "".
std::string ScalarText(const Scalar& s);

// A whole decimal integer or a finite number in `text` (surrounding spaces allowed).
std::optional<Scalar> ParseNumericText(std::string_view text);

// Integer value: ints as they are; finite numbers truncated toward zero (if in range); numeric
// strings likewise; bools as 1/0.
std::optional<int64_t> ToInt(const Scalar& s);
// Number value: ints and numbers; numeric strings; bools as 1/0.
std::optional<double> ToNumber(const Scalar& s);
// Bool value: bools; ints and numbers (non-zero is true); strings "true"/"false"/"1"/"0"
// (ASCII case-insensitive, surrounding spaces allowed).
std::optional<bool> ToBool(const Scalar& s);

// The scalar of a scalar kind (string, int, number, bool, date) for `s`, or null if it does
// not convert. For kDate, `is_ms` says the value already is milliseconds (epochms(), now(),
// todate()); otherwise ParseTimeMs's rules apply (seconds or ms by magnitude, RFC 3339).
Scalar ToKindScalar(const Scalar& s, Kind kind, bool is_ms);

// The value a column of `kind` gets from `d` (see docs/mapping.md): scalars convert with
// ToKindScalar; []string takes a scalar as one member or a list's members (as text, empties
// and duplicates dropped); map[string]intsum counts a scalar or each list member as {x:1};
// map kinds take a map's entries with values converted per kind. Entries whose key or value is
// empty are dropped. An op of kCount turns any non-empty value into the scalar 1.
Value ToValue(const Datum& d, Kind kind, MergeOp op, bool is_ms);

}  // namespace cohort::mapping
