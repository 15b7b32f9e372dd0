#include "segment/field_access.h"

#include <algorithm>

namespace cohort::segment {

using mapping::Scalar;

const Scalar* ScalarOf(const profile::FieldState& state, Scalar* scratch) {
  return std::visit(
      [&](const auto& r) -> const Scalar* {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, profile::TimedValue> ||
                      std::is_same_v<T, profile::ExtremeValue>) {
          return &r.value;
        } else if constexpr (std::is_same_v<T, profile::IntSum>) {
          *scratch = Scalar::Int(r.sum);
          return scratch;
        } else if constexpr (std::is_same_v<T, profile::UpdateCount>) {
          *scratch = Scalar::Int(static_cast<int64_t>(r.count));
          return scratch;
        } else if constexpr (std::is_same_v<T, profile::NumberSum>) {
          *scratch = Scalar::Number(r.sum.ToDouble());
          return scratch;
        } else {
          return nullptr;
        }
      },
      state.rep());
}

const Scalar* MapValueOf(const profile::FieldState& state, const std::string& key,
                         Scalar* scratch) {
  return std::visit(
      [&](const auto& r) -> const Scalar* {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, profile::MapSum>) {
          auto it = r.sums.find(key);
          if (it == r.sums.end()) return nullptr;
          *scratch = Scalar::Int(it->second);
          return scratch;
        } else if constexpr (std::is_same_v<T, profile::MapLatest>) {
          auto it = r.entries.find(key);
          return it == r.entries.end() ? nullptr : &it->second.value;
        } else if constexpr (std::is_same_v<T, profile::MapExtreme>) {
          auto it = r.entries.find(key);
          return it == r.entries.end() ? nullptr : &it->second;
        } else {
          return nullptr;
        }
      },
      state.rep());
}

bool HasMember(const profile::FieldState& state, const std::string& s) {
  return std::visit(
      [&](const auto& r) -> bool {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, profile::SetUnion>) {
          return r.members.count(s) > 0;
        } else if constexpr (std::is_same_v<T, profile::SetLatest>) {
          return std::binary_search(r.members.begin(), r.members.end(), s);
        } else if constexpr (std::is_same_v<T, profile::MapSum>) {
          return r.sums.count(s) > 0;
        } else if constexpr (std::is_same_v<T, profile::MapLatest> ||
                             std::is_same_v<T, profile::MapExtreme>) {
          return r.entries.count(s) > 0;
        } else {
          return false;
        }
      },
      state.rep());
}

}  // namespace cohort::segment
