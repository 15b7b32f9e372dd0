// FlatRecordWriter: builds the compact JSON text of one flat `customerio_events` record.
//
// The record is one JSON object whose values are strings or integers, written in the order
// the caller adds them (processor.cc fixes that order). Output is always valid JSON and valid
// UTF-8: strings are escaped here, and any byte sequence that is not valid UTF-8 is written as
// U+FFFD (the processor's input was already validated by simdjson, so this is a second line of
// defence, not a code path real events take). Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cohort::customerio {

// Appends `s` to `*out` as a JSON string literal, quotes included. `"` and `\` are escaped,
// control characters below U+0020 become \b \f \n \r \t or \u00XX, everything else (including
// '/' and non-ASCII UTF-8) is copied as is; invalid UTF-8 becomes U+FFFD.
void AppendJsonString(std::string* out, std::string_view s);

class FlatRecordWriter {
 public:
  FlatRecordWriter() { out_.push_back('{'); }

  // Adds `"key":"value"`. `key` is written unescaped: it must be a plain ASCII identifier.
  void AddString(std::string_view key, std::string_view value);
  // Adds `"key":value`.
  void AddInt(std::string_view key, int64_t value);

  // Closes the object and returns its text. The writer must not be used afterwards.
  std::string Finish() &&;

 private:
  void AddKey(std::string_view key);

  std::string out_;
  bool empty_ = true;
};

}  // namespace cohort::customerio
