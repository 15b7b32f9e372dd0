// Percent-decoding of request targets (RFC 3986) and query-string parsing
// (application/x-www-form-urlencoded). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace cohort::http {

// Decodes %XX escapes. With `plus_as_space` (query strings), '+' becomes ' '; in paths '+' is
// kept. Returns InvalidArgument, naming the offset, for a '%' not followed by two hex digits.
StatusOr<std::string> PercentDecode(std::string_view in, bool plus_as_space);

// Splits "a=1&b=x+y&c" into decoded pairs in order: {"a","1"}, {"b","x y"}, {"c",""}. Empty
// pieces ("a=1&&b=2") are skipped. Returns InvalidArgument on a malformed escape.
StatusOr<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view query);

struct DecodedTarget {
  std::string path;  // percent-decoded, '+' kept
  std::vector<std::pair<std::string, std::string>> query;
};

// Splits a request target at the first '?' (a '#' fragment, which clients should not send,
// is dropped) and decodes both parts. Returns InvalidArgument on a malformed escape. Note that
// a decoded path no longer tells "%2F" from "/": a route whose segments may hold a '/' should
// split the raw Request::target and PercentDecode each segment.
StatusOr<DecodedTarget> DecodeTarget(std::string_view target);

}  // namespace cohort::http
