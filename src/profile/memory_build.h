// Building profiles from evaluations entirely in memory, with the same identity rules as
// ProfileWriter (connected components of identities; fields merged by their ops). Used by
// POST /api/query/_test and as the reference in tests. Pure; thread-safe.
#pragma once

#include <vector>

#include "mapping/evaluator.h"
#include "profile/store_keys.h"

namespace cohort::profile {

// Profiles in listing order (by smallest identity); evaluations without identity are skipped.
std::vector<ProfileRecord> BuildProfilesInMemory(const std::vector<mapping::Evaluation>& evals,
                                                 const FieldOptions& options = {});

}  // namespace cohort::profile
