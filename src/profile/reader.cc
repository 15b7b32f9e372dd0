#include "profile/reader.h"

#include "common/coding.h"

namespace cohort::profile {

ProfileReader::ProfileReader(storage::Db* db, uint32_t gen)
    : db_(db), gen_(gen), snap_(db->GetSnapshot()) {}

StatusOr<ProfileRecord> ProfileReader::Load(uint64_t pid) const {
  ASSIGN_OR_RETURN(auto v, db_->Get(storage::Family::kProfile, ProfileKey(gen_, pid), snap_.get()));
  if (!v) return InternalError("profile " + std::to_string(pid) + " is indexed but not stored");
  return DecodeRecord(pid, *v);
}

StatusOr<std::optional<ProfileRecord>> ProfileReader::ByIdentity(const mapping::Identity& id) const {
  ASSIGN_OR_RETURN(auto v, db_->Get(storage::Family::kIdentity, IdentityKey(gen_, id), snap_.get()));
  if (!v) return std::optional<ProfileRecord>();
  uint64_t pid;
  if (!DecodePid(*v, &pid)) return InternalError("identity index entry is corrupt");
  ASSIGN_OR_RETURN(ProfileRecord r, Load(pid));
  return std::optional<ProfileRecord>(std::move(r));
}

StatusOr<std::optional<ProfileRecord>> ProfileReader::ByPid(uint64_t pid) const {
  ASSIGN_OR_RETURN(auto v, db_->Get(storage::Family::kProfile, ProfileKey(gen_, pid), snap_.get()));
  if (!v) return std::optional<ProfileRecord>();
  ASSIGN_OR_RETURN(ProfileRecord r, DecodeRecord(pid, *v));
  return std::optional<ProfileRecord>(std::move(r));
}

bool FieldMatches(const FieldState& state, const std::string& text) {
  mapping::Value v = state.value();
  auto scalar_is = [&](const Scalar& s) {
    switch (s.type) {
      case Scalar::Type::kString: return s.s == text;
      case Scalar::Type::kInt: return std::to_string(s.i) == text;
      case Scalar::Type::kBool: return (s.b ? "true" : "false") == text;
      case Scalar::Type::kNumber: {
        char* end = nullptr;
        double d = std::strtod(text.c_str(), &end);
        return end && *end == '\0' && d == s.d;
      }
      default: return false;
    }
  };
  if (!v.set.empty()) {
    for (const auto& m : v.set) {
      if (m == text) return true;
    }
    return false;
  }
  return scalar_is(v.scalar);
}

StatusOr<std::optional<ProfileRecord>> ProfileReader::ByField(const std::string& field,
                                                              const std::string& value) const {
  ASSIGN_OR_RETURN(auto by_id, ByIdentity({field, value}));
  if (by_id) return by_id;
  std::optional<ProfileRecord> found;
  RETURN_IF_ERROR(ForEach([&](const ProfileRecord& r) {
    const FieldState* f = r.profile.Find(field);
    if (f && FieldMatches(*f, value)) {
      found = r;
      return false;
    }
    return true;
  }));
  return found;
}

StatusOr<std::vector<ProfileRecord>> ProfileReader::List(const std::string& cursor, size_t limit,
                                                         std::string* next) const {
  std::vector<ProfileRecord> out;
  next->clear();
  auto it = db_->NewIterator(storage::Family::kProfile, snap_.get());
  const std::string prefix = GenPrefix('O', gen_);
  std::string start = prefix + cursor;
  for (it->Seek(start); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (!cursor.empty() && it->key() == start) continue;  // the cursor is the last one seen
    if (out.size() == limit) {
      *next = out.back().OrderText();
      break;
    }
    uint64_t pid;
    if (!DecodePid(it->value(), &pid)) return InternalError("profile order entry is corrupt");
    ASSIGN_OR_RETURN(ProfileRecord r, Load(pid));
    out.push_back(std::move(r));
  }
  RETURN_IF_ERROR(it->status());
  return out;
}

Status ProfileReader::ForEach(const std::function<bool(const ProfileRecord&)>& fn) const {
  auto it = db_->NewIterator(storage::Family::kProfile, snap_.get());
  const std::string prefix = GenPrefix('O', gen_);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    uint64_t pid;
    if (!DecodePid(it->value(), &pid)) return InternalError("profile order entry is corrupt");
    ASSIGN_OR_RETURN(ProfileRecord r, Load(pid));
    if (!fn(r)) break;
  }
  return it->status();
}

Status ProfileReader::ForEachById(const std::function<bool(const ProfileRecord&)>& fn) const {
  auto it = db_->NewIterator(storage::Family::kProfile, snap_.get());
  const std::string prefix = GenPrefix('P', gen_);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view k = it->key().substr(prefix.size());
    uint64_t pid;
    if (!DecodePid(k, &pid)) return InternalError("profile key is corrupt");
    ASSIGN_OR_RETURN(ProfileRecord r, DecodeRecord(pid, it->value()));
    if (!fn(r)) break;
  }
  return it->status();
}

}  // namespace cohort::profile
