// API tokens (SPEC §2.1, §2.8): roles, SHA-256 hashes at rest, constant-time checks, the
// bootstrap admin token. Plain tokens exist only in the Create/Bootstrap results.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "storage/db.h"

namespace cohort::auth {

// Persisted as one byte: do not renumber.
enum class Role : uint8_t { kAdmin = 1, kCollect = 2, kRead = 3 };
std::string_view RoleName(Role r);
std::optional<Role> ParseRole(std::string_view s);

// What a request wants to do; RoleAllows decides.
enum class Access { kCollect, kApiRead, kApiWrite };
bool RoleAllows(Role role, Access access);

struct TokenInfo {
  std::string id;    // public id, 16 hex chars
  std::string name;
  Role role = Role::kRead;
  int64_t created_at_ms = 0;
};

class TokenStore {
 public:
  // `db` and `clock` must outlive the store.
  static StatusOr<std::unique_ptr<TokenStore>> Load(storage::Db* db, const Clock* clock);

  // Creates a token; returns its info and, this once, the plain token.
  StatusOr<std::pair<TokenInfo, std::string>> Create(std::string name, Role role);
  // On an empty store, creates the admin token: `given` if non-empty (it must be at least 16
  // characters), else a random one. Returns the plain token when one was created, "" if the
  // store already had tokens.
  StatusOr<std::string> Bootstrap(const std::string& given);
  std::vector<TokenInfo> List() const;
  Status Revoke(const std::string& id);
  // The token's info, or std::nullopt if unknown/revoked.
  std::optional<TokenInfo> Authenticate(std::string_view token) const;

 private:
  TokenStore(storage::Db* db, const Clock* clock) : db_(db), clock_(clock) {}
  Status Persist(const TokenInfo& info, const std::string& hash);

  storage::Db* const db_;
  const Clock* const clock_;
  mutable std::mutex mu_;
  std::map<std::string, TokenInfo> by_hash_;  // GUARDED_BY(mu_): SHA-256(token) → info
};

}  // namespace cohort::auth
