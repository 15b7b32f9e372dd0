// Reading profiles of one generation: by identity, by any field, and paged listings in the
// stable order of OrderKey. Stateless over a Db snapshot; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "profile/store_keys.h"
#include "storage/db.h"

namespace cohort::profile {

class ProfileReader {
 public:
  // `db` must outlive the reader; reads see the state at construction (a snapshot).
  ProfileReader(storage::Db* db, uint32_t gen);

  StatusOr<std::optional<ProfileRecord>> ByIdentity(const mapping::Identity& id) const;
  // The profile with this id, or nullopt (merged away, erased, or never existed).
  StatusOr<std::optional<ProfileRecord>> ByPid(uint64_t pid) const;
  // An identity lookup first; otherwise the first profile (in listing order) whose field
  // renders to `value` (strings, numbers, booleans; set members) — a scan.
  StatusOr<std::optional<ProfileRecord>> ByField(const std::string& field,
                                                 const std::string& value) const;
  // Up to `limit` profiles after `cursor` ("" = from the start); *next is the cursor of the
  // next page, "" at the end.
  StatusOr<std::vector<ProfileRecord>> List(const std::string& cursor, size_t limit,
                                            std::string* next) const;
  // Calls fn for every profile in listing order; fn returns false to stop.
  Status ForEach(const std::function<bool(const ProfileRecord&)>& fn) const;
  // Calls fn for every profile in id order, reading the records sequentially (much faster
  // than ForEach, which looks each one up from the listing index); fn returns false to stop.
  Status ForEachById(const std::function<bool(const ProfileRecord&)>& fn) const;

 private:
  StatusOr<ProfileRecord> Load(uint64_t pid) const;

  storage::Db* const db_;
  const uint32_t gen_;
  std::shared_ptr<const storage::Snapshot> snap_;
};

// Whether a field's value matches `text` (the rendering used by ByField).
bool FieldMatches(const FieldState& state, const std::string& text);

}  // namespace cohort::profile
