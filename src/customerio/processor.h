// The Customer.io processor: one raw `customerio` event → one flat `customerio_events` record
// (SPEC §4; the full write-up, with examples, is docs/customerio.md).
//
// Input is the exact JSON text of one webhook event, in either Customer.io format:
//   current: {"event_id","object_type","metric","timestamp","data":{...}}
//   legacy:  {"event_id","event_type":"email_opened","timestamp","data":{...}}
// The current format wins when an event has a non-empty string `object_type` and `metric`;
// otherwise a non-empty string `event_type` is used; otherwise the event is unmapped.
//
// The record is a compact JSON object. Its keys always come in this order, each one present
// only when it has a value:
//   event_id, object_type, metric, event, timestamp, customer_id, cio_id, email, campaign_id,
//   campaign_name, action_id, broadcast_id, newsletter_id, content_id, journey_id,
//   parent_action_id, transactional_message_id, delivery_id, subject, href, link_id,
//   recipient, failure_message, message_id, template_id
// `timestamp` is a JSON integer (Unix seconds); every other value is a JSON string.
// object_type, metric and event are always present in a mapped record.
//
// Decisions (the why is in docs/customerio.md):
//  - object_type `in-app` becomes `in_app`; other object types and metrics pass through
//    unchanged (no case folding).
//  - Legacy `event_type` is split at the first `_` (`email_link_clicked` → `email`,
//    `link_clicked`), except that a leading `in_app_` / `in-app_` is the object type `in_app`.
//    An event_type with no `_`, or an empty part on either side of it, is unmapped.
//  - `timestamp` is read with the event-time rules ingest uses (common/time_format.h): a
//    number or numeric string is seconds when its magnitude is below 1e11, else milliseconds
//    (beyond ±8.64e15 ms it is invalid); an RFC 3339 string (or bare date) is accepted too.
//    The instant is then rounded down to whole seconds (1717250412.9 → 1717250412). JSON
//    null or a missing field is "no timestamp"; anything else that does not parse ("abc",
//    "", true, {}) sets timestamp_invalid, and the record has no `timestamp`.
//  - Values are read from `data`: a string is copied; a number is rendered as text (integral
//    values without decimals: 118 and 118.0 → "118"; others shortest round-trip: "1.5");
//    null, booleans, objects and arrays, and the empty string, count as absent. The same
//    holds for the top-level event_id.
//  - Fallbacks take the first candidate with a value: customer_id ← data.customer_id,
//    data.identifiers.id; campaign_id ← data.campaign_id, data.variables.campaign.id;
//    campaign_name ← data.campaign_name, data.variables.campaign.name; delivery_id ←
//    data.delivery_id, data.email_id (legacy).
//  - email: the first of data.identifiers.email, data.email_address and (only when
//    object_type is `email`) data.recipient that NormalizeEmail() turns into an address; a
//    candidate that is not an address is skipped, not fatal. Absent if none is.
//  - `recipient` is copied as is for every object type (a phone number for sms, a URL for
//    webhook), but is an email candidate only for email objects.
//  - `data` missing or not an object: the record has only the top-level fields.
//  - content, headers, variables, recipients, identifiers and message_name stay raw-only.
//
// Pure function; thread-safe (each thread reuses its own simdjson parser).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "customerio/flat_record.h"

namespace cohort::customerio {

struct ProcessResult {
  enum class Outcome {
    kMapped,    // record_json holds the flat record
    kUnmapped,  // neither object_type+metric nor event_type: store raw, count, never refuse
  };
  Outcome outcome = Outcome::kUnmapped;
  // The flat record (compact JSON object text, key order above); empty when unmapped.
  std::string record_json;
  // The record's fields in order: key and the offsets of the value's JSON text in
  // record_json (so the field catalogue needs no second parse). Empty when unmapped.
  std::vector<FlatField> fields;
  // The event's `event_id` as text (numbers rendered as above); empty if it has none. Set for
  // unmapped events too.
  std::string event_id;
  // The event time in Unix seconds, when `timestamp` is present and parsable. Set for unmapped
  // events too. When absent the caller should use the raw event's own event time.
  std::optional<int64_t> timestamp_s;
  // True when a non-null `timestamp` was present but not parsable ("abc"): count it.
  bool timestamp_invalid = false;
};

// Maps one raw event. Returns InvalidArgument only when `raw_json` is not a JSON object
// (malformed JSON, invalid UTF-8, a number simdjson cannot hold in 64 bits, nesting deeper
// than 1024, or valid JSON that is an array/string/number/...); the message says which. An
// object that cannot be mapped is not an error: it yields Outcome::kUnmapped.
StatusOr<ProcessResult> ProcessCustomerIoEvent(std::string_view raw_json);

}  // namespace cohort::customerio
