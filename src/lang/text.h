// ASCII text helpers shared by the languages: case-insensitive keywords, case functions and
// trimming. ASCII only on purpose: other bytes (UTF-8) pass through unchanged. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace cohort::lang {

// ASCII case-insensitive equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// ASCII lowercase / uppercase copy.
std::string AsciiLower(std::string_view s);
std::string AsciiUpper(std::string_view s);
// `s` without leading and trailing ASCII whitespace.
std::string_view TrimSpace(std::string_view s);

}  // namespace cohort::lang
