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
#include <vector>

#include "common/json_text.h"

namespace cohort::customerio {

// JSON string escaping is common/json_text.h.
using cohort::AppendJsonString;

// One field of a finished record: its key and where its value's JSON text lies in the record.
struct FlatField {
  std::string_view key;  // the key passed to Add* (callers pass string literals)
  size_t value_begin = 0;
  size_t value_size = 0;
};

class FlatRecordWriter {
 public:
  FlatRecordWriter() { out_.push_back('{'); }

  // Adds `"key":"value"`. `key` is written unescaped: it must be a plain ASCII identifier.
  void AddString(std::string_view key, std::string_view value);
  // Adds `"key":value`.
  void AddInt(std::string_view key, int64_t value);

  // Closes the object and returns its text; *fields (if given) receives the fields in the
  // order they were added. The writer must not be used afterwards.
  std::string Finish(std::vector<FlatField>* fields = nullptr) &&;

 private:
  void AddKey(std::string_view key);

  std::string out_;
  std::vector<FlatField> fields_;
  bool empty_ = true;
};

}  // namespace cohort::customerio
