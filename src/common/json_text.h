// JSON string escaping shared by every hand-written JSON writer (profiles, flat records).
#pragma once

#include <string>
#include <string_view>

namespace cohort {

// Appends `s` as a quoted JSON string: canonical escapes ("\\", "\"", \b \f \n \r \t,
// \u00XX for other control characters), UTF-8 copied as is, and every byte that is not part
// of valid UTF-8 replaced by U+FFFD, so the output is always valid JSON.
void AppendJsonString(std::string* out, std::string_view s);

}  // namespace cohort
