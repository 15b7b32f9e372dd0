// ExactSum: the exact sum of finite doubles, for the `sum` merge of `number` fields.
//
// Floating-point addition is not associative: (0.1 + 0.2) + 0.3 != 0.1 + (0.2 + 0.3). A sum
// kept as a double would therefore depend on the order events arrive in, which SPEC §5.5
// forbids. ExactSum keeps the sum as a fixed-point integer in units of 2^-1074 (the smallest
// subnormal double): every finite double is an integer multiple of that unit and below 2^1024,
// so a 2176-bit two's complement integer holds the exact sum of up to 2^77 doubles. Integer
// addition is associative and commutative, and the rendered double is a function of the exact
// value only, so any grouping or order of additions gives the same state and the same answer.
//
// The limbs are allocated on the first non-zero addition (an empty ExactSum is 0). A value
// type; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cohort::profile {

class ExactSum {
 public:
  // Number of 64-bit limbs: 2176 bits, enough for 2^77 additions of the largest double.
  static constexpr int kLimbs = 34;

  // Adds a finite double. Returns false, changing nothing, for NaN or infinity.
  bool Add(double x);
  // Adds another sum (exact).
  void Merge(const ExactSum& other);

  // The double nearest to the exact sum (ties to even). Sums beyond the double range clamp to
  // ±DBL_MAX. Never returns -0.0.
  double ToDouble() const;
  bool IsZero() const;

  // Compares exact values.
  bool operator==(const ExactSum& other) const;

  // Appends the encoding described in docs/profile.md ("number sum"). The encoding is
  // canonical: equal values encode to equal bytes.
  void EncodeTo(std::string* dst) const;
  // Reads an encoding from the front of *in and advances it. Returns false on truncated or
  // non-canonical input or a value outside the accumulator's range; *out is then unspecified.
  static bool DecodeFrom(std::string_view* in, ExactSum* out);

 private:
  void EnsureLimbs();
  void AddAt(int index, uint64_t v);       // += v << (64 * index), carrying upwards
  void SubtractAt(int index, uint64_t v);  // -= v << (64 * index), borrowing upwards

  // Empty means zero; otherwise kLimbs limbs, least significant first, two's complement of
  // (sum * 2^1074) modulo 2^2176.
  std::vector<uint64_t> limbs_;
};

}  // namespace cohort::profile
