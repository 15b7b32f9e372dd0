#include "stream/prepare.h"

#include "common/time_format.h"

namespace cohort::stream {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// The id as text: strings as they are, integers in decimal, other numbers as JSON.
std::string IdText(element v) {
  switch (v.type()) {
    case element_type::STRING: return std::string(std::string_view(v.get_string().value()));
    case element_type::INT64: return std::to_string(int64_t(v.get_int64().value()));
    case element_type::UINT64: return std::to_string(uint64_t(v.get_uint64().value()));
    case element_type::DOUBLE: return simdjson::to_string(v);
    default: return "";
  }
}

// Event time from the timestamp field's value; sets *fallback when present but unusable.
int64_t EventTime(element v, int64_t received_at_ms, bool* fallback) {
  std::optional<int64_t> ms;
  switch (v.type()) {
    case element_type::INT64: ms = EpochNumberToMs(double(int64_t(v.get_int64().value()))); break;
    case element_type::UINT64: ms = EpochNumberToMs(double(uint64_t(v.get_uint64().value()))); break;
    case element_type::DOUBLE: ms = EpochNumberToMs(double(v.get_double().value())); break;
    case element_type::STRING: ms = ParseTimestampText(v.get_string().value()); break;
    case element_type::NULL_VALUE: return received_at_ms;  // absent in all but name
    default: break;
  }
  if (!ms) {
    *fallback = true;
    return received_at_ms;
  }
  return *ms;
}

// A lower bound of the minified length of `v`, stopping early once it exceeds `limit`.
size_t MinifiedLowerBound(element v, size_t limit) {
  switch (v.type()) {
    case element_type::STRING: return std::string_view(v.get_string().value()).size() + 2;
    case element_type::OBJECT: {
      // {"k":v,"k":v}: braces, per field quotes, colon and value, commas between fields.
      size_t n = 1;
      simdjson::dom::object o = v.get_object().value();
      for (auto [key, value] : o) {
        n += key.size() + 4 + MinifiedLowerBound(value, limit);
        if (n > limit) return n;
      }
      return n < 2 ? 2 : n;
    }
    case element_type::ARRAY: {
      size_t n = 1;
      simdjson::dom::array a = v.get_array().value();
      for (element item : a) {
        n += 1 + MinifiedLowerBound(item, limit);
        if (n > limit) return n;
      }
      return n < 2 ? 2 : n;
    }
    default: return 1;
  }
}

std::string Sample(element v) {
  // Objects and arrays longer than kMaxSampleBytes are not sampled: skip minifying the ones
  // that certainly are (e.g. Customer.io's "data"), which was most of the preparation time.
  if ((v.type() == element_type::OBJECT || v.type() == element_type::ARRAY) &&
      MinifiedLowerBound(v, kMaxSampleBytes) > kMaxSampleBytes) {
    return std::string();
  }
  std::string s = simdjson::minify(v);
  if ((v.type() == element_type::OBJECT || v.type() == element_type::ARRAY) &&
      s.size() > kMaxSampleBytes) {
    return std::string();
  }
  return s;
}

}  // namespace

void PrepareEvent(element obj, std::string raw, const StreamConfig& config,
                  int64_t received_at_ms, PreparedEvent* e) {
  e->raw = std::move(raw);
  e->received_at_ms = received_at_ms;
  e->event_time_ms = received_at_ms;
  // Keep the object in a local: a range-for over `get_object().value()` would iterate a
  // reference into a destroyed temporary.
  simdjson::dom::object fields = obj.get_object().value();
  for (auto [key, value] : fields) {
    if (!config.id_field.empty() && key == config.id_field) e->event_id = IdText(value);
    if (!config.timestamp_field.empty() && key == config.timestamp_field) {
      e->event_time_ms = EventTime(value, received_at_ms, &e->time_fallback);
    }
    e->fields.emplace_back(std::string(key), Sample(value));
  }
}

StatusOr<PreparedEvent> PrepareEventText(std::string_view json, const StreamConfig& config,
                                         int64_t received_at_ms) {
  thread_local simdjson::dom::parser parser;
  element doc;
  auto err = parser.parse(json.data(), json.size()).get(doc);
  if (err) return InvalidArgumentError(std::string("not valid JSON: ") + simdjson::error_message(err));
  if (doc.type() != element_type::OBJECT) return InvalidArgumentError("not a JSON object");
  PreparedEvent e;
  PrepareEvent(doc, std::string(json), config, received_at_ms, &e);
  return e;
}

}  // namespace cohort::stream
