// IdentityGuard: the guard rail of SPEC §5.4 — values that are obviously not identities
// (by default "", "null", "undefined", "0", "-1") are never identities. Values are compared
// after trimming spaces and ignoring ASCII case ("NULL", " Undefined "). Immutable after
// construction; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cohort::mapping {

class IdentityGuard {
 public:
  // The default list: "", "null", "undefined", "0", "-1".
  IdentityGuard();
  // Exactly these values (and the empty value, which is never an identity) are ignored.
  explicit IdentityGuard(const std::vector<std::string>& ignored_values);

  // A process-wide guard with the default list; never destroyed.
  static const IdentityGuard& Default();

  // Whether `value` may be an identity.
  bool Allows(std::string_view value) const;

  const std::vector<std::string>& ignored_values() const { return ignored_; }

 private:
  std::vector<std::string> ignored_;  // trimmed, lowercased
};

}  // namespace cohort::mapping
