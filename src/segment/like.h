// LIKE patterns of the audience language: `*` matches any run of characters (also none);
// every other character matches itself, ignoring ASCII case ("gmail*" matches "GMail.com";
// other bytes, e.g. UTF-8 letters, must match exactly). The whole text must match: "*sale*"
// finds "sale" anywhere, "sale*" only at the start. A backslash makes the next character
// literal: `\*` is a star, `\\` a backslash (written "\\*" and "\\\\" inside a quoted
// string). An immutable value; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cohort::segment {

class LikePattern {
 public:
  explicit LikePattern(std::string_view pattern);
  bool Matches(std::string_view text) const;

 private:
  // The literal pieces between stars, lowercased. pieces_.size() == stars + 1.
  std::vector<std::string> pieces_;
};

}  // namespace cohort::segment
