#include "customerio/flat_record.h"

#include <charconv>

namespace cohort::customerio {

void FlatRecordWriter::AddKey(std::string_view key) {
  if (!empty_) out_.push_back(',');
  empty_ = false;
  out_.push_back('"');
  out_.append(key);
  out_.append("\":");
}

void FlatRecordWriter::AddString(std::string_view key, std::string_view value) {
  AddKey(key);
  AppendJsonString(&out_, value);
}

void FlatRecordWriter::AddInt(std::string_view key, int64_t value) {
  AddKey(key);
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out_.append(buf, end);
}

std::string FlatRecordWriter::Finish() && {
  out_.push_back('}');
  return std::move(out_);
}

}  // namespace cohort::customerio
