// Hashing, HMAC and randomness (OpenSSL), and the Customer.io signature check (SPEC §2.2).
// Stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace cohort::auth {

// Raw 32-byte SHA-256 digest.
std::string Sha256(std::string_view data);
// Lowercase hex HMAC-SHA256 of `message` keyed with `key`.
std::string HmacSha256Hex(std::string_view key, std::string_view message);
// Compares in time independent of where the inputs differ (length is not secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// `bytes` cryptographically random bytes as lowercase hex.
StatusOr<std::string> RandomHex(size_t bytes);

// Checks X-CIO-Signature: hex HMAC-SHA256(key, "v0:" + timestamp + ":" + body), in constant
// time, case-insensitively in the hex. kUnauthenticated with a message that says what to fix.
Status VerifySignature(std::string_view key, std::string_view timestamp, std::string_view body,
                       std::string_view signature_hex, std::string_view header_prefix);

}  // namespace cohort::auth
