#include "ingest/collector.h"

#include <set>

#include "auth/crypto.h"
#include "ingest/body.h"
#include "stream/key_codec.h"

namespace cohort::ingest {

Collector::Collector(stream::StreamCatalog* catalog, stream::LogWriter* writer, storage::Db* db,
                     const Clock* clock, int64_t dedup_window_ms)
    : catalog_(catalog), writer_(writer), db_(db), clock_(clock),
      dedup_window_ms_(dedup_window_ms) {}

void Collector::Collect(const CollectRequest& req, CollectCallback done) {
  if (!stream::ValidStreamName(req.stream)) {
    done(InvalidArgumentError("stream name \"" + req.stream.substr(0, 80) +
                              "\" is invalid: use 1 to 64 characters of a-z, 0-9 and _"));
    return;
  }
  stream::StreamConfig config = catalog_->ConfigOf(req.stream);
  if (!config.signing_key.empty()) {
    Status s = auth::VerifySignature(config.signing_key, req.signature_timestamp, req.body,
                                     req.signature, "X-CIO");
    if (!s.ok()) {
      done(s);
      return;
    }
  }
  if (!req.timestamp_field.empty()) config.timestamp_field = req.timestamp_field;
  thread_local BodyParser parser;
  StatusOr<ParsedBody> parsed = parser.Parse(req.body, config, clock_->NowMs());
  if (!parsed.ok()) {
    done(parsed.status());
    return;
  }
  CollectResult result;
  result.message_count = parsed->events.size();
  result.rejected_count = parsed->rejected;
  if (req.dryrun) {
    StatusOr<uint64_t> dups = CountStored(req.stream, parsed->events);
    if (!dups.ok()) {
      done(dups.status());
      return;
    }
    result.duplicate_count = *dups;
    done(result);
    return;
  }
  stream::AppendRequest append;
  append.stream = req.stream;
  append.events = std::move(parsed->events);
  append.rejected = parsed->rejected;
  writer_->Append(std::move(append), [result, done = std::move(done)](
                                         const Status& s, const stream::AppendResult& r) mutable {
    if (!s.ok()) {
      done(s);
      return;
    }
    result.duplicate_count = r.duplicates;
    done(result);
  });
}

StatusOr<uint64_t> Collector::CountStored(const std::string& stream,
                                          const std::vector<stream::PreparedEvent>& events) {
  std::optional<uint32_t> id = catalog_->FindId(stream);
  uint64_t n = 0;
  std::set<std::string> seen;
  int64_t now = clock_->NowMs();
  for (const auto& e : events) {
    if (e.event_id.empty()) continue;
    if (!seen.insert(e.event_id).second) {
      ++n;
      continue;
    }
    if (!id) continue;
    ASSIGN_OR_RETURN(auto v, db_->Get(storage::Family::kDedup, stream::DedupKey(*id, e.event_id)));
    int64_t at;
    uint64_t seq;
    if (v && stream::DecodeDedupValue(*v, &at, &seq) && at + dedup_window_ms_ > now) ++n;
  }
  return n;
}

}  // namespace cohort::ingest
