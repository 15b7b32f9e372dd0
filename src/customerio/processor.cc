#include "customerio/processor.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <initializer_list>
#include <utility>

#include "common/email.h"
#include "common/time_format.h"
#include "customerio/flat_record.h"

namespace cohort::customerio {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// The fields copied from `data` under their own name, in record order, after delivery_id.
constexpr std::string_view kTrailingFields[] = {
    "subject", "href", "link_id", "recipient", "failure_message", "message_id", "template_id",
};
// The id fields copied from `data` under their own name, in record order, after campaign_name.
constexpr std::string_view kIdFields[] = {
    "action_id",
    "broadcast_id",
    "newsletter_id",
    "content_id",
    "journey_id",
    "parent_action_id",
    "transactional_message_id",
};

std::string_view TypeName(element_type type) {
  switch (type) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "a number";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "an unknown value";
}

// `obj[key]`, or nullopt when `obj` is not an object or has no such key.
std::optional<element> Field(std::optional<element> obj, std::string_view key) {
  if (!obj.has_value() || !obj->is_object()) return std::nullopt;
  element value;
  if (obj->get_object().value_unsafe().at_key(key).get(value) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return value;
}

// Follows `keys` from `obj`; nullopt as soon as one step is missing.
std::optional<element> Path(std::optional<element> obj,
                            std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) obj = Field(obj, key);
  return obj;
}

std::string RenderDouble(double d) {
  char buf[32];
  // Integral values print without decimals (118.0 → "118"); 2^63 is exact as a double.
  if (std::floor(d) == d && std::fabs(d) < 9223372036854775808.0) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(d));
    return std::string(buf, end);
  }
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);  // shortest round-trip form
  return std::string(buf, end);
}

// The text of a scalar: strings as they are, numbers rendered; nullopt for null, booleans,
// objects, arrays and "" (see the header: those count as absent).
std::optional<std::string> ScalarText(std::optional<element> value) {
  if (!value.has_value()) return std::nullopt;
  char buf[24];
  switch (value->type()) {
    case element_type::STRING: {
      std::string_view s = value->get_string().value_unsafe();
      if (s.empty()) return std::nullopt;
      return std::string(s);
    }
    case element_type::INT64: {
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value->get_int64().value_unsafe());
      return std::string(buf, end);
    }
    case element_type::UINT64: {
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value->get_uint64().value_unsafe());
      return std::string(buf, end);
    }
    case element_type::DOUBLE:
      return RenderDouble(value->get_double().value_unsafe());
    default:
      return std::nullopt;
  }
}

// The first candidate with a value.
std::optional<std::string> FirstText(std::initializer_list<std::optional<element>> candidates) {
  for (const auto& c : candidates) {
    if (auto text = ScalarText(c)) return text;
  }
  return std::nullopt;
}

// A non-empty string field, else "". Used for the fields that name the event's kind.
std::string_view NonEmptyString(std::optional<element> value) {
  if (!value.has_value() || !value->is_string()) return {};
  return value->get_string().value_unsafe();
}

std::string NormalizeObjectType(std::string_view object_type) {
  if (object_type == "in-app") return "in_app";
  return std::string(object_type);
}

// Sets *object_type and *metric from the current or the legacy format; false if neither.
bool EventKind(element root, std::string* object_type, std::string* metric) {
  std::string_view ot = NonEmptyString(Field(root, "object_type"));
  std::string_view m = NonEmptyString(Field(root, "metric"));
  if (!ot.empty() && !m.empty()) {
    *object_type = NormalizeObjectType(ot);
    *metric = std::string(m);
    return true;
  }
  std::string_view event_type = NonEmptyString(Field(root, "event_type"));
  if (event_type.empty()) return false;
  // in_app is the one object type with an underscore of its own.
  for (std::string_view prefix : {"in_app_", "in-app_"}) {
    if (event_type.starts_with(prefix)) {
      if (event_type.size() == prefix.size()) return false;
      *object_type = "in_app";
      *metric = std::string(event_type.substr(prefix.size()));
      return true;
    }
  }
  size_t us = event_type.find('_');
  if (us == std::string_view::npos || us == 0 || us + 1 == event_type.size()) return false;
  *object_type = NormalizeObjectType(event_type.substr(0, us));
  *metric = std::string(event_type.substr(us + 1));
  return true;
}

// The first email candidate that normalises to an address, or "".
std::string EmailOf(std::optional<element> data, std::string_view object_type) {
  std::optional<element> candidates[] = {
      Path(data, {"identifiers", "email"}),
      Field(data, "email_address"),
      object_type == "email" ? Field(data, "recipient") : std::nullopt,
  };
  for (const auto& c : candidates) {
    if (!c.has_value() || !c->is_string()) continue;
    std::string email = NormalizeEmail(c->get_string().value_unsafe());
    if (!email.empty()) return email;
  }
  return "";
}

// Reads `timestamp` into the result's timestamp_s / timestamp_invalid. The seconds-or-
// milliseconds and RFC 3339 rules are the ones ingest uses for every stream's event time
// (common/time_format.h), so a raw event and its record agree on when it happened.
void ReadTimestamp(std::optional<element> ts, ProcessResult* result) {
  if (!ts.has_value() || ts->is_null()) return;
  std::optional<int64_t> ms;
  switch (ts->type()) {
    case element_type::INT64:
      ms = EpochNumberToMs(static_cast<double>(ts->get_int64().value_unsafe()));
      break;
    case element_type::UINT64:
      ms = EpochNumberToMs(static_cast<double>(ts->get_uint64().value_unsafe()));
      break;
    case element_type::DOUBLE:
      ms = EpochNumberToMs(ts->get_double().value_unsafe());
      break;
    case element_type::STRING:
      ms = ParseTimestampText(ts->get_string().value_unsafe());
      break;
    default:
      break;  // booleans, objects, arrays
  }
  if (!ms.has_value()) {
    result->timestamp_invalid = true;
    return;
  }
  // Whole seconds, rounded down so that an instant never moves later.
  result->timestamp_s = *ms / 1000 - (*ms % 1000 < 0 ? 1 : 0);
}

void AddIfPresent(FlatRecordWriter* w, std::string_view key, const std::optional<std::string>& v) {
  if (v.has_value()) w->AddString(key, *v);
}

}  // namespace

StatusOr<ProcessResult> ProcessCustomerIoEvent(std::string_view raw_json) {
  // One parser per thread: reused buffers, no sharing.
  thread_local simdjson::dom::parser parser;
  element root;
  // simdjson validates UTF-8 and the whole document here; nothing below can fail.
  if (auto error = parser.parse(raw_json.data(), raw_json.size()).get(root); error) {
    return InvalidArgumentError(std::string("customerio event is not valid JSON: ") +
                                simdjson::error_message(error));
  }
  if (!root.is_object()) {
    return InvalidArgumentError("customerio event must be a JSON object, got " +
                                std::string(TypeName(root.type())));
  }

  ProcessResult result;
  std::optional<std::string> event_id = ScalarText(Field(root, "event_id"));
  if (event_id.has_value()) result.event_id = *event_id;
  ReadTimestamp(Field(root, "timestamp"), &result);

  std::string object_type, metric;
  if (!EventKind(root, &object_type, &metric)) {
    result.outcome = ProcessResult::Outcome::kUnmapped;
    return result;
  }
  result.outcome = ProcessResult::Outcome::kMapped;

  std::optional<element> data = Field(root, "data");
  if (data.has_value() && !data->is_object()) data.reset();

  FlatRecordWriter w;
  AddIfPresent(&w, "event_id", event_id);
  w.AddString("object_type", object_type);
  w.AddString("metric", metric);
  w.AddString("event", object_type + "_" + metric);
  if (result.timestamp_s.has_value()) w.AddInt("timestamp", *result.timestamp_s);
  AddIfPresent(&w, "customer_id",
               FirstText({Field(data, "customer_id"), Path(data, {"identifiers", "id"})}));
  AddIfPresent(&w, "cio_id", ScalarText(Path(data, {"identifiers", "cio_id"})));
  if (std::string email = EmailOf(data, object_type); !email.empty()) w.AddString("email", email);
  AddIfPresent(
      &w, "campaign_id",
      FirstText({Field(data, "campaign_id"), Path(data, {"variables", "campaign", "id"})}));
  AddIfPresent(
      &w, "campaign_name",
      FirstText({Field(data, "campaign_name"), Path(data, {"variables", "campaign", "name"})}));
  for (std::string_view key : kIdFields) AddIfPresent(&w, key, ScalarText(Field(data, key)));
  AddIfPresent(&w, "delivery_id", FirstText({Field(data, "delivery_id"), Field(data, "email_id")}));
  for (std::string_view key : kTrailingFields) AddIfPresent(&w, key, ScalarText(Field(data, key)));
  result.record_json = std::move(w).Finish(&result.fields);
  return result;
}

}  // namespace cohort::customerio
