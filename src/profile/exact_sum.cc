#include "profile/exact_sum.h"

#include <array>
#include <bit>
#include <cfloat>
#include <cmath>

#include "common/coding.h"

namespace cohort::profile {
namespace {

constexpr int kBits = ExactSum::kLimbs * 64;  // 2176
using Limbs = std::array<uint64_t, ExactSum::kLimbs>;

bool Bit(const Limbs& m, int pos) { return (m[pos / 64] >> (pos % 64)) & 1; }

// Index of the highest set bit; m must be non-zero.
int HighestBit(const Limbs& m) {
  for (int i = ExactSum::kLimbs - 1;; --i) {
    if (m[i] != 0) return i * 64 + 63 - std::countl_zero(m[i]);
  }
}

// Index of the lowest set bit; m must be non-zero.
int LowestBit(const Limbs& m) {
  for (int i = 0;; ++i) {
    if (m[i] != 0) return i * 64 + std::countr_zero(m[i]);
  }
}

// Up to 64 bits of m starting at bit `pos` (bits past the top read as zero).
uint64_t Extract64(const Limbs& m, int pos) {
  int i = pos / 64, off = pos % 64;
  uint64_t v = m[i] >> off;
  if (off != 0 && i + 1 < ExactSum::kLimbs) v |= m[i + 1] << (64 - off);
  return v;
}

// Whether any bit below `pos` is set.
bool AnyBelow(const Limbs& m, int pos) {
  int i = pos / 64, off = pos % 64;
  for (int j = 0; j < i; ++j) {
    if (m[j] != 0) return true;
  }
  return off != 0 && (m[i] & ((uint64_t{1} << off) - 1)) != 0;
}

void Negate(Limbs* m) {
  uint64_t carry = 1;
  for (uint64_t& limb : *m) {
    limb = ~limb + carry;
    carry = (carry != 0 && limb == 0) ? 1 : 0;
  }
}

// Splits a two's complement value into sign and magnitude.
Limbs Magnitude(const std::vector<uint64_t>& limbs, bool* negative) {
  Limbs m{};
  std::copy(limbs.begin(), limbs.end(), m.begin());
  *negative = (m[ExactSum::kLimbs - 1] >> 63) != 0;
  if (*negative) Negate(&m);
  return m;
}

}  // namespace

void ExactSum::EnsureLimbs() {
  if (limbs_.empty()) limbs_.assign(kLimbs, 0);
}

void ExactSum::AddAt(int index, uint64_t v) {
  for (int i = index; i < kLimbs && v != 0; ++i) {
    limbs_[i] += v;
    v = limbs_[i] < v ? 1 : 0;
  }
}

void ExactSum::SubtractAt(int index, uint64_t v) {
  for (int i = index; i < kLimbs && v != 0; ++i) {
    uint64_t before = limbs_[i];
    limbs_[i] -= v;
    v = before < v ? 1 : 0;
  }
}

bool ExactSum::Add(double x) {
  if (!std::isfinite(x)) return false;
  uint64_t bits = std::bit_cast<uint64_t>(x);
  bool negative = (bits >> 63) != 0;
  int exponent = static_cast<int>((bits >> 52) & 0x7ff);
  uint64_t mantissa = bits & ((uint64_t{1} << 52) - 1);
  // x = mantissa * 2^(shift - 1074).
  int shift = 0;
  if (exponent != 0) {
    mantissa |= uint64_t{1} << 52;
    shift = exponent - 1;
  }
  if (mantissa == 0) return true;
  EnsureLimbs();
  int index = shift / 64, off = shift % 64;
  uint64_t low = mantissa << off;
  uint64_t high = off == 0 ? 0 : mantissa >> (64 - off);
  if (negative) {
    SubtractAt(index, low);
    SubtractAt(index + 1, high);
  } else {
    AddAt(index, low);
    AddAt(index + 1, high);
  }
  return true;
}

void ExactSum::Merge(const ExactSum& other) {
  if (other.limbs_.empty()) return;
  EnsureLimbs();
  uint64_t carry = 0;
  for (int i = 0; i < kLimbs; ++i) {
    uint64_t a = limbs_[i], b = other.limbs_[i];
    uint64_t s = a + b;
    uint64_t c1 = s < a ? 1 : 0;
    uint64_t s2 = s + carry;
    uint64_t c2 = s2 < s ? 1 : 0;
    limbs_[i] = s2;
    carry = c1 | c2;
  }
}

bool ExactSum::IsZero() const {
  for (uint64_t limb : limbs_) {
    if (limb != 0) return false;
  }
  return true;
}

bool ExactSum::operator==(const ExactSum& other) const {
  if (limbs_.empty() || other.limbs_.empty()) return IsZero() && other.IsZero();
  return limbs_ == other.limbs_;
}

double ExactSum::ToDouble() const {
  if (IsZero()) return 0.0;
  bool negative;
  Limbs m = Magnitude(limbs_, &negative);
  int top = HighestBit(m);
  double result;
  if (top < 53) {
    // Fits a double's mantissa as is: a subnormal or small normal, exact.
    result = std::ldexp(static_cast<double>(m[0]), -1074);
  } else {
    // Keep the top 53 bits and round to nearest, ties to even.
    int lsb = top - 52;
    uint64_t mantissa = Extract64(m, lsb) & ((uint64_t{1} << 53) - 1);
    bool round = Bit(m, lsb - 1);
    bool sticky = AnyBelow(m, lsb - 1);
    if (round && (sticky || (mantissa & 1) != 0)) {
      ++mantissa;
      if (mantissa == uint64_t{1} << 53) {
        mantissa >>= 1;
        ++lsb;
      }
    }
    // mantissa >= 2^52 and lsb >= 1, so the result is normal and ldexp is exact unless it
    // overflows.
    result = std::ldexp(static_cast<double>(mantissa), lsb - 1074);
    if (std::isinf(result)) result = DBL_MAX;
  }
  return negative ? -result : result;
}

// Layout: a tag byte (0 = zero, 1 = positive, 2 = negative); for a non-zero sum then
// varint z (the magnitude's trailing zero bits), varint n, and n varint limbs of
// magnitude >> z, least significant first (the first limb odd, the last non-zero).
void ExactSum::EncodeTo(std::string* dst) const {
  if (IsZero()) {
    dst->push_back(0);
    return;
  }
  bool negative;
  Limbs m = Magnitude(limbs_, &negative);
  dst->push_back(negative ? 2 : 1);
  int low = LowestBit(m), top = HighestBit(m);
  int n = (top - low) / 64 + 1;
  PutVarint64(dst, static_cast<uint64_t>(low));
  PutVarint64(dst, static_cast<uint64_t>(n));
  for (int i = 0; i < n; ++i) PutVarint64(dst, Extract64(m, low + 64 * i));
}

bool ExactSum::DecodeFrom(std::string_view* in, ExactSum* out) {
  out->limbs_.clear();
  if (in->empty()) return false;
  uint8_t tag = static_cast<uint8_t>(in->front());
  in->remove_prefix(1);
  if (tag == 0) return true;
  if (tag > 2) return false;
  bool negative = tag == 2;
  uint64_t low, n;
  if (!GetVarint64(in, &low) || !GetVarint64(in, &n)) return false;
  if (n == 0 || n > kLimbs || low >= kBits) return false;
  uint64_t parts[kLimbs];
  for (uint64_t i = 0; i < n; ++i) {
    if (!GetVarint64(in, &parts[i])) return false;
  }
  if ((parts[0] & 1) == 0 || parts[n - 1] == 0) return false;
  // The magnitude must be below 2^2175 (or exactly 2^2175 when negative).
  uint64_t width = (n - 1) * 64 + (64 - std::countl_zero(parts[n - 1]));
  uint64_t top = low + width;  // bits used
  bool fits = top <= kBits - 1 || (negative && top == kBits && n == 1 && parts[0] == 1);
  if (!fits) return false;
  Limbs m{};
  int index = static_cast<int>(low / 64), off = static_cast<int>(low % 64);
  for (uint64_t i = 0; i < n; ++i) {
    int at = index + static_cast<int>(i);
    m[at] |= parts[i] << off;
    if (off != 0 && at + 1 < kLimbs) m[at + 1] |= parts[i] >> (64 - off);
  }
  if (negative) Negate(&m);
  out->limbs_.assign(m.begin(), m.end());
  return true;
}

}  // namespace cohort::profile
