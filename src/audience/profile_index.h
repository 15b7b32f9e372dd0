// ProfileIndex: an in-memory index of every profile's fields, for sizing audiences in
// milliseconds without reading profiles (the audience builder sizes as the user types, and
// saving an audience computes its membership over every profile).
//
//  - per field: a bitmap of the profiles that have it;
//  - string and bool values, []string members, map keys: value → bitmap;
//  - int, number and date values: a dense array indexed by profile id (scanned);
//  - map values per key (intsum, int, time; string): value → bitmap.
//
// Evaluate turns a bound filter into bitmap algebra (AND → ∩, OR → ∪, NOT → complement within
// all profiles) with exactly the semantics of segment::CompiledSegment::Matches (a property
// test holds them equal). Atoms it cannot answer (maps of numbers) make it return nullopt and
// callers fall back to evaluating profiles one by one.
//
// Thread-compatible: the AudienceEngine guards it with its mutex.
#pragma once

#include <roaring/roaring.hh>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "profile/profile.h"
#include "segment/binder.h"

namespace cohort::audience {

class ProfileIndex {
 public:
  void Clear();
  // Adds profile `pid` (which must not be indexed yet).
  void Add(uint32_t pid, const profile::Profile& p);
  // Removes profile `pid`, whose indexed state is `p` (the version that was Added).
  void Remove(uint32_t pid, const profile::Profile& p);
  std::optional<Roaring> Evaluate(const segment::BoundFilter& filter, int64_t now_ms) const;
  const Roaring& all() const { return all_; }
  size_t MemoryBytes() const;

 private:
  struct FieldIndex {
    mapping::Kind kind = mapping::Kind::kString;
    Roaring present;
    std::map<std::string, Roaring> values;  // bool values, set members, map keys
    // string fields: a dictionary of distinct values and each profile's value id + 1 (0 =
    // none). Atoms test each distinct value once, then scan the ids: identity-like fields
    // (one value per profile) cost 4 bytes per profile instead of a bitmap per value.
    std::string dict_bytes;          // the distinct values back to back (scanned in order)
    std::vector<uint32_t> dict_end;  // value i is dict_bytes[end[i-1], end[i])
    std::unordered_map<std::string, uint32_t> dict_id;
    std::vector<uint32_t> value_of;
    std::vector<int64_t> ints;              // int and date values; kMissing when absent
    std::vector<double> nums;               // number values; NaN when absent
    std::map<std::string, std::map<int64_t, Roaring>> key_ints;         // intsum/int/time maps
    std::map<std::string, std::map<std::string, Roaring>> key_strings;  // map[string]string
  };
  static constexpr int64_t kMissing = INT64_MIN;

  void Update(uint32_t pid, const profile::Profile& p, bool add);
  std::optional<Roaring> Node(const segment::BoundNode& n, int64_t now) const;
  std::optional<Roaring> Atom(const segment::BoundNode& n, int64_t now) const;

  Roaring all_;
  std::map<std::string, FieldIndex, std::less<>> fields_;
};

}  // namespace cohort::audience
