#include "audience/engine.h"

#include <spdlog/spdlog.h>

#include "common/coding.h"
#include "common/time_format.h"
#include "profile/reader.h"
#include "stream/key_codec.h"

namespace cohort::audience {
namespace {

const char kGenKey[] = "audience_gen";

// meta "members" + segment id (u32 BE) → the membership bitmap (roaring portable format).
std::string MembersKey(uint32_t seg) {
  std::string n;
  PutBigEndian32(&n, seg);
  return stream::MetaKey("members", n);
}

std::string ProfileText(const profile::ProfileRecord& r) {
  std::string t = r.OrderText();
  size_t nul = t.find('\0');
  if (nul != std::string::npos) t[nul] = ':';
  return t;
}

std::string EmailOf(const profile::ProfileRecord& r) {
  const profile::FieldState* f = r.profile.Find("email");
  if (!f) return "";
  mapping::Value v = f->value();
  return v.scalar.type == mapping::Scalar::Type::kString ? v.scalar.s : "";
}

}  // namespace

// version 1, profile, email (length-prefixed), enter byte, zig-zag at, reason.
std::string EncodeChange(const Change& c) {
  std::string v;
  v.push_back(1);
  PutLengthPrefixed(&v, c.profile);
  PutLengthPrefixed(&v, c.email);
  v.push_back(c.enter ? 1 : 0);
  PutVarsint64(&v, c.at_ms);
  PutLengthPrefixed(&v, c.reason);
  return v;
}

StatusOr<Change> DecodeChange(uint64_t seq, std::string_view v) {
  Change c;
  c.seq = seq;
  std::string_view profile, email, reason;
  if (v.empty() || v[0] != 1) return InternalError("stored audience change is corrupt");
  v.remove_prefix(1);
  if (!GetLengthPrefixed(&v, &profile) || !GetLengthPrefixed(&v, &email) || v.empty()) {
    return InternalError("stored audience change is corrupt");
  }
  c.enter = v[0] == 1;
  v.remove_prefix(1);
  if (!GetVarsint64(&v, &c.at_ms) || !GetLengthPrefixed(&v, &reason)) {
    return InternalError("stored audience change is corrupt");
  }
  c.profile = profile;
  c.email = email;
  c.reason = reason;
  return c;
}

StatusOr<std::unique_ptr<AudienceEngine>> AudienceEngine::Load(storage::Db* db, const Clock* clock) {
  std::unique_ptr<AudienceEngine> e(new AudienceEngine(db, clock));
  RETURN_IF_ERROR(e->LoadState());
  return e;
}

Status AudienceEngine::LoadState() {
  ASSIGN_OR_RETURN(auto g, db_->Get(storage::Family::kMeta, stream::MetaKey(kGenKey, "")));
  if (g) {
    std::string_view in = *g;
    if (!GetBigEndian32(&in, &stored_gen_)) return InternalError("audience generation is corrupt");
  }
  auto it = db_->NewIterator(storage::Family::kMeta);
  const std::string prefix = stream::MetaPrefix("segment");
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    ASSIGN_OR_RETURN(SegmentDef def, DecodeSegmentDef(it->value()));
    next_id_ = std::max(next_id_, def.id + 1);
    Audience a;
    a.def = std::move(def);
    audiences_.emplace(a.def.slug, std::move(a));
  }
  RETURN_IF_ERROR(it->status());
  for (auto& [slug, a] : audiences_) {
    ASSIGN_OR_RETURN(auto bits, db_->Get(storage::Family::kMeta, MembersKey(a.def.id)));
    if (bits) {
      try {
        a.members = Roaring::readSafe(bits->data(), bits->size());
      } catch (const std::exception& e) {
        return InternalError("membership of audience " + slug + " is corrupt: " + e.what());
      }
    }
    auto c = db_->NewIterator(storage::Family::kChanges);
    c->SeekForPrev(ChangeKey(a.def.id, UINT64_MAX));
    uint32_t seg;
    uint64_t seq;
    if (c->Valid() && DecodeChangeKey(c->key(), &seg, &seq) && seg == a.def.id) a.last_seq = seq;
  }
  auto t = db_->NewIterator(storage::Family::kTimers);
  for (t->SeekToFirst(); t->Valid(); t->Next()) {
    int64_t due;
    uint32_t seg;
    uint64_t pid;
    if (!DecodeTimerKey(t->key(), &due, &seg, &pid)) return InternalError("timer key is corrupt");
    timers_.emplace(due, seg, pid);
    timer_of_[{seg, pid}] = due;
  }
  return t->status();
}

void AudienceEngine::SetSchema(std::map<std::string, mapping::Kind, std::less<>> fields) {
  std::lock_guard l(mu_);
  if (fields == schema_) return;
  schema_ = std::move(fields);
  // Recompile what now binds (an audience saved before its fields existed starts working).
  for (auto& [slug, a] : audiences_) {
    auto c = segment::Compile(a.def.segment_ql, SchemaLocked(), a.def.slug);
    if (c.ok()) {
      a.compiled = *c;
    } else {
      a.compiled.reset();
    }
  }
}

segment::Schema AudienceEngine::SchemaLocked() const {
  segment::Schema s;
  s.fields = schema_;
  // Called during compile with mu_ held by the caller.
  s.segment_text = [this](std::string_view slug) -> std::optional<std::string> {
    auto it = audiences_.find(std::string(slug));
    if (it == audiences_.end()) return std::nullopt;
    return it->second.def.segment_ql;
  };
  return s;
}

lang::Result<std::shared_ptr<const segment::CompiledSegment>> AudienceEngine::CompileFilter(
    std::string_view text) const {
  std::lock_guard l(mu_);
  return segment::CompileWithPosition(text, SchemaLocked());
}

void AudienceEngine::SetTimer(uint32_t seg, uint64_t pid, std::optional<int64_t> due,
                              storage::WriteBatch* b) {
  auto it = timer_of_.find({seg, pid});
  if (it != timer_of_.end()) {
    if (due && *due == it->second) return;
    timers_.erase({it->second, seg, pid});
    b->Delete(storage::Family::kTimers, TimerKey(it->second, seg, pid));
    timer_of_.erase(it);
  }
  if (due) {
    timers_.emplace(*due, seg, pid);
    timer_of_[{seg, pid}] = *due;
    b->Put(storage::Family::kTimers, TimerKey(*due, seg, pid), "");
  }
}

void AudienceEngine::LogChange(Audience* a, const profile::ProfileRecord* r,
                               const std::string& profile_text, bool enter, int64_t now,
                               const std::string& reason, storage::WriteBatch* b) {
  if (!pending_seq_.count(a->def.id)) pending_seq_[a->def.id] = a->last_seq;
  Change c;
  c.seq = ++a->last_seq;
  c.profile = profile_text;
  c.email = r ? EmailOf(*r) : "";
  c.enter = enter;
  c.at_ms = now;
  c.reason = reason;
  b->Put(storage::Family::kChanges, ChangeKey(a->def.id, c.seq), EncodeChange(c));
}

void AudienceEngine::Evaluate(Audience* a, const profile::ProfileRecord& r, int64_t now,
                              storage::WriteBatch* b, const std::string& reason) {
  if (!a->compiled) return;
  uint32_t pid = static_cast<uint32_t>(r.id);
  bool match = a->compiled->Matches(r.profile, now);
  bool was = a->members.contains(pid);
  if (match != was) {
    if (match) {
      a->members.add(pid);
    } else {
      a->members.remove(pid);
    }
    dirty_.insert(a->def.id);
    pending_.push_back({a->def.id, r.id, match});
    LogChange(a, &r, ProfileText(r), match, now, reason, b);
  }
  if (a->compiled->time_relative()) {
    SetTimer(a->def.id, r.id, a->compiled->NextChange(r.profile, now), b);
  }
}

Status AudienceEngine::OnProfiles(uint32_t gen, const profile::ProfileWriter::Changes& changes,
                                  storage::WriteBatch* batch, const std::string& reason) {
  std::lock_guard l(mu_);
  for (size_t i = 0; i < changes.changed.size(); ++i) {
    const auto& r = changes.changed[i];
    if (i < changes.changed_before.size() && changes.changed_before[i]) {
      index_.Remove(static_cast<uint32_t>(r.id), *changes.changed_before[i]);
    }
    index_.Add(static_cast<uint32_t>(r.id), r.profile);
  }
  for (size_t i = 0; i < changes.deleted.size(); ++i) {
    if (i < changes.deleted_before.size() && changes.deleted_before[i]) {
      index_.Remove(static_cast<uint32_t>(changes.deleted[i]), *changes.deleted_before[i]);
    }
  }
  if (audiences_.empty()) return Status::Ok();
  const int64_t now = clock_->NowMs();
  for (const auto& r : changes.changed) {
    for (auto& [slug, a] : audiences_) Evaluate(&a, r, now, batch, reason);
  }
  for (uint64_t pid : changes.deleted) {
    for (auto& [slug, a] : audiences_) {
      SetTimer(a.def.id, pid, std::nullopt, batch);
      if (!a.members.contains(static_cast<uint32_t>(pid))) continue;
      a.members.remove(static_cast<uint32_t>(pid));
      dirty_.insert(a.def.id);
      pending_.push_back({a.def.id, pid, false});
      LogChange(&a, nullptr, "profile:" + std::to_string(pid), false, now,
                reason == "erased" ? reason : "merged", batch);
    }
  }
  PersistDirty(batch);
  return Status::Ok();
}

void AudienceEngine::PersistDirty(storage::WriteBatch* b) {
  std::map<uint32_t, Audience*> by_id;
  for (auto& [slug, a] : audiences_) by_id[a.def.id] = &a;
  for (uint32_t id : dirty_) {
    auto it = by_id.find(id);
    if (it == by_id.end()) continue;
    Roaring& m = it->second->members;
    m.runOptimize();
    std::string bytes(m.getSizeInBytes(), '\0');
    m.write(bytes.data());
    b->Put(storage::Family::kMeta, MembersKey(id), bytes);
  }
  dirty_.clear();
}

Status AudienceEngine::BuildIndex(uint32_t gen, const ProfileSource& source) {
  std::lock_guard l(mu_);
  index_.Clear();
  if (source && source([&](uint64_t pid, const profile::Profile& p) {
        index_.Add(static_cast<uint32_t>(pid), p);
      })) {
    return Status::Ok();
  }
  index_.Clear();  // a source that declined may not have called fn; be sure
  profile::ProfileReader reader(db_, gen);
  return reader.ForEachById([&](const profile::ProfileRecord& r) {
    index_.Add(static_cast<uint32_t>(r.id), r.profile);
    return true;
  });
}

StatusOr<uint64_t> AudienceEngine::Count(const segment::CompiledSegment& filter,
                                         uint32_t gen) const {
  const int64_t now = clock_->NowMs();
  {
    std::lock_guard l(mu_);
    auto bits = index_.Evaluate(filter.bound(), now);
    if (bits) return bits->cardinality();
  }
  profile::ProfileReader reader(db_, gen);
  uint64_t n = 0;
  RETURN_IF_ERROR(reader.ForEachById([&](const profile::ProfileRecord& r) {
    n += filter.Matches(r.profile, now);
    return true;
  }));
  return n;
}

size_t AudienceEngine::MemoryBytes() const {
  std::lock_guard l(mu_);
  size_t n = index_.MemoryBytes();
  for (const auto& [slug, a] : audiences_) n += a.members.getSizeInBytes();
  return n + timers_.size() * 64;
}

Status AudienceEngine::Sweep(uint32_t gen, int64_t now, storage::WriteBatch* b, bool* any) {
  if (now < next_sweep_ms_) return Status::Ok();
  next_sweep_ms_ = now + sweep_interval_ms_;
  profile::ProfileReader reader(db_, gen);
  for (auto& [slug, a] : audiences_) {
    if (!a.compiled || !a.compiled->time_relative()) continue;
    auto bits = index_.Evaluate(a.compiled->bound(), now);
    if (!bits) continue;  // the timers cover it
    Roaring changed = *bits ^ a.members;
    for (uint32_t pid : changed) {
      ASSIGN_OR_RETURN(auto rec, reader.ByPid(pid));
      if (!rec) continue;
      Evaluate(&a, *rec, now, b, "time");
      *any = true;
    }
  }
  return Status::Ok();
}

void AudienceEngine::Commit() {
  pending_.clear();
  pending_seq_.clear();
}

void AudienceEngine::Abort() {
  std::lock_guard l(mu_);
  std::map<uint32_t, Audience*> by_id;
  for (auto& [slug, a] : audiences_) by_id[a.def.id] = &a;
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
    auto a = by_id.find(it->seg);
    if (a == by_id.end()) continue;
    if (it->add) {
      a->second->members.remove(static_cast<uint32_t>(it->pid));
    } else {
      a->second->members.add(static_cast<uint32_t>(it->pid));
    }
  }
  for (const auto& [seg, seq] : pending_seq_) {
    auto a = by_id.find(seg);
    if (a != by_id.end()) a->second->last_seq = seq;
  }
  pending_.clear();
  pending_seq_.clear();
}

Status AudienceEngine::RunTimers(uint32_t gen, storage::WriteBatch* batch, bool* any) {
  *any = false;
  std::lock_guard l(mu_);
  const int64_t now = clock_->NowMs();
  RETURN_IF_ERROR(Sweep(gen, now, batch, any));
  if (timers_.empty() || std::get<0>(*timers_.begin()) > now) {
    PersistDirty(batch);
    return Status::Ok();
  }
  profile::ProfileReader reader(db_, gen);
  std::map<uint32_t, Audience*> by_id;
  for (auto& [slug, a] : audiences_) by_id[a.def.id] = &a;
  // Take every due timer first: Evaluate may schedule new ones.
  std::vector<std::tuple<int64_t, uint32_t, uint64_t>> due;
  while (!timers_.empty() && std::get<0>(*timers_.begin()) <= now && due.size() < 10000) {
    due.push_back(*timers_.begin());
    auto [t, seg, pid] = *timers_.begin();
    timers_.erase(timers_.begin());
    timer_of_.erase({seg, pid});
    batch->Delete(storage::Family::kTimers, TimerKey(t, seg, pid));
  }
  *any |= !due.empty();
  for (const auto& [t, seg, pid] : due) {
    auto a = by_id.find(seg);
    if (a == by_id.end()) continue;
    ASSIGN_OR_RETURN(auto rec, reader.ByPid(pid));
    if (!rec) continue;  // merged away or erased: handled when that happened
    Evaluate(a->second, *rec, now, batch, "time");
  }
  PersistDirty(batch);
  return Status::Ok();
}

Status AudienceEngine::Recompute(Audience* a, uint32_t gen, storage::WriteBatch* b,
                                 const std::string& reason, bool log) {
  dirty_.insert(a->def.id);
  const int64_t now = clock_->NowMs();
  if (log) {
    // An edit: compute the new membership, then log who entered and who left.
    Roaring before = a->members;
    RETURN_IF_ERROR(Recompute(a, gen, b, reason, false));
    Roaring changed = before ^ a->members;
    profile::ProfileReader reader(db_, gen);
    for (uint32_t pid : changed) {
      ASSIGN_OR_RETURN(auto rec, reader.ByPid(pid));
      bool enter = a->members.contains(pid);
      pending_.push_back({a->def.id, pid, enter});
      if (rec) {
        LogChange(a, &*rec, ProfileText(*rec), enter, now, reason, b);
      } else {
        LogChange(a, nullptr, "profile:" + std::to_string(pid), enter, now, reason, b);
      }
    }
    return Status::Ok();
  }
  if (!a->compiled) {
    a->members = Roaring();
    return Status::Ok();
  }
  if (auto bits = index_.Evaluate(a->compiled->bound(), now)) {
    a->members = std::move(*bits);
    return Status::Ok();
  }
  Roaring members;
  profile::ProfileReader reader(db_, gen);
  RETURN_IF_ERROR(reader.ForEachById([&](const profile::ProfileRecord& r) {
    if (a->compiled->Matches(r.profile, now)) members.add(static_cast<uint32_t>(r.id));
    if (a->compiled->time_relative()) {
      SetTimer(a->def.id, r.id, a->compiled->NextChange(r.profile, now), b);
    }
    return true;
  }));
  a->members = std::move(members);
  return Status::Ok();
}

Status AudienceEngine::OnGeneration(uint32_t gen, storage::WriteBatch* b,
                                    const ProfileSource& source) {
  {
    std::lock_guard l(mu_);
    b->DeleteRange(storage::Family::kTimers, std::string(), std::string(21, '\xff'));
    timers_.clear();
    timer_of_.clear();
  }
  RETURN_IF_ERROR(BuildIndex(gen, source));
  std::lock_guard l(mu_);
  // Profile ids belong to a generation: memberships are recomputed for the new one. A rebuild
  // re-identifies profiles, so this is not logged as enters and exits.
  for (auto& [slug, a] : audiences_) RETURN_IF_ERROR(Recompute(&a, gen, b, "rebuild", false));
  PersistDirty(b);
  std::string g;
  PutBigEndian32(&g, gen);
  b->Put(storage::Family::kMeta, stream::MetaKey(kGenKey, ""), g);
  stored_gen_ = gen;
  return Status::Ok();
}

AudienceInfo AudienceEngine::InfoLocked(const Audience& a) const {
  AudienceInfo i;
  i.def = a.def;
  i.size = a.members.cardinality();
  i.time_relative = a.compiled && a.compiled->time_relative();
  i.last_change_seq = a.last_seq;
  return i;
}

StatusOr<AudienceInfo> AudienceEngine::Save(SegmentDef def, int timeout_ms) {
  if (!ValidSlug(def.slug)) {
    return InvalidArgumentError("slug must be 1 to 64 characters of a-z, 0-9, _ and -");
  }
  {
    std::lock_guard l(mu_);
    auto c = segment::Compile(def.segment_ql, SchemaLocked(), def.slug);
    if (!c.ok()) return c.status();
  }
  auto req = std::make_unique<Request>();
  req->def = std::move(def);
  auto fut = req->done.get_future();
  {
    std::lock_guard l(mu_);
    requests_.push_back(std::move(req));
  }
  if (fut.wait_for(std::chrono::milliseconds(timeout_ms)) != std::future_status::ready) {
    return UnavailableError("the audience is still being computed; check GET /api/segment shortly");
  }
  return fut.get();
}

Status AudienceEngine::Delete(const std::string& slug, int timeout_ms) {
  {
    std::lock_guard l(mu_);
    if (!audiences_.count(slug)) return NotFoundError("no audience " + slug);
    for (const auto& [other, a] : audiences_) {
      if (other != slug && a.compiled && a.compiled->includes().count(slug)) {
        return FailedPreconditionError("audience " + other + " includes " + slug +
                                       "; change or delete " + other + " first");
      }
    }
  }
  auto req = std::make_unique<Request>();
  req->remove = true;
  req->def.slug = slug;
  auto fut = req->done.get_future();
  {
    std::lock_guard l(mu_);
    requests_.push_back(std::move(req));
  }
  if (fut.wait_for(std::chrono::milliseconds(timeout_ms)) != std::future_status::ready) {
    return UnavailableError("the deletion is still running; retry");
  }
  return fut.get().status();
}

Status AudienceEngine::SetWebhook(const std::string& slug, const std::string& url,
                                  const std::string& secret) {
  std::lock_guard l(mu_);
  auto it = audiences_.find(slug);
  if (it == audiences_.end()) return NotFoundError("no audience " + slug);
  SegmentDef d = it->second.def;
  d.webhook_url = url;
  d.webhook_secret = secret;
  d.updated_ms = clock_->NowMs();
  storage::WriteBatch b;
  b.Put(storage::Family::kMeta, stream::MetaKey("segment", slug), EncodeSegmentDef(d));
  RETURN_IF_ERROR(db_->Write(&b, /*sync=*/true));
  it->second.def = std::move(d);
  return Status::Ok();
}

Status AudienceEngine::ProcessRequests(uint32_t gen) {
  std::vector<std::unique_ptr<Request>> reqs;
  {
    std::lock_guard l(mu_);
    reqs.swap(requests_);
  }
  for (auto& req : reqs) {
    storage::WriteBatch b;
    std::lock_guard l(mu_);
    if (req->remove) {
      auto it = audiences_.find(req->def.slug);
      if (it == audiences_.end()) {
        req->done.set_value(NotFoundError("no audience " + req->def.slug));
        continue;
      }
      uint32_t id = it->second.def.id;
      b.Delete(storage::Family::kMeta, stream::MetaKey("segment", req->def.slug));
      b.Delete(storage::Family::kMeta, MembersKey(id));
      b.DeleteRange(storage::Family::kChanges, ChangeKey(id, 0), ChangeKey(id + 1, 0));
      for (auto t = timer_of_.begin(); t != timer_of_.end();) {
        if (t->first.first == id) {
          b.Delete(storage::Family::kTimers, TimerKey(t->second, id, t->first.second));
          timers_.erase({t->second, id, t->first.second});
          t = timer_of_.erase(t);
        } else {
          ++t;
        }
      }
      Status s = db_->Write(&b, true);
      if (s.ok()) audiences_.erase(it);
      AudienceInfo gone;
      gone.def.slug = req->def.slug;
      req->done.set_value(s.ok() ? StatusOr<AudienceInfo>(gone) : StatusOr<AudienceInfo>(s));
      continue;
    }
    const int64_t now = clock_->NowMs();
    SegmentDef def = std::move(req->def);
    auto existing = audiences_.find(def.slug);
    Audience fresh;
    Audience* a = &fresh;
    if (existing != audiences_.end()) {
      a = &existing->second;
      def.id = a->def.id;
      def.created_ms = a->def.created_ms;
      if (def.webhook_url.empty()) {
        def.webhook_url = a->def.webhook_url;
        def.webhook_secret = a->def.webhook_secret;
      }
    } else {
      def.id = next_id_++;
      def.created_ms = now;
    }
    def.updated_ms = now;
    a->def = def;
    auto compiled = segment::Compile(def.segment_ql, SchemaLocked(), def.slug);
    if (!compiled.ok()) {
      req->done.set_value(compiled.status());
      continue;
    }
    a->compiled = *compiled;
    if (existing == audiences_.end()) {
      a = &audiences_.emplace(def.slug, std::move(fresh)).first->second;
    }
    b.Put(storage::Family::kMeta, stream::MetaKey("segment", def.slug), EncodeSegmentDef(def));
    // A first save is not logged (the log starts after it); an edit logs who entered and
    // left. Audiences that include this one are recompiled (its text is inlined in theirs) and
    // recomputed the same way.
    const bool edit = existing != audiences_.end();
    std::map<std::string, Roaring> before;
    before[def.slug] = a->members;
    Status s = Recompute(a, gen, &b, "saved", edit);
    for (auto& [slug, d] : audiences_) {
      if (!s.ok()) break;
      if (slug == def.slug || !d.compiled || !d.compiled->includes().count(def.slug)) continue;
      auto dc = segment::Compile(d.def.segment_ql, SchemaLocked(), d.def.slug);
      if (!dc.ok()) continue;  // cannot happen: the edit compiled in their place too
      d.compiled = *dc;
      before[slug] = d.members;
      s = Recompute(&d, gen, &b, "saved", true);
    }
    PersistDirty(&b);
    if (s.ok()) s = db_->Write(&b, /*sync=*/true);
    if (!s.ok()) {
      for (auto& [slug, bits] : before) audiences_.at(slug).members = std::move(bits);
      pending_.clear();
      for (const auto& [seg, seq] : pending_seq_) {
        for (auto& [slug, d] : audiences_) {
          if (d.def.id == seg) d.last_seq = seq;
        }
      }
      pending_seq_.clear();
      req->done.set_value(s);
      continue;
    }
    Commit();
    req->done.set_value(InfoLocked(*a));
  }
  return Status::Ok();
}

std::vector<AudienceInfo> AudienceEngine::List() const {
  std::lock_guard l(mu_);
  std::vector<AudienceInfo> out;
  for (const auto& [slug, a] : audiences_) out.push_back(InfoLocked(a));
  return out;
}

std::optional<AudienceInfo> AudienceEngine::Get(const std::string& slug) const {
  std::lock_guard l(mu_);
  auto it = audiences_.find(slug);
  if (it == audiences_.end()) return std::nullopt;
  return InfoLocked(it->second);
}

std::vector<uint64_t> AudienceEngine::Members(const std::string& slug, uint64_t after_pid,
                                              size_t limit) const {
  std::lock_guard l(mu_);
  std::vector<uint64_t> out;
  auto it = audiences_.find(slug);
  if (it == audiences_.end()) return out;
  for (uint32_t pid : it->second.members) {
    if (pid <= after_pid) continue;
    out.push_back(pid);
    if (out.size() == limit) break;
  }
  return out;
}

bool AudienceEngine::IsMember(const std::string& slug, uint64_t pid) const {
  std::lock_guard l(mu_);
  auto it = audiences_.find(slug);
  return it != audiences_.end() && it->second.members.contains(static_cast<uint32_t>(pid));
}

std::vector<std::string> AudienceEngine::SegmentsOf(uint64_t pid) const {
  std::lock_guard l(mu_);
  std::vector<std::string> out;
  for (const auto& [slug, a] : audiences_) {
    if (a.members.contains(static_cast<uint32_t>(pid))) out.push_back(slug);
  }
  return out;
}

StatusOr<std::vector<Change>> AudienceEngine::Changes(const std::string& slug, uint64_t after_seq,
                                                      size_t limit) const {
  uint32_t id;
  {
    std::lock_guard l(mu_);
    auto a = audiences_.find(slug);
    if (a == audiences_.end()) return NotFoundError("no audience " + slug);
    id = a->second.def.id;
  }
  std::vector<Change> out;
  auto it = db_->NewIterator(storage::Family::kChanges);
  for (it->Seek(ChangeKey(id, after_seq + 1)); it->Valid() && out.size() < limit; it->Next()) {
    uint32_t seg;
    uint64_t seq;
    if (!DecodeChangeKey(it->key(), &seg, &seq) || seg != id) break;
    ASSIGN_OR_RETURN(Change c, DecodeChange(seq, it->value()));
    out.push_back(std::move(c));
  }
  RETURN_IF_ERROR(it->status());
  return out;
}

size_t AudienceEngine::TimerCount() const {
  std::lock_guard l(mu_);
  return timers_.size();
}

std::optional<int64_t> AudienceEngine::NextTimerDue() const {
  std::lock_guard l(mu_);
  if (timers_.empty()) return std::nullopt;
  return std::get<0>(*timers_.begin());
}

}  // namespace cohort::audience
