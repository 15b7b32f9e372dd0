#include "mapping/identity_guard.h"

#include <algorithm>
#include <cctype>

#include "lang/token.h"

namespace cohort::mapping {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

IdentityGuard::IdentityGuard() : IdentityGuard({"", "null", "undefined", "0", "-1"}) {}

IdentityGuard::IdentityGuard(const std::vector<std::string>& ignored_values) {
  for (const std::string& v : ignored_values) ignored_.push_back(lang::AsciiLower(Trim(v)));
}

const IdentityGuard& IdentityGuard::Default() {
  static const IdentityGuard* guard = new IdentityGuard();
  return *guard;
}

bool IdentityGuard::Allows(std::string_view value) const {
  std::string v = lang::AsciiLower(Trim(value));
  if (v.empty()) return false;
  return std::find(ignored_.begin(), ignored_.end(), v) == ignored_.end();
}

}  // namespace cohort::mapping
