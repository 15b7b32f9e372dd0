// What an audience filter is checked against: the user fields and their kinds (from the
// installed mapping queries, SPEC §5.3) and the saved audiences an INCLUDE may name.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "mapping/value.h"

namespace cohort::segment {

struct Schema {
  // User field → kind. A filter may only name these fields.
  std::map<std::string, mapping::Kind, std::less<>> fields;
  // The filter text of the saved audience `slug`, or nullopt if there is none. INCLUDE
  // inlines that text at compile time, checked against `fields` (so an INCLUDE of a
  // time-relative audience is time-relative too). Empty: no audience may be included.
  // Called only during Compile, on the compiling thread.
  std::function<std::optional<std::string>(std::string_view slug)> segment_text;
};

}  // namespace cohort::segment
