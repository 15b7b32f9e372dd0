#include "profile/store_keys.h"

#include <algorithm>

#include "common/coding.h"
#include "profile/encoding.h"

namespace cohort::profile {

std::string GenPrefix(char tag, uint32_t gen) {
  std::string k;
  if (tag) k.push_back(tag);
  PutBigEndian32(&k, gen);
  return k;
}

std::string GenPrefixEnd(char tag, uint32_t gen) { return GenPrefix(tag, gen + 1); }

std::string ProfileKey(uint32_t gen, uint64_t pid) {
  std::string k = GenPrefix('P', gen);
  PutBigEndian64(&k, pid);
  return k;
}

std::string OrderKey(uint32_t gen, std::string_view order) {
  std::string k = GenPrefix('O', gen);
  k.append(order);
  return k;
}

std::string IdentityText(const mapping::Identity& id) {
  std::string s = id.field;
  s.push_back('\0');
  s.append(id.value);
  return s;
}

bool IdentityTextLess(const mapping::Identity& a, const mapping::Identity& b) {
  if (a.field == b.field) return a.value < b.value;
  // The texts differ within the fields or at the 0 byte ending the shorter one.
  auto byte = [](const mapping::Identity& x, size_t i) -> int {
    return i < x.field.size() ? static_cast<unsigned char>(x.field[i]) : 0;
  };
  const size_t n = std::min(a.field.size(), b.field.size()) + 1;
  for (size_t i = 0; i < n; ++i) {
    int ca = byte(a, i), cb = byte(b, i);
    if (ca != cb) return ca < cb;
  }
  // Only reached when a field holds a 0 byte: compare the texts themselves.
  return IdentityText(a) < IdentityText(b);
}

std::string IdentityKey(uint32_t gen, const mapping::Identity& id) {
  std::string k = GenPrefix(0, gen);
  k.append(IdentityText(id));
  return k;
}

std::string EncodePid(uint64_t pid) {
  std::string v;
  PutBigEndian64(&v, pid);
  return v;
}

bool DecodePid(std::string_view v, uint64_t* pid) { return v.size() == 8 && GetBigEndian64(&v, pid); }

std::string ProfileRecord::OrderText() const {
  if (identities.empty()) return "";
  return IdentityText(*std::min_element(identities.begin(), identities.end(), IdentityTextLess));
}

std::string EncodeRecord(const ProfileRecord& r) {
  std::string v;
  v.push_back(1);
  PutVarint64(&v, r.identities.size());
  for (const auto& i : r.identities) {
    PutLengthPrefixed(&v, i.field);
    PutLengthPrefixed(&v, i.value);
  }
  EncodeTo(r.profile, &v);
  return v;
}

StatusOr<ProfileRecord> DecodeRecord(uint64_t pid, std::string_view v) {
  ProfileRecord r;
  r.id = pid;
  uint64_t n;
  if (v.empty() || v[0] != 1) return InternalError("profile record has an unknown version");
  v.remove_prefix(1);
  if (!GetVarint64(&v, &n)) return InternalError("profile record is truncated");
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view f, val;
    if (!GetLengthPrefixed(&v, &f) || !GetLengthPrefixed(&v, &val)) {
      return InternalError("profile record is truncated");
    }
    r.identities.push_back({std::string(f), std::string(val)});
  }
  ASSIGN_OR_RETURN(r.profile, Decode(v));
  return r;
}

}  // namespace cohort::profile
