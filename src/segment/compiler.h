// Compiler of the audience language: a BoundFilter → a Program, a tree of matchers ready to
// run on profiles, plus the list of time-relative atoms NextChange needs. Audiences included
// several times are compiled once and shared. A Program is immutable and its matchers keep no
// state, so one Program may evaluate profiles on many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "profile/profile.h"
#include "segment/binder.h"

namespace cohort::segment {

struct EvalContext {
  const profile::Profile& profile;
  int64_t now_ms;
};

class Matcher {
 public:
  virtual ~Matcher() = default;
  virtual bool Match(const EvalContext& ctx) const = 0;
};

// A date value compared with operands relative to now: the field (and key) and the offsets.
// Its answer can change only where now + offset crosses the value.
struct TimeAtom {
  std::string field;
  std::optional<std::string> key;
  std::vector<int64_t> offsets;
};

struct Program {
  std::shared_ptr<const Matcher> root;
  std::vector<TimeAtom> time_atoms;
};

Program CompileProgram(const BoundFilter& filter);

}  // namespace cohort::segment
