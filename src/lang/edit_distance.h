// Edit distance for "did you mean ...?" hints in the languages' error messages. Pure
// functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cohort::lang {

// Levenshtein distance (insertions, deletions, substitutions of bytes).
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate nearest to `word` if its distance is below `limit` (ties: the first one).
std::optional<std::string> Nearest(std::string_view word,
                                   const std::vector<std::string_view>& candidates,
                                   size_t limit = 3);

}  // namespace cohort::lang
