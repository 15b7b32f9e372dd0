#include "profile/writer.h"

#include <algorithm>

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
  Reset();
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

StatusOr<uint64_t> ProfileWriter::Lookup(const mapping::Identity& id) {
  std::string t = IdentityText(id);
  auto it = ids_.find(t);
  if (it != ids_.end()) return it->second;
  if (cache_complete_) return uint64_t{0};
  ASSIGN_OR_RETURN(auto v, db_->Get(storage::Family::kIdentity, IdentityKey(gen_, id)));
  uint64_t pid = 0;
  if (v && !DecodePid(*v, &pid)) return InternalError("identity index entry is corrupt");
  ids_.emplace(std::move(t), pid);
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
  if (track_changes_) e.stored = r.profile;
  e.record = std::move(r);
  return &profiles_.emplace(pid, std::move(e)).first->second;
}

void ProfileWriter::AddIdentity(Entry* e, const mapping::Identity& id) {
  auto& ids = e->record.identities;
  if (std::find(ids.begin(), ids.end(), id) != ids.end()) return;
  size_t same_field = std::count_if(ids.begin(), ids.end(),
                                    [&](const mapping::Identity& x) { return x.field == id.field; });
  if (same_field >= options_.max_identity_values) return;  // guard rail: not indexed
  ids.insert(std::upper_bound(ids.begin(), ids.end(), id,
                              [](const mapping::Identity& a, const mapping::Identity& b) {
                                return IdentityText(a) < IdentityText(b);
                              }),
             id);
  std::string t = IdentityText(id);
  ids_[t] = e->record.id;
  dirty_ids_.insert(std::move(t));
  e->dirty = true;
  dirty_pids_.insert(e->record.id);
}

Status ProfileWriter::Apply(const mapping::Evaluation& ev) {
  if (ev.identities.empty()) {
    ++counters_.unidentified;
    return Status::Ok();
  }
  for (const auto& id : ev.identities) {
    if (tombstones_ && tombstones_->count(IdentityText(id))) {
      ++counters_.erased;
      return Status::Ok();
    }
  }
  std::set<uint64_t> pids;
  for (const auto& id : ev.identities) {
    ASSIGN_OR_RETURN(uint64_t pid, Lookup(id));
    if (pid) pids.insert(pid);
  }
  Entry* target;
  if (pids.empty()) {
    uint64_t pid = next_pid_++;
    next_pid_dirty_ = true;
    Entry e;
    e.record.id = pid;
    e.dirty = true;
    dirty_pids_.insert(pid);
    target = &profiles_.emplace(pid, std::move(e)).first->second;
    ++counters_.created;
  } else {
    ASSIGN_OR_RETURN(target, Load(*pids.begin()));
    for (auto it = std::next(pids.begin()); it != pids.end(); ++it) {
      ASSIGN_OR_RETURN(Entry * other, Load(*it));
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
      for (const auto& id : other->record.identities) AddIdentity(target, id);
      other->deleted = true;
      other->dirty = true;
      dirty_pids_.insert(other->record.id);
      ++counters_.merges;
    }
  }
  for (const auto& id : ev.identities) AddIdentity(target, id);
  for (const auto& u : ev.updates) {
    if (u.value.empty()) continue;
    if (!target->record.profile.Apply(u, options_.fields).ok()) ++counters_.errors;
  }
  target->dirty = true;
  dirty_pids_.insert(target->record.id);
  ++counters_.applied;
  return Status::Ok();
}

void ProfileWriter::Flush(storage::WriteBatch* b, Changes* changes) {
  // Only the profiles changed since the last Flush are visited (the cache can be large).
  // Sorted, so the batch and the reported changes do not depend on hash order.
  std::vector<uint64_t> dirty(dirty_pids_.begin(), dirty_pids_.end());
  std::sort(dirty.begin(), dirty.end());
  dirty_pids_.clear();
  // Deletes first, then puts: a merged profile's old order key can be its target's new one,
  // and in a WriteBatch the later operation on a key wins.
  for (uint64_t pid : dirty) {
    Entry& e = profiles_.at(pid);
    if (e.deleted) {
      b->Delete(storage::Family::kProfile, ProfileKey(gen_, pid));
      if (!e.stored_order.empty()) b->Delete(storage::Family::kProfile, OrderKey(gen_, e.stored_order));
    } else if (!e.stored_order.empty() && e.record.OrderText() != e.stored_order) {
      b->Delete(storage::Family::kProfile, OrderKey(gen_, e.stored_order));
    }
  }
  for (uint64_t pid : dirty) {
    Entry& e = profiles_.at(pid);
    if (changes) {
      if (e.deleted) {
        changes->deleted.push_back(pid);
        changes->deleted_before.push_back(e.stored);
      } else {
        changes->changed.push_back(e.record);
        changes->changed_before.push_back(e.stored);
      }
    }
    if (!e.deleted) {
      if (track_changes_) e.stored = e.record.profile;
      b->Put(storage::Family::kProfile, ProfileKey(gen_, pid), EncodeRecord(e.record));
      std::string order = e.record.OrderText();
      if (order != e.stored_order) {
        b->Put(storage::Family::kProfile, OrderKey(gen_, order), EncodePid(pid));
        e.stored_order = order;
      }
    }
    e.dirty = false;
  }
  for (const auto& t : dirty_ids_) {
    std::string key = GenPrefix(0, gen_) + t;
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
