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

#include "common/json_text.h"

namespace cohort::customerio {

// JSON string escaping is common/json_text.h.
using cohort::AppendJsonString;

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
