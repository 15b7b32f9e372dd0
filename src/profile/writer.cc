#include "profile/writer.h"

#include <algorithm>
#include <future>

#include "common/coding.h"
#include "profile/json_writer.h"
#include "stream/key_codec.h"

namespace cohort::profile {

std::string NextPidMetaKey(uint32_t gen) {
  std::string n;
  PutBigEndian32(&n, gen);
  return stream::MetaKey("next_pid", n);
}

std::string AuditMetaPrefix(uint32_t gen) {
  std::string n;
  PutBigEndian32(&n, gen);
  return stream::MetaKey("merge_audit", n);
}

ProfileWriter::ProfileWriter(storage::Db* db, uint32_t gen, WriterOptions options,
                             const std::set<std::string>* tombstones)
    : db_(db), gen_(gen), options_(options), tombstones_(tombstones) {}

Status ProfileWriter::Init() {
  ASSIGN_OR_RETURN(auto v, db_->Get(storage::Family::kMeta, NextPidMetaKey(gen_)));
  next_pid_ = 1;
  cache_complete_ = !v && profiles_.empty() && ids_.empty();
  if (v) {
    std::string_view in = *v;
    if (!GetBigEndian64(&in, &next_pid_)) return InternalError("profile id counter is corrupt");
    if (in.size() == 8) GetBigEndian64(&in, &audit_seq_);
  }
  return Status::Ok();
}

void ProfileWriter::set_track_changes(bool on) {
  if (on == track_changes_) return;
  track_changes_ = on;
  if (on && dirty_pids_.empty() && audit_.empty() && !next_pid_dirty_) {
    // Every cached profile is as stored (a generation that just wrote everything, about to
    // serve): keep them, each taking its "before" copy when it is first changed.
    for (auto& [pid, e] : profiles_) {
      e.stored.reset();
      e.stored_is_record = true;
    }
    return;
  }
  Reset();
}

bool ProfileWriter::ForEachProfileInMemory(
    const std::function<void(uint64_t pid, const Profile& profile)>& fn) const {
  if (!cache_complete_ || !dirty_pids_.empty() || !audit_.empty() || next_pid_dirty_) {
    return false;
  }
  std::vector<const Entry*> entries;
  entries.reserve(profiles_.size());
  for (const auto& [pid, e] : profiles_) {
    if (!e.deleted) entries.push_back(&e);
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry* a, const Entry* b) { return a->record.id < b->record.id; });
  for (const Entry* e : entries) fn(e->record.id, e->record.profile);
  return true;
}

void ProfileWriter::Reset() {
  cache_complete_ = false;
  ids_.clear();
  dirty_ids_.clear();
  profiles_.clear();
  dirty_pids_.clear();
  audit_.clear();
  next_pid_dirty_ = false;
  Init().IgnoreError();  // re-read on the next Apply if this fails
}

StatusOr<uint64_t> ProfileWriter::Lookup(const mapping::Identity& id, const std::string& text) {
  auto it = ids_.find(text);
  if (it != ids_.end()) return it->second;
  if (cache_complete_) return uint64_t{0};
  ASSIGN_OR_RETURN(auto v, db_->Get(storage::Family::kIdentity, IdentityKey(gen_, id)));
  uint64_t pid = 0;
  if (v && !DecodePid(*v, &pid)) return InternalError("identity index entry is corrupt");
  ids_.emplace(text, pid);
  return pid;
}

StatusOr<ProfileWriter::Entry*> ProfileWriter::Load(uint64_t pid) {
  auto it = profiles_.find(pid);
  if (it != profiles_.end()) return &it->second;
  ASSIGN_OR_RETURN(auto v, db_->Get(storage::Family::kProfile, ProfileKey(gen_, pid)));
  if (!v) return InternalError("identity index names profile " + std::to_string(pid) +
                               " but it is not stored");
  ASSIGN_OR_RETURN(ProfileRecord r, DecodeRecord(pid, *v));
  Entry e;
  e.stored_order = r.OrderText();
  e.stored_is_record = track_changes_;
  e.record = std::move(r);
  return &profiles_.emplace(pid, std::move(e)).first->second;
}

void ProfileWriter::Touch(Entry* e) {
  if (!e->stored_is_record) return;
  e->stored = e->record.profile;
  e->stored_is_record = false;
}

void ProfileWriter::MarkDirty(Entry* e) {
  if (e->dirty) return;
  e->dirty = true;
  dirty_pids_.push_back(e->record.id);
}


void ProfileWriter::AddIdentity(Entry* e, const mapping::Identity& id, const std::string& text) {
  auto& ids = e->record.identities;
  if (std::find(ids.begin(), ids.end(), id) != ids.end()) return;
  size_t same_field = std::count_if(ids.begin(), ids.end(),
                                    [&](const mapping::Identity& x) { return x.field == id.field; });
  if (same_field >= options_.max_identity_values) return;  // guard rail: not indexed
  ids.insert(std::upper_bound(ids.begin(), ids.end(), id, IdentityTextLess), id);
  ids_.insert_or_assign(text, e->record.id);
  dirty_ids_.push_back(text);
  MarkDirty(e);
}

Status ProfileWriter::Apply(const mapping::Evaluation& ev) {
  if (ev.identities.empty()) {
    ++counters_.unidentified;
    return Status::Ok();
  }
  const size_t n = ev.identities.size();
  if (texts_.size() < n) texts_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const mapping::Identity& id = ev.identities[i];
    std::string& t = texts_[i];
    t.assign(id.field);
    t.push_back('\0');
    t.append(id.value);
  }
  if (tombstones_ && !tombstones_->empty()) {
    for (size_t i = 0; i < n; ++i) {
      if (tombstones_->count(texts_[i])) {
        ++counters_.erased;
        return Status::Ok();
      }
    }
  }
  pids_.clear();
  for (size_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(uint64_t pid, Lookup(ev.identities[i], texts_[i]));
    if (pid) pids_.push_back(pid);
  }
  std::sort(pids_.begin(), pids_.end());
  pids_.erase(std::unique(pids_.begin(), pids_.end()), pids_.end());
  Entry* target;
  if (pids_.empty()) {
    uint64_t pid = next_pid_++;
    next_pid_dirty_ = true;
    Entry e;
    e.record.id = pid;
    target = &profiles_.emplace(pid, std::move(e)).first->second;
    ++counters_.created;
  } else {
    ASSIGN_OR_RETURN(target, Load(pids_.front()));
    Touch(target);
    for (size_t k = 1; k < pids_.size(); ++k) {
      ASSIGN_OR_RETURN(Entry * other, Load(pids_[k]));
      Touch(other);  // its stored version is reported when it is deleted
      Status m = target->record.profile.Merge(other->record.profile);
      if (!m.ok()) ++counters_.errors;  // a field changed kind: keep the target's
      JsonWriter audit;
      audit.BeginObject();
      audit.Key("into");
      audit.Uint(target->record.id);
      audit.Key("from");
      audit.Uint(other->record.id);
      audit.Key("identities");
      audit.BeginArray();
      for (const auto& id : other->record.identities) {
        audit.String(id.field + "=" + id.value);
      }
      audit.EndArray();
      audit.EndObject();
      audit_.push_back(std::move(audit).Release());
      for (const auto& id : other->record.identities) AddIdentity(target, id, IdentityText(id));
      other->deleted = true;
      MarkDirty(other);
      ++counters_.merges;
    }
  }
  for (size_t i = 0; i < n; ++i) AddIdentity(target, ev.identities[i], texts_[i]);
  for (const auto& u : ev.updates) {
    if (u.value.empty()) continue;
    if (!target->record.profile.Apply(u, options_.fields).ok()) ++counters_.errors;
  }
  MarkDirty(target);
  ++counters_.applied;
  return Status::Ok();
}

void ProfileWriter::Flush(storage::WriteBatch* b, Changes* changes) {
  // Only the profiles changed since the last Flush are visited (the cache can be large).
  // Sorted, so the batch and the reported changes do not depend on hash order.
  std::vector<uint64_t> dirty;
  dirty.swap(dirty_pids_);
  std::sort(dirty.begin(), dirty.end());
  std::vector<Entry*> entries(dirty.size());
  for (size_t i = 0; i < dirty.size(); ++i) entries[i] = &profiles_.at(dirty[i]);
  // Encoding is most of a large Flush (a rebuild writes every profile at once): there a
  // second thread encodes half of the records first. Smaller ones encode as they go, which
  // reuses one buffer's memory instead of holding every encoding at once.
  constexpr size_t kParallelFrom = 16384;  // below, a second thread costs more than it saves
  const bool parallel = dirty.size() >= kParallelFrom;
  std::vector<std::string> values, orders;
  if (parallel) {
    values.resize(dirty.size());
    orders.resize(dirty.size());
    auto encode = [&](size_t from, size_t to) {  // only reads the entries
      for (size_t i = from; i < to; ++i) {
        if (entries[i]->deleted) continue;
        values[i] = EncodeRecord(entries[i]->record);
        orders[i] = entries[i]->record.OrderText();
      }
    };
    const size_t half = dirty.size() / 2;
    auto other = std::async(std::launch::async, encode, half, dirty.size());
    encode(0, half);
    other.get();
  }
  std::string order_scratch, value_scratch;
  // Deletes first, then puts: a merged profile's old order key can be its target's new one,
  // and in a WriteBatch the later operation on a key wins.
  for (size_t i = 0; i < dirty.size(); ++i) {
    const Entry& e = *entries[i];
    if (e.deleted) {
      b->Delete(storage::Family::kProfile, ProfileKey(gen_, dirty[i]));
      if (!e.stored_order.empty()) b->Delete(storage::Family::kProfile, OrderKey(gen_, e.stored_order));
    } else if (!e.stored_order.empty() &&
               (parallel ? orders[i] : (order_scratch = e.record.OrderText())) != e.stored_order) {
      b->Delete(storage::Family::kProfile, OrderKey(gen_, e.stored_order));
    }
  }
  for (size_t i = 0; i < dirty.size(); ++i) {
    const uint64_t pid = dirty[i];
    Entry& e = *entries[i];
    if (changes) {
      // `stored` is not needed after this (reset below, or the entry is dropped).
      if (e.deleted) {
        changes->deleted.push_back(pid);
        changes->deleted_before.push_back(std::move(e.stored));
      } else {
        changes->changed.push_back(e.record);
        changes->changed_before.push_back(std::move(e.stored));
      }
    }
    if (!e.deleted) {
      if (track_changes_) {  // now as stored; copied again only before its next change
        e.stored.reset();
        e.stored_is_record = true;
      }
      b->Put(storage::Family::kProfile, ProfileKey(gen_, pid),
             parallel ? values[i] : (value_scratch = EncodeRecord(e.record)));
      std::string& order = parallel ? orders[i] : (order_scratch = e.record.OrderText());
      if (order != e.stored_order) {
        b->Put(storage::Family::kProfile, OrderKey(gen_, order), EncodePid(pid));
        e.stored_order = std::move(order);
      }
    }
    e.dirty = false;
  }
  values = {};
  std::sort(dirty_ids_.begin(), dirty_ids_.end());
  dirty_ids_.erase(std::unique(dirty_ids_.begin(), dirty_ids_.end()), dirty_ids_.end());
  const std::string id_prefix = GenPrefix(0, gen_);
  std::string key;
  for (const auto& t : dirty_ids_) {
    key.assign(id_prefix).append(t);
    b->Put(storage::Family::kIdentity, key, EncodePid(ids_[t]));
  }
  dirty_ids_.clear();
  for (auto& a : audit_) {
    std::string k = AuditMetaPrefix(gen_);
    PutBigEndian64(&k, ++audit_seq_);
    b->Put(storage::Family::kMeta, k, a);
  }
  if (next_pid_dirty_ || !audit_.empty()) {
    std::string v;
    PutBigEndian64(&v, next_pid_);
    PutBigEndian64(&v, audit_seq_);
    b->Put(storage::Family::kMeta, NextPidMetaKey(gen_), v);
    next_pid_dirty_ = false;
  }
  audit_.clear();
  // Deleted entries are gone from storage once this batch commits; drop them from the cache.
  for (uint64_t pid : dirty) {
    auto it = profiles_.find(pid);
    if (it != profiles_.end() && it->second.deleted) profiles_.erase(it);
  }
  if (profiles_.size() > options_.cache_limit) {
    profiles_.clear();
    ids_.clear();
    cache_complete_ = false;
  }
}

}  // namespace cohort::profile
