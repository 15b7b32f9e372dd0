#include "auth/token_store.h"

#include <algorithm>

#include "auth/crypto.h"
#include "common/coding.h"

namespace cohort::auth {
namespace {

// meta key: "token" 0x00 id. Value: version 1, role byte, hash (32 bytes, length-prefixed),
// name (length-prefixed), created_at (zig-zag varint).
std::string TokenKey(std::string_view id) {
  std::string k = "token";
  k.push_back('\0');
  k.append(id);
  return k;
}

}  // namespace

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kAdmin: return "admin";
    case Role::kCollect: return "collect";
    case Role::kRead: return "read";
  }
  return "?";
}

std::optional<Role> ParseRole(std::string_view s) {
  if (s == "admin") return Role::kAdmin;
  if (s == "collect") return Role::kCollect;
  if (s == "read") return Role::kRead;
  return std::nullopt;
}

bool RoleAllows(Role role, Access access) {
  switch (role) {
    case Role::kAdmin: return true;
    case Role::kCollect: return access == Access::kCollect;
    case Role::kRead: return access == Access::kApiRead;
  }
  return false;
}

StatusOr<std::unique_ptr<TokenStore>> TokenStore::Load(storage::Db* db, const Clock* clock) {
  std::unique_ptr<TokenStore> s(new TokenStore(db, clock));
  auto it = db->NewIterator(storage::Family::kMeta);
  const std::string prefix = TokenKey("");
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view v = it->value();
    TokenInfo info;
    info.id = std::string(it->key().substr(prefix.size()));
    std::string_view hash, name;
    if (v.size() < 2 || v[0] != 1) return InternalError("stored token " + info.id + " is corrupt");
    info.role = static_cast<Role>(v[1]);
    v.remove_prefix(2);
    if (!GetLengthPrefixed(&v, &hash) || !GetLengthPrefixed(&v, &name) ||
        !GetVarsint64(&v, &info.created_at_ms)) {
      return InternalError("stored token " + info.id + " is corrupt");
    }
    info.name = name;
    s->by_hash_[std::string(hash)] = std::move(info);
  }
  RETURN_IF_ERROR(it->status());
  return s;
}

Status TokenStore::Persist(const TokenInfo& info, const std::string& hash) {
  std::string v;
  v.push_back(1);
  v.push_back(static_cast<char>(info.role));
  PutLengthPrefixed(&v, hash);
  PutLengthPrefixed(&v, info.name);
  PutVarsint64(&v, info.created_at_ms);
  storage::WriteBatch b;
  b.Put(storage::Family::kMeta, TokenKey(info.id), v);
  return db_->Write(&b, /*sync=*/true);
}

StatusOr<std::pair<TokenInfo, std::string>> TokenStore::Create(std::string name, Role role) {
  ASSIGN_OR_RETURN(std::string secret, RandomHex(24));
  ASSIGN_OR_RETURN(std::string id, RandomHex(8));
  std::string token = "coh_" + secret;
  TokenInfo info{id, std::move(name), role, clock_->NowMs()};
  std::string hash = Sha256(token);
  RETURN_IF_ERROR(Persist(info, hash));
  std::lock_guard l(mu_);
  by_hash_[hash] = info;
  return std::make_pair(info, token);
}

StatusOr<std::string> TokenStore::Bootstrap(const std::string& given) {
  {
    std::lock_guard l(mu_);
    if (!by_hash_.empty()) {
      // A configured admin token is honoured on every start: add it if it is not there yet.
      if (given.empty() || by_hash_.count(Sha256(given))) return std::string();
    }
  }
  if (given.empty()) {
    ASSIGN_OR_RETURN(auto created, Create("bootstrap admin", Role::kAdmin));
    return created.second;
  }
  if (given.size() < 16) {
    return InvalidArgumentError("the admin token must be at least 16 characters long; set a "
                                "longer --admin-token / COHORT_ADMIN_TOKEN");
  }
  ASSIGN_OR_RETURN(std::string id, RandomHex(8));
  TokenInfo info{id, "bootstrap admin", Role::kAdmin, clock_->NowMs()};
  std::string hash = Sha256(given);
  RETURN_IF_ERROR(Persist(info, hash));
  std::lock_guard l(mu_);
  by_hash_[hash] = info;
  return given;
}

std::vector<TokenInfo> TokenStore::List() const {
  std::lock_guard l(mu_);
  std::vector<TokenInfo> out;
  for (const auto& [h, info] : by_hash_) out.push_back(info);
  std::sort(out.begin(), out.end(), [](const TokenInfo& a, const TokenInfo& b) {
    return a.created_at_ms != b.created_at_ms ? a.created_at_ms < b.created_at_ms : a.id < b.id;
  });
  return out;
}

Status TokenStore::Revoke(const std::string& id) {
  std::string hash;
  {
    std::lock_guard l(mu_);
    for (const auto& [h, info] : by_hash_) {
      if (info.id == id) hash = h;
    }
  }
  if (hash.empty()) return NotFoundError("no token with id " + id + "; list them with GET /api/token");
  storage::WriteBatch b;
  b.Delete(storage::Family::kMeta, TokenKey(id));
  RETURN_IF_ERROR(db_->Write(&b, /*sync=*/true));
  std::lock_guard l(mu_);
  by_hash_.erase(hash);
  return Status::Ok();
}

std::optional<TokenInfo> TokenStore::Authenticate(std::string_view token) const {
  if (token.empty()) return std::nullopt;
  // The lookup is by the SHA-256 of the token, so timing reveals nothing about the token;
  // the final comparison is constant-time anyway.
  std::string hash = Sha256(token);
  std::lock_guard l(mu_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end() || !ConstantTimeEquals(it->first, hash)) return std::nullopt;
  return it->second;
}

}  // namespace cohort::auth
