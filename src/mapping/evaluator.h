// Evaluator of the mapping language: runs a compiled Plan on one event and produces the
// field updates and identities of SPEC §5.3–5.4. Stateless; thread-safe for concurrent calls
// on the same Plan.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mapping/compiler.h"
#include "mapping/identity_guard.h"
#include "mapping/value.h"

namespace cohort::mapping {

// One identity of the profile an event belongs to: a BY field and its value.
struct Identity {
  std::string field;
  std::string value;
  bool operator==(const Identity&) const = default;
};

// What one event contributes: the updates of its columns (in column order; columns whose
// value is empty or whose IF does not hold are absent) and its identities (in BY order).
struct Evaluation {
  std::vector<FieldUpdate> updates;
  std::vector<Identity> identities;
  bool operator==(const Evaluation&) const = default;
};

// Nothing if the plan's WHERE does not hold for the event. A BY column whose value the guard
// rejects gives neither an update nor an identity.
std::optional<Evaluation> RunPlan(const Plan& plan, const EvalContext& ctx,
                                  const IdentityGuard& guard);

}  // namespace cohort::mapping
