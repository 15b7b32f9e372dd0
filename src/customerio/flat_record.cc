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
  const size_t begin = out_.size();
  AppendJsonString(&out_, value);
  fields_.push_back({key, begin, out_.size() - begin});
}

void FlatRecordWriter::AddInt(std::string_view key, int64_t value) {
  AddKey(key);
  const size_t begin = out_.size();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out_.append(buf, end);
  fields_.push_back({key, begin, out_.size() - begin});
}

std::string FlatRecordWriter::Finish(std::vector<FlatField>* fields) && {
  out_.push_back('}');
  if (fields) *fields = std::move(fields_);
  return std::move(out_);
}

}  // namespace cohort::customerio
