#include "mapping/identity_guard.h"

#include <algorithm>

#include "lang/text.h"

namespace cohort::mapping {

IdentityGuard::IdentityGuard() : IdentityGuard({"", "null", "undefined", "0", "-1"}) {}

IdentityGuard::IdentityGuard(const std::vector<std::string>& ignored_values) {
  for (const std::string& v : ignored_values)
    ignored_.push_back(lang::AsciiLower(lang::TrimSpace(v)));
}

const IdentityGuard& IdentityGuard::Default() {
  static const IdentityGuard* guard = new IdentityGuard();
  return *guard;
}

bool IdentityGuard::Allows(std::string_view value) const {
  std::string v = lang::AsciiLower(lang::TrimSpace(value));
  if (v.empty()) return false;
  return std::find(ignored_.begin(), ignored_.end(), v) == ignored_.end();
}

}  // namespace cohort::mapping
