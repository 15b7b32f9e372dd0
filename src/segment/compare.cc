#include "segment/compare.h"

namespace cohort::segment {
namespace {

template <typename T>
int Sign(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

}  // namespace

int CompareNumbers(const mapping::Scalar& a, const mapping::Scalar& b) {
  using T = mapping::Scalar::Type;
  if (a.type == T::kInt && b.type == T::kInt) return Sign(a.i, b.i);
  if (a.type == T::kNumber && b.type == T::kNumber) return Sign(a.d, b.d);
  // Mixed: long double holds every int64 and every double exactly (64-bit or wider mantissa
  // on the platforms we build for), so the comparison is exact.
  static_assert(sizeof(long double) > sizeof(double), "needs extended precision long double");
  long double x = a.type == T::kInt ? static_cast<long double>(a.i) : a.d;
  long double y = b.type == T::kInt ? static_cast<long double>(b.i) : b.d;
  return Sign(x, y);
}

int CompareText(std::string_view a, std::string_view b) {
  int c = a.compare(b);  // char_traits<char>::compare orders as unsigned bytes
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int CompareInstant(int64_t a, int64_t base, int64_t offset) {
  __int128 rhs = static_cast<__int128>(base) + offset;
  return Sign(static_cast<__int128>(a), rhs);
}

bool Holds(CompareOp op, int c) {
  switch (op) {
    case CompareOp::kEq:
      return c == 0;
    case CompareOp::kNe:
      return c != 0;
    case CompareOp::kLt:
      return c < 0;
    case CompareOp::kLe:
      return c <= 0;
    case CompareOp::kGt:
      return c > 0;
    case CompareOp::kGe:
      return c >= 0;
  }
  return false;
}

}  // namespace cohort::segment
