// Evaluator of the audience language: runs a compiled Program on one profile at one instant,
// and finds the next instant its answer changes by time alone. Stateless; thread-safe for
// concurrent calls on the same Program.
#pragma once

#include <cstdint>
#include <optional>

#include "profile/profile.h"
#include "segment/compiler.h"

namespace cohort::segment {

// Most candidate instants NextChange evaluates the filter at before it answers with the next
// candidate unevaluated (an early answer, never a late one).
inline constexpr int kMaxNextChangeProbes = 64;

bool Evaluate(const Program& program, const profile::Profile& profile, int64_t now_ms);

// The earliest instant t > now_ms at which Evaluate(t) differs from Evaluate(now_ms), the
// profile unchanged; nullopt if there is none. How: every time atom compares a date v with
// now + offset, so its answer depends only on the sign of (v - offset) - now and can change
// only at t = v - offset or t = v - offset + 1. Between consecutive such instants every atom,
// hence the filter, is constant, so evaluating the filter at each candidate in order finds
// the first change exactly. After kMaxNextChangeProbes candidates without a change it returns
// the next candidate: earlier than the true change, which is safe for a timer (the caller
// re-evaluates then and asks again).
std::optional<int64_t> NextChange(const Program& program, const profile::Profile& profile,
                                  int64_t now_ms);

}  // namespace cohort::segment
