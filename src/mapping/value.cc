#include "mapping/value.h"

#include <array>

namespace cohort::mapping {
namespace {

struct KindEntry {
  Kind kind;
  std::string_view name;
};
constexpr std::array<KindEntry, 11> kKinds = {{
    {Kind::kString, "string"},
    {Kind::kInt, "int"},
    {Kind::kNumber, "number"},
    {Kind::kBool, "bool"},
    {Kind::kDate, "date"},
    {Kind::kStringSet, "[]string"},
    {Kind::kMapIntSum, "map[string]intsum"},
    {Kind::kMapInt, "map[string]int"},
    {Kind::kMapNumber, "map[string]number"},
    {Kind::kMapString, "map[string]string"},
    {Kind::kMapTime, "map[string]time"},
}};

struct OpEntry {
  MergeOp op;
  std::string_view name;
};
constexpr std::array<OpEntry, 12> kOps = {{
    {MergeOp::kDefault, "default"},
    {MergeOp::kLatest, "latest"},
    {MergeOp::kOldest, "oldest"},
    {MergeOp::kMax, "max"},
    {MergeOp::kMin, "min"},
    {MergeOp::kSum, "sum"},
    {MergeOp::kCount, "count"},
    {MergeOp::kUnion, "union"},
    {MergeOp::kMapSum, "mapsum"},
    {MergeOp::kMapLatest, "maplatest"},
    {MergeOp::kMapMax, "mapmax"},
    {MergeOp::kMapMin, "mapmin"},
}};

}  // namespace

std::string_view KindName(Kind k) {
  for (const KindEntry& e : kKinds) {
    if (e.kind == k) return e.name;
  }
  return "unknown";
}

std::optional<Kind> ParseKind(std::string_view s) {
  for (const KindEntry& e : kKinds) {
    if (e.name == s) return e.kind;
  }
  return std::nullopt;
}

std::string_view MergeOpName(MergeOp op) {
  for (const OpEntry& e : kOps) {
    if (e.op == op) return e.name;
  }
  return "unknown";
}

std::optional<MergeOp> ParseMergeOp(std::string_view s) {
  for (const OpEntry& e : kOps) {
    if (e.name == s) return e.op;
  }
  return std::nullopt;
}

MergeOp DefaultMergeOp(Kind k) {
  switch (k) {
    case Kind::kString:
    case Kind::kInt:
    case Kind::kNumber:
    case Kind::kBool:
      return MergeOp::kLatest;
    case Kind::kDate:
      return MergeOp::kMax;
    case Kind::kStringSet:
      return MergeOp::kUnion;
    case Kind::kMapIntSum:
      return MergeOp::kMapSum;
    case Kind::kMapInt:
    case Kind::kMapNumber:
    case Kind::kMapString:
      return MergeOp::kMapLatest;
    case Kind::kMapTime:
      return MergeOp::kMapMax;
  }
  return MergeOp::kLatest;
}

bool MergeOpAllowed(Kind k, MergeOp op) {
  if (op == MergeOp::kDefault || op == DefaultMergeOp(k)) return true;
  switch (k) {
    case Kind::kString:
      return op == MergeOp::kOldest || op == MergeOp::kMax || op == MergeOp::kMin;
    case Kind::kInt:
    case Kind::kNumber:
      return op == MergeOp::kOldest || op == MergeOp::kMax || op == MergeOp::kMin ||
             op == MergeOp::kSum || op == MergeOp::kCount;
    case Kind::kBool:
      return op == MergeOp::kOldest;
    case Kind::kDate:
      return op == MergeOp::kMin || op == MergeOp::kLatest || op == MergeOp::kOldest;
    case Kind::kStringSet:
      return op == MergeOp::kLatest;
    case Kind::kMapIntSum:
      return false;
    case Kind::kMapInt:
    case Kind::kMapNumber:
    case Kind::kMapString:
      return op == MergeOp::kMapMax || op == MergeOp::kMapMin;
    case Kind::kMapTime:
      return op == MergeOp::kMapMin;
  }
  return false;
}

bool IsMapKind(Kind k) {
  switch (k) {
    case Kind::kMapIntSum:
    case Kind::kMapInt:
    case Kind::kMapNumber:
    case Kind::kMapString:
    case Kind::kMapTime:
      return true;
    default:
      return false;
  }
}

}  // namespace cohort::mapping
