// Command-line flags of the form --name=value, shared by the benchmark binaries.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

namespace cohort::bench {

// True when `arg` is `name=<text>`; *out gets the text.
inline bool ParseFlag(const char* arg, const char* name, std::string* out) {
  const size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0 || arg[n] != '=') return false;
  *out = arg + n + 1;
  return true;
}

// True when `arg` is `name=<decimal digits>`; *out gets the number.
inline bool ParseFlag(const char* arg, const char* name, uint64_t* out) {
  const size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0 || arg[n] != '=') return false;
  char* end = nullptr;
  *out = std::strtoull(arg + n + 1, &end, 10);
  return end && *end == '\0' && end != arg + n + 1;
}

}  // namespace cohort::bench
