#include "pipeline/customerio_stage.h"

#include "customerio/processor.h"
#include "stream/log_reader.h"

namespace cohort::pipeline {

StatusOr<std::unique_ptr<CustomerIoStage>> CustomerIoStage::Create(storage::Db* db,
                                                                   stream::StreamCatalog* catalog,
                                                                   stream::LogWriter* writer,
                                                                   size_t batch_events) {
  std::unique_ptr<CustomerIoStage> s(new CustomerIoStage(db, catalog, writer, batch_events));
  ASSIGN_OR_RETURN(s->checkpoint_, LoadCheckpoint(db, s->name_));
  return s;
}

Status CustomerIoStage::RunOnce(uint64_t last_seq, bool* progressed) {
  *progressed = false;
  if (last_seq <= checkpoint_) return Status::Ok();
  std::optional<uint32_t> raw_id = catalog_->FindId(kRawStream);
  stream::AppendRequest out;
  out.stream = kEventsStream;
  stream::StreamStats raw_counters;
  uint64_t scanned_to = checkpoint_;
  Status st = stream::ReadLog(
      db_, checkpoint_ + 1, last_seq, batch_, [&](const stream::StoredEvent& e) {
        scanned_to = e.seq;
        if (!raw_id || e.stream_id != *raw_id) return true;
        auto r = customerio::ProcessCustomerIoEvent(e.raw);
        if (!r.ok() || r->outcome == customerio::ProcessResult::Outcome::kUnmapped) {
          ++raw_counters.unmapped_count;
          return true;
        }
        // The processor hands over the record's fields, so the record is not parsed again.
        stream::PreparedEvent prepared;
        prepared.received_at_ms = e.received_at_ms;
        // The record's time is the raw event's time (which already fell back to the receive
        // time when the timestamp was unusable), so both streams agree.
        prepared.event_time_ms = r->timestamp_s ? *r->timestamp_s * 1000 : e.event_time_ms;
        prepared.time_fallback = e.time_fallback;
        // No de-duplication for derived records (event_id stays empty): the raw event was
        // de-duplicated when it was collected, and the stage's checkpoint (written in the same
        // batch) makes its output exactly-once. Checking the id again would cost a dedup read
        // and an index write per record.
        prepared.fields.reserve(r->fields.size());
        for (const customerio::FlatField& f : r->fields) {
          prepared.fields.emplace_back(
              std::string(f.key),
              std::string(std::string_view(r->record_json).substr(f.value_begin, f.value_size)));
        }
        prepared.raw = std::move(r->record_json);
        out.events.push_back(std::move(prepared));
        return true;
      });
  RETURN_IF_ERROR(st);
  if (scanned_to == checkpoint_) return Status::Ok();
  if (raw_counters.unmapped_count) out.counters.push_back({kRawStream, raw_counters});
  out.extra.Put(storage::Family::kMeta, CheckpointKey(name_), EncodeCheckpoint(scanned_to));
  out.durable = false;  // output and checkpoint can be computed again from the raw log
  RETURN_IF_ERROR(writer_->AppendSync(std::move(out), nullptr));
  checkpoint_ = scanned_to;
  *progressed = true;
  return Status::Ok();
}

}  // namespace cohort::pipeline
