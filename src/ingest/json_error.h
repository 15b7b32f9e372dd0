// Locating the first error in malformed JSON, for messages that say where it is wrong.
// simdjson says *that* a document is malformed; this slower scanner, run only on the error
// path, says *where*.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cohort::ingest {

struct JsonErrorLocation {
  size_t offset = 0;  // byte offset of the first bad byte (or the end, if truncated)
  size_t line = 1;    // 1-based
  size_t column = 1;  // 1-based, in bytes
  std::string what;   // e.g. "expected ',' or '}' after an object member"
};

// Scans one JSON value (with surrounding whitespace) in `text`. Returns false and fills *loc
// when `text` is not exactly one valid JSON value; true otherwise. Nesting deeper than
// `max_depth` is an error too.
bool FindJsonError(std::string_view text, size_t max_depth, JsonErrorLocation* loc);

}  // namespace cohort::ingest
