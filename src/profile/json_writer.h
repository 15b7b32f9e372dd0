// JsonWriter: a small streaming writer of compact JSON text. It puts the commas and colons in,
// escapes strings (replacing invalid UTF-8 with U+FFFD, so the output is always valid JSON),
// and writes numbers the way SPEC §2.5 renders them. It does not sort keys: callers write them
// in the order they want. Misuse (a value in an object without a key, unbalanced End*) is a
// programmer error, checked by assert. Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_text.h"

namespace cohort::profile {

class JsonWriter {
 public:
  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  // The key of the next value; only directly inside an object.
  void Key(std::string_view key);

  void String(std::string_view s);
  void Int(int64_t v);
  void Uint(uint64_t v);
  // Integral values below 2^53 in magnitude without a decimal point ("3", not "3.0"), others
  // in the shortest form that reads back as the same double; NaN and infinities as null.
  void Double(double v);
  void Bool(bool v);
  void Null();

  // The text so far; complete once every Begin* has its End*.
  const std::string& str() const { return out_; }
  std::string Release() && { return std::move(out_); }

 private:
  void BeforeValue();

  std::string out_;
  std::vector<bool> has_element_;  // per open container: something was written in it
  std::vector<bool> is_object_;    // per open container
  bool after_key_ = false;
};

// JSON string escaping is common/json_text.h.
using cohort::AppendJsonString;
// Appends a double as JsonWriter::Double writes it.
void AppendJsonDouble(std::string* out, double v);

}  // namespace cohort::profile
