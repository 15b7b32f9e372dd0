#include "stream/catalog.h"

#include "common/coding.h"
#include "stream/key_codec.h"

namespace cohort::stream {

StatusOr<std::unique_ptr<StreamCatalog>> StreamCatalog::Load(storage::Db* db) {
  std::unique_ptr<StreamCatalog> c(new StreamCatalog(db));
  auto it = db->NewIterator(storage::Family::kMeta);
  const std::string prefix = MetaPrefix("stream");
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string name(it->key().substr(prefix.size()));
    std::string_view v = it->value();
    uint32_t id;
    if (!GetBigEndian32(&v, &id)) return InternalError("stored stream id of " + name + " is corrupt");
    StreamInfo info;
    info.id = id;
    info.name = name;
    info.config = DefaultStreamConfig(name);
    c->by_id_[id] = std::move(info);
    c->by_name_[name] = id;
    c->next_id_ = std::max(c->next_id_, id + 1);
  }
  RETURN_IF_ERROR(it->status());
  for (auto& [id, info] : c->by_id_) {
    std::string n = StreamIdName(id);
    ASSIGN_OR_RETURN(auto stats, db->Get(storage::Family::kMeta, MetaKey("stats", n)));
    if (stats) RETURN_IF_ERROR(DecodeStats(*stats, &info.stats));
    ASSIGN_OR_RETURN(auto fields, db->Get(storage::Family::kMeta, MetaKey("fields", n)));
    if (fields) RETURN_IF_ERROR(DecodeCatalog(*fields, &info.fields));
    ASSIGN_OR_RETURN(auto config, db->Get(storage::Family::kMeta, MetaKey("config", n)));
    if (config) {
      RETURN_IF_ERROR(DecodeConfig(*config, &info.config));
      info.configured = true;
    }
  }
  return c;
}

uint32_t StreamCatalog::IdFor(const std::string& name, bool* created) {
  std::lock_guard l(mu_);
  auto it = by_name_.find(name);
  *created = it == by_name_.end();
  if (!*created) return it->second;
  uint32_t id = next_id_++;
  StreamInfo info;
  info.id = id;
  info.name = name;
  info.config = DefaultStreamConfig(name);
  by_id_[id] = std::move(info);
  by_name_[name] = id;
  return id;
}

std::optional<uint32_t> StreamCatalog::FindId(const std::string& name) const {
  std::lock_guard l(mu_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> StreamCatalog::NameOf(uint32_t id) const {
  std::lock_guard l(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second.name;
}

void StreamCatalog::PersistNameOps(storage::WriteBatch* batch, const std::string& name,
                                   uint32_t id) {
  std::string v;
  PutBigEndian32(&v, id);
  batch->Put(storage::Family::kMeta, MetaKey("stream", name), v);
}

std::optional<StreamInfo> StreamCatalog::Get(const std::string& name) const {
  std::lock_guard l(mu_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return by_id_.at(it->second);
}

std::vector<StreamInfo> StreamCatalog::List(bool with_fields) const {
  std::lock_guard l(mu_);
  std::vector<StreamInfo> out;
  for (const auto& [name, id] : by_name_) {
    out.push_back(by_id_.at(id));
    if (!with_fields) out.back().fields.clear();
  }
  return out;
}

StreamConfig StreamCatalog::ConfigOf(const std::string& name) const {
  std::lock_guard l(mu_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return DefaultStreamConfig(name);
  return by_id_.at(it->second).config;
}

Status StreamCatalog::PutConfig(const std::string& name, const StreamConfig& config) {
  bool created;
  uint32_t id = IdFor(name, &created);
  storage::WriteBatch b;
  PersistNameOps(&b, name, id);
  b.Put(storage::Family::kMeta, MetaKey("config", StreamIdName(id)), EncodeConfig(config));
  RETURN_IF_ERROR(db_->Write(&b, /*sync=*/true));
  std::lock_guard l(mu_);
  StreamInfo& info = by_id_.at(id);
  info.config = config;
  info.configured = true;
  return Status::Ok();
}

StreamInfo* StreamCatalog::FindLocked(uint32_t id) {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

void StreamCatalog::ApplyCommitted(uint32_t id, const StreamStats& delta,
                                   const FieldCatalog& merged) {
  std::lock_guard l(mu_);
  StreamInfo* info = FindLocked(id);
  if (!info) return;
  info->stats.Add(delta);
  info->fields = merged;
}

FieldCatalog StreamCatalog::FieldsOf(uint32_t id) const {
  std::lock_guard l(mu_);
  auto it = by_id_.find(id);
  return it == by_id_.end() ? FieldCatalog{} : it->second.fields;
}

StreamStats StreamCatalog::StatsOf(uint32_t id) const {
  std::lock_guard l(mu_);
  auto it = by_id_.find(id);
  return it == by_id_.end() ? StreamStats{} : it->second.stats;
}

}  // namespace cohort::stream
