#include "segment/evaluator.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "segment/field_access.h"

namespace cohort::segment {

bool Evaluate(const Program& program, const profile::Profile& profile, int64_t now_ms) {
  return program.root->Match(EvalContext{profile, now_ms});
}

std::optional<int64_t> NextChange(const Program& program, const profile::Profile& profile,
                                  int64_t now_ms) {
  if (program.time_atoms.empty()) return std::nullopt;
  std::vector<int64_t> candidates;
  for (const TimeAtom& a : program.time_atoms) {
    const profile::FieldState* s = profile.Find(a.field);
    if (s == nullptr) continue;
    mapping::Scalar scratch;
    const mapping::Scalar* v = a.key ? MapValueOf(*s, *a.key, &scratch) : ScalarOf(*s, &scratch);
    if (v == nullptr || v->type != mapping::Scalar::Type::kInt) continue;
    for (int64_t off : a.offsets) {
      const __int128 x = static_cast<__int128>(v->i) - off;
      for (__int128 c : {x, x + 1}) {
        if (c > now_ms && c <= std::numeric_limits<int64_t>::max()) {
          candidates.push_back(static_cast<int64_t>(c));
        }
      }
    }
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  const bool base = Evaluate(program, profile, now_ms);
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (i >= static_cast<size_t>(kMaxNextChangeProbes)) return candidates[i];
    if (Evaluate(program, profile, candidates[i]) != base) return candidates[i];
  }
  return std::nullopt;
}

}  // namespace cohort::segment
