#include "profile/json_writer.h"

#include <cassert>
#include <charconv>
#include <cmath>

namespace cohort::profile {
namespace {

// Length of the valid UTF-8 sequence at the front of `s` (1 to 4), or 0 if it is not one
// (bad lead byte, bad continuation, overlong form, surrogate, above U+10FFFF, truncated).
size_t Utf8SequenceLength(std::string_view s) {
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  auto cont = [&](size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace


void AppendJsonDouble(std::string* out, double v) {
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  char buf[32];
  std::to_chars_result r;
  if (std::trunc(v) == v && std::fabs(v) < 9007199254740992.0) {
    r = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(v));  // "-0" becomes "0"
  } else {
    r = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  }
  out->append(buf, r.ptr);
}

void JsonWriter::BeforeValue() {
  if (has_element_.empty()) {
    assert(out_.empty() && "one top-level value only");
    return;
  }
  if (is_object_.back()) {
    assert(after_key_ && "a value in an object needs a key");
    after_key_ = false;
    return;
  }
  if (has_element_.back()) out_.push_back(',');
  has_element_.back() = true;
}

void JsonWriter::BeginObject() {
  BeforeValue();
  out_.push_back('{');
  has_element_.push_back(false);
  is_object_.push_back(true);
}

void JsonWriter::EndObject() {
  assert(!is_object_.empty() && is_object_.back() && !after_key_);
  out_.push_back('}');
  has_element_.pop_back();
  is_object_.pop_back();
}

void JsonWriter::BeginArray() {
  BeforeValue();
  out_.push_back('[');
  has_element_.push_back(false);
  is_object_.push_back(false);
}

void JsonWriter::EndArray() {
  assert(!is_object_.empty() && !is_object_.back());
  out_.push_back(']');
  has_element_.pop_back();
  is_object_.pop_back();
}

void JsonWriter::Key(std::string_view key) {
  assert(!is_object_.empty() && is_object_.back() && !after_key_);
  if (has_element_.back()) out_.push_back(',');
  has_element_.back() = true;
  AppendJsonString(&out_, key);
  out_.push_back(':');
  after_key_ = true;
}

void JsonWriter::String(std::string_view s) {
  BeforeValue();
  AppendJsonString(&out_, s);
}

void JsonWriter::Int(int64_t v) {
  BeforeValue();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
}

void JsonWriter::Uint(uint64_t v) {
  BeforeValue();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
}

void JsonWriter::Double(double v) {
  BeforeValue();
  AppendJsonDouble(&out_, v);
}

void JsonWriter::Bool(bool v) {
  BeforeValue();
  out_.append(v ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_.append("null");
}

}  // namespace cohort::profile
