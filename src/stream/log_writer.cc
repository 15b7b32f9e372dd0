#include "stream/log_writer.h"

#include <future>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_set>

#include "common/thread_setup.h"
#include "stream/key_codec.h"

namespace cohort::stream {

LogWriter::LogWriter(storage::Db* db, StreamCatalog* catalog, const Clock* clock,
                     LogWriterOptions o)
    : db_(db), catalog_(catalog), clock_(clock), options_(o) {}

StatusOr<std::unique_ptr<LogWriter>> LogWriter::Start(storage::Db* db, StreamCatalog* catalog,
                                                      const Clock* clock,
                                                      const LogWriterOptions& options) {
  std::unique_ptr<LogWriter> w(new LogWriter(db, catalog, clock, options));
  auto it = db->NewIterator(storage::Family::kLog);
  it->SeekToLast();
  if (it->Valid() && !DecodeLogKey(it->key(), &w->last_seq_)) {
    return InternalError("the last key of the log is not a sequence number; data is corrupt");
  }
  RETURN_IF_ERROR(it->status());
  w->written_seq_ = w->last_seq_;
  w->thread_ = std::thread([p = w.get()] {
    SetThreadName("cohort-writer");
    p->Run();
  });
  w->sync_thread_ = std::thread([p = w.get()] {
    SetThreadName("cohort-logsync");
    p->SyncLoop();
  });
  return w;
}

LogWriter::~LogWriter() { Stop(); }

void LogWriter::Append(AppendRequest request, AppendCallback done) {
  size_t bytes = request.extra.ByteSize();
  for (const auto& e : request.events) bytes += e.raw.size() + e.event_id.size() + 64;
  std::unique_lock l(mu_);
  if (stopping_) {
    l.unlock();
    done(CancelledError("the server is shutting down; retry shortly"), {});
    return;
  }
  if (queued_bytes_ + bytes > options_.max_queue_bytes && !queue_.empty()) {
    l.unlock();
    done(ResourceExhaustedError("the write queue is full; retry after a second"), {});
    return;
  }
  queued_bytes_ += bytes;
  queue_.push_back({std::move(request), std::move(done), bytes});
  l.unlock();
  cv_.notify_one();
}

Status LogWriter::AppendSync(AppendRequest request, AppendResult* result) {
  std::promise<std::pair<Status, AppendResult>> p;
  auto f = p.get_future();
  Append(std::move(request), [&p](const Status& s, const AppendResult& r) { p.set_value({s, r}); });
  auto [s, r] = f.get();
  if (result) *result = r;
  return s;
}

void LogWriter::Stop() {
  {
    std::lock_guard l(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();  // the writer tells the syncer when it is done
  if (sync_thread_.joinable()) sync_thread_.join();
}

uint64_t LogWriter::LastSeq() const {
  std::lock_guard l(mu_);
  return last_seq_;
}

uint64_t LogWriter::WaitForNewer(uint64_t seen, int timeout_ms) const {
  std::unique_lock l(mu_);
  commit_cv_.wait_for(l, std::chrono::milliseconds(timeout_ms),
                      [&] { return last_seq_ > seen || stopping_; });
  return last_seq_;
}

uint64_t LogWriter::CommitCount() const {
  std::lock_guard l(mu_);
  return commits_;
}

uint64_t LogWriter::PipelinedSyncCount() const {
  std::lock_guard l(mu_);
  return pipelined_syncs_;
}

void LogWriter::Run() {
  for (;;) {
    std::vector<Pending> group;
    {
      std::unique_lock l(mu_);
      cv_.wait(l, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping and drained
      size_t events = 0, bytes = 0;
      while (!queue_.empty()) {
        Pending& front = queue_.front();
        if (!group.empty() && (events + front.request.events.size() > options_.max_batch_events ||
                               bytes + front.bytes > options_.max_batch_bytes)) {
          break;
        }
        events += front.request.events.size();
        bytes += front.bytes;
        queued_bytes_ -= front.bytes;
        group.push_back(std::move(front));
        queue_.pop_front();
      }
    }
    CommitGroup(&group);
  }
  {
    std::lock_guard l(sync_mu_);
    writer_done_ = true;
  }
  sync_cv_.notify_all();
}

void LogWriter::SyncLoop() {
  for (;;) {
    std::vector<Written> batch;
    {
      std::unique_lock l(sync_mu_);
      sync_cv_.wait(l, [&] { return writer_done_ || !written_.empty(); });
      if (written_.empty()) break;  // the writer has stopped and everything is answered
      batch.swap(written_);
    }
    // One fsync covers every group written so far: the WAL is synced in order.
    Status synced = db_->SyncWal();
    {
      std::lock_guard l(mu_);
      ++pipelined_syncs_;
    }
    if (!synced.ok()) {
      synced = UnavailableError("could not sync the events to disk (" + synced.message() +
                                "); retry (a retried event that was stored after all is "
                                "answered as a duplicate)");
    }
    for (Written& w : batch) {
      Finish(synced, w.last_seq, &w.group, w.results);
    }
  }
  commit_cv_.notify_all();
}

void LogWriter::CommitGroup(std::vector<Pending>* group) {
  const int64_t now = clock_->NowMs();
  size_t group_bytes = 0;
  for (const Pending& p : *group) group_bytes += p.bytes;
  storage::WriteBatch batch(group_bytes);
  uint64_t seq = written_seq_;
  std::vector<AppendResult> results(group->size());
  // Per stream touched in this group: counter delta and the merged catalogue.
  struct Touched {
    std::string name;
    StreamStats delta;
    FieldCatalog fields;
    bool fields_changed = false;
  };
  std::map<uint32_t, Touched> touched;
  auto touch = [&](const std::string& name) -> std::pair<uint32_t, Touched*> {
    bool created;
    uint32_t id = catalog_->IdFor(name, &created);
    auto [it, inserted] = touched.try_emplace(id);
    if (inserted) {
      it->second.name = name;
      it->second.fields = catalog_->FieldsOf(id);
      StreamCatalog::PersistNameOps(&batch, name, id);
    }
    return {id, &it->second};
  };

  // Pass 1: the dedup key of every event with an id, looked up in one batched read.
  std::vector<uint32_t> stream_ids(group->size());
  std::vector<std::string> dkeys;
  for (size_t i = 0; i < group->size(); ++i) {
    AppendRequest& req = (*group)[i].request;
    stream_ids[i] = touch(req.stream).first;
    for (const PreparedEvent& e : req.events) {
      if (!e.event_id.empty()) dkeys.push_back(DedupKey(stream_ids[i], e.event_id));
    }
  }
  std::vector<std::optional<std::string>> existing;
  Status status;
  {
    std::vector<std::string_view> views(dkeys.begin(), dkeys.end());
    status = db_->MultiGet(storage::Family::kDedup, views, &existing);
  }
  // Dedup keys stored earlier in this same group (they include the stream id).
  std::unordered_set<std::string_view> seen;
  seen.reserve(dkeys.size());
  size_t next_dkey = 0;
  std::string header;  // log record value up to the raw JSON (docs/storage.md)

  for (size_t i = 0; i < group->size() && status.ok(); ++i) {
    AppendRequest& req = (*group)[i].request;
    const uint32_t id = stream_ids[i];
    Touched* t = &touched[id];
    t->delta.rejected_count += req.rejected;
    for (PreparedEvent& e : req.events) {
      if (!e.event_id.empty()) {
        const size_t k = next_dkey++;
        std::string_view dkey = dkeys[k];
        bool dup = seen.count(dkey) > 0;
        if (!dup && existing[k].has_value()) {
          int64_t at;
          uint64_t old_seq;
          if (DecodeDedupValue(*existing[k], &at, &old_seq) &&
              at + options_.dedup_window_ms > now) {
            dup = true;
          }
        }
        if (dup) {
          ++results[i].duplicates;
          ++t->delta.duplicate_count;
          continue;
        }
        seen.insert(dkey);
        batch.Put(storage::Family::kDedup, dkey, DedupValue(e.received_at_ms, seq + 1));
      }
      ++seq;
      header.clear();
      EncodeLogRecordHeader(
          LogRecord{id, e.received_at_ms, e.event_time_ms,
                    static_cast<uint8_t>(e.time_fallback ? kFlagTimeFallback : 0), {}},
          &header);
      batch.PutParts(storage::Family::kLog, LogKey(seq), {header, e.raw});
      batch.Put(storage::Family::kStreamIndex, StreamIndexKey(id, seq), "");
      ++results[i].stored;
      results[i].last_seq = seq;
      ++t->delta.event_count;
      t->delta.bytes += e.raw.size();
      if (e.time_fallback) ++t->delta.time_fallback_count;
      if (!t->delta.first_received_ms) t->delta.first_received_ms = e.received_at_ms;
      t->delta.last_received_ms = std::max(t->delta.last_received_ms, e.received_at_ms);
      for (const auto& [key, sample] : e.fields) CatalogAdd(&t->fields, key, sample);
      t->fields_changed |= !e.fields.empty();
    }
    for (const auto& [name, delta] : req.counters) touch(name).second->delta.Add(delta);
    batch.Append(req.extra);
  }

  if (status.ok()) {
    for (auto& [id, t] : touched) {
      StreamStats total = catalog_->StatsOf(id);
      total.Add(t.delta);
      std::string n = StreamIdName(id);
      batch.Put(storage::Family::kMeta, MetaKey("stats", n), EncodeStats(total));
      if (t.fields_changed) {
        batch.Put(storage::Family::kMeta, MetaKey("fields", n), EncodeCatalog(t.fields));
      }
    }
  }
  bool durable = false;
  for (const Pending& p : *group) durable |= p.request.durable;
  const bool needs_sync = options_.sync && durable;
  // A large group is written without waiting for the disk and handed to the sync thread, so
  // that its fsync (megabytes) overlaps building the next group. A small group is synced
  // here: handing it over would cost more than its fsync.
  const bool pipelined = needs_sync && group_bytes >= options_.pipelined_sync_bytes;
  if (status.ok()) status = db_->Write(&batch, needs_sync && !pipelined);
  if (status.ok()) {
    // The counters must include this group before the next group is built (they are
    // written as totals); the API may show a pipelined group's counts a moment before it is
    // durable.
    for (auto& [id, t] : touched) catalog_->ApplyCommitted(id, t.delta, t.fields);
    written_seq_ = seq;
  } else {
    status = UnavailableError("could not store the events (" + status.message() +
                              "); nothing was stored, retry");
  }
  if (pipelined && status.ok()) {
    Written w;
    w.last_seq = seq;
    w.group = std::move(*group);
    w.results = std::move(results);
    {
      std::lock_guard l(sync_mu_);
      written_.push_back(std::move(w));
    }
    sync_cv_.notify_one();
    return;
  }
  // Synced here (or needing no sync, or failed). A synced write also made every earlier
  // pipelined group durable (the WAL is synced in order), so LastSeq may pass theirs.
  Finish(status, seq, group, results);
}

void LogWriter::Finish(const Status& status, uint64_t last_seq, std::vector<Pending>* group,
                       const std::vector<AppendResult>& results) {
  if (status.ok()) {
    std::lock_guard l(mu_);
    last_seq_ = std::max(last_seq_, last_seq);
    ++commits_;
  }
  commit_cv_.notify_all();
  for (size_t i = 0; i < group->size(); ++i) {
    (*group)[i].done(status, status.ok() ? results[i] : AppendResult{});
  }
}

}  // namespace cohort::stream
