// Request ids: every request gets one, echoed as X-Request-Id and used in error envelopes and
// logs so that a user's report can be matched to a log line. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace cohort::http {

// Longest client-supplied X-Request-Id that is reused as is.
inline constexpr size_t kMaxClientRequestIdLength = 64;

// A fresh id: 16 lowercase hex characters, random per process and unique within it.
std::string NewRequestId();

// True if a client-sent X-Request-Id may be reused: 1 to 64 characters, each a letter, digit
// or one of "-_.:". Anything else (which could forge log lines or headers) gets a fresh id.
bool IsSafeRequestId(std::string_view id);

// The client's id if it is safe, otherwise a fresh one. `client_id` may be null.
std::string ChooseRequestId(const std::string* client_id);

}  // namespace cohort::http
