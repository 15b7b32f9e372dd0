#include "stream/log_reader.h"

namespace cohort::stream {
namespace {

Status ToStored(uint64_t seq, std::string_view value, StoredEvent* out) {
  LogRecord r;
  RETURN_IF_ERROR(DecodeLogRecord(value, &r));
  out->seq = seq;
  out->stream_id = r.stream_id;
  out->received_at_ms = r.received_at_ms;
  out->event_time_ms = r.event_time_ms;
  out->time_fallback = r.flags & kFlagTimeFallback;
  out->raw.assign(r.raw);
  return Status::Ok();
}

StatusOr<StoredEvent> LoadSeq(storage::Db* db, uint64_t seq, const storage::Snapshot* snap) {
  ASSIGN_OR_RETURN(auto v, db->Get(storage::Family::kLog, LogKey(seq), snap));
  if (!v) return InternalError("stream index names seq " + std::to_string(seq) +
                               " but the log does not hold it");
  StoredEvent e;
  RETURN_IF_ERROR(ToStored(seq, *v, &e));
  return e;
}

}  // namespace

Status ReadLog(storage::Db* db, uint64_t from_seq, uint64_t to_seq, size_t limit,
               const std::function<bool(const StoredEvent&)>& fn,
               const storage::Snapshot* snap) {
  auto it = db->NewIterator(storage::Family::kLog, snap);
  size_t n = 0;
  StoredEvent e;
  for (it->Seek(LogKey(from_seq)); it->Valid() && n < limit; it->Next(), ++n) {
    uint64_t seq;
    if (!DecodeLogKey(it->key(), &seq)) return InternalError("corrupt log key");
    if (to_seq && seq > to_seq) break;
    RETURN_IF_ERROR(ToStored(seq, it->value(), &e));
    if (!fn(e)) break;
  }
  return it->status();
}

StatusOr<std::vector<StoredEvent>> ReadStreamNewestFirst(storage::Db* db, uint32_t stream_id,
                                                         uint64_t before_seq, size_t limit) {
  auto snap = db->GetSnapshot();
  auto it = db->NewIterator(storage::Family::kStreamIndex, snap.get());
  std::vector<StoredEvent> out;
  // Position at the last key < (stream_id, before_seq).
  std::string upper = before_seq ? StreamIndexKey(stream_id, before_seq)
                                 : StreamIndexKey(stream_id + 1, 0);
  it->SeekForPrev(upper);
  if (it->Valid() && it->key() == upper) it->Prev();
  for (; it->Valid() && out.size() < limit; it->Prev()) {
    uint32_t sid;
    uint64_t seq;
    if (!DecodeStreamIndexKey(it->key(), &sid, &seq)) return InternalError("corrupt stream index key");
    if (sid != stream_id) break;
    ASSIGN_OR_RETURN(StoredEvent e, LoadSeq(db, seq, snap.get()));
    out.push_back(std::move(e));
  }
  RETURN_IF_ERROR(it->status());
  return out;
}

Status ScanStream(storage::Db* db, uint32_t stream_id, uint64_t from_seq,
                  const std::function<bool(const StoredEvent&)>& fn,
                  const storage::Snapshot* snap) {
  auto it = db->NewIterator(storage::Family::kStreamIndex, snap);
  for (it->Seek(StreamIndexKey(stream_id, from_seq)); it->Valid(); it->Next()) {
    uint32_t sid;
    uint64_t seq;
    if (!DecodeStreamIndexKey(it->key(), &sid, &seq)) return InternalError("corrupt stream index key");
    if (sid != stream_id) break;
    ASSIGN_OR_RETURN(StoredEvent e, LoadSeq(db, seq, snap));
    if (!fn(e)) break;
  }
  return it->status();
}

}  // namespace cohort::stream
