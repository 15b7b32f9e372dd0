// Exact comparisons of the values an audience filter compares: numbers (int64 and double
// mixed, without rounding), text (bytewise, as unsigned bytes, like profile::CompareScalar)
// and instants (a field's ms against now plus an offset, without overflow). Shared by the
// binder (checking BETWEEN bounds) and the evaluator. Pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "mapping/value.h"
#include "segment/ast.h"

namespace cohort::segment {

// -1, 0 or 1. Both must be Int or Number (finite).
int CompareNumbers(const mapping::Scalar& a, const mapping::Scalar& b);
int CompareText(std::string_view a, std::string_view b);
// Compares the instant `a` with `base + offset` (ms), exactly.
int CompareInstant(int64_t a, int64_t base, int64_t offset);

// Whether `c` (-1, 0, 1: value against operand) satisfies `op`.
bool Holds(CompareOp op, int c);

}  // namespace cohort::segment
