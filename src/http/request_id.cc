#include "http/request_id.h"

#include <atomic>
#include <cstdint>
#include <random>

namespace cohort::http {
namespace {

// A random 64-bit base per process plus a counter, mixed by a bijective finaliser
// (SplitMix64), gives ids that are unique within the process and not guessable in sequence.
uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t ProcessBase() {
  static const uint64_t base = [] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }();
  return base;
}

}  // namespace

std::string NewRequestId() {
  static std::atomic<uint64_t> counter{0};
  const uint64_t v = Mix(ProcessBase() + counter.fetch_add(1, std::memory_order_relaxed));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 0; i < 16; ++i) out[i] = kHex[(v >> (60 - 4 * i)) & 0xf];
  return out;
}

bool IsSafeRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxClientRequestIdLength) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

std::string ChooseRequestId(const std::string* client_id) {
  if (client_id != nullptr && IsSafeRequestId(*client_id)) return *client_id;
  return NewRequestId();
}

}  // namespace cohort::http
