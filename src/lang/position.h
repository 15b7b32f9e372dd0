// Source positions for Cohort's languages (the mapping language of SPEC §5 and the audience
// language of SPEC §7). Lines and columns are 1-based; a column counts Unicode code points
// (UTF-8 continuation bytes do not advance it) and a tab counts as one column.
#pragma once

#include <cstddef>
#include <string>

namespace cohort::lang {

struct Position {
  int line = 1;
  int column = 1;

  // "line:column", e.g. "3:14".
  std::string ToString() const;
  bool operator==(const Position&) const = default;
};

}  // namespace cohort::lang
