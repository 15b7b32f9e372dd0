#include "ingest/body.h"

#include <simdjson.h>

#include "stream/prepare.h"
#include "ingest/json_error.h"

namespace cohort::ingest {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::string_view TrimWs(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

struct BodyParser::Impl {
  // No size cap of its own: the HTTP body limit (body_limit_bytes) is the cap.
  simdjson::dom::parser parser;

  Impl() {
    // Allocation failure here only means the first parse allocates instead.
    simdjson::error_code err = parser.allocate(1u << 16, kMaxJsonDepth + 1);
    (void)err;
  }

  void Prepare(element obj, std::string raw, const stream::StreamConfig& config,
               int64_t received_at_ms, ParsedBody* out) {
    out->events.emplace_back();
    stream::PrepareEvent(obj, std::move(raw), config, received_at_ms, &out->events.back());
  }

  void Reject(ParsedBody* out, std::string why) {
    if (out->rejected++ == 0) out->first_error = std::move(why);
  }

  static std::string Describe(std::string_view text, size_t base_offset, size_t base_line,
                              const char* fallback) {
    JsonErrorLocation loc;
    if (FindJsonError(text, kMaxJsonDepth, &loc)) return fallback;
    size_t line = base_line + loc.line - 1;
    return "malformed JSON at byte " + std::to_string(base_offset + loc.offset) + " (line " +
           std::to_string(line) + ", column " + std::to_string(loc.column) + "): " + loc.what;
  }
};

BodyParser::BodyParser() : impl_(std::make_unique<Impl>()) {}
BodyParser::~BodyParser() = default;

StatusOr<ParsedBody> BodyParser::Parse(std::string_view body, const stream::StreamConfig& config,
                                       int64_t received_at_ms) {
  ParsedBody out;
  std::string_view trimmed = TrimWs(body);
  if (trimmed.empty()) {
    return InvalidArgumentError("the body is empty: send one JSON object, a JSON array of "
                                "objects, or NDJSON (one object per line)");
  }
  size_t lead = static_cast<size_t>(trimmed.data() - body.data());
  auto& parser = impl_->parser;
  if (trimmed.front() == '[') {
    element doc;
    auto err = parser.parse(trimmed.data(), trimmed.size()).get(doc);
    if (err) {
      return InvalidArgumentError(Impl::Describe(body, 0, 1, simdjson::error_message(err)) +
                                  "; send a valid JSON array of objects");
    }
    simdjson::dom::array items = doc.get_array().value();
    for (element item : items) {
      if (item.type() != element_type::OBJECT) {
        impl_->Reject(&out, "an array item is not a JSON object");
        continue;
      }
      impl_->Prepare(item, simdjson::minify(item), config, received_at_ms, &out);
    }
    if (out.events.empty()) {
      return InvalidArgumentError(out.rejected ? out.first_error + "; every item must be an object"
                                               : "the array is empty; send at least one event");
    }
    return out;
  }
  // One document (possibly pretty-printed over many lines)?
  std::string whole_error;
  {
    element doc;
    auto err = parser.parse(trimmed.data(), trimmed.size()).get(doc);
    if (!err) {
      if (doc.type() != element_type::OBJECT) {
        return InvalidArgumentError("the body is JSON but not an object; send one JSON object, "
                                    "an array of objects, or NDJSON");
      }
      impl_->Prepare(doc, std::string(trimmed), config, received_at_ms, &out);
      return out;
    }
    whole_error = Impl::Describe(body, 0, 1, simdjson::error_message(err));
    if (trimmed.find('\n') == std::string_view::npos) {
      return InvalidArgumentError(whole_error + "; fix the JSON and send it again");
    }
  }
  // NDJSON: one object per non-empty line.
  size_t pos = lead, line_no = 1;
  for (size_t i = 0; i < lead; ++i) line_no += body[i] == '\n';
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    size_t end = nl == std::string_view::npos ? body.size() : nl;
    std::string_view line = TrimWs(body.substr(pos, end - pos));
    if (!line.empty()) {
      element doc;
      auto err = parser.parse(line.data(), line.size()).get(doc);
      if (err) {
        size_t line_off = static_cast<size_t>(line.data() - body.data());
        impl_->Reject(&out, Impl::Describe(line, line_off, line_no, simdjson::error_message(err)));
      } else if (doc.type() != element_type::OBJECT) {
        impl_->Reject(&out, "line " + std::to_string(line_no) + " is not a JSON object");
      } else {
        impl_->Prepare(doc, std::string(line), config, received_at_ms, &out);
      }
    }
    pos = end + 1;
    ++line_no;
  }
  if (out.events.empty()) {
    // Nothing parsed line by line either: report the body as one (pretty-printed) document
    // when it has just one line that starts an object, else the first bad line.
    return InvalidArgumentError(out.first_error + "; no usable event in the body (send one "
                                "JSON object, an array of objects, or NDJSON)");
  }
  return out;
}

}  // namespace cohort::ingest
