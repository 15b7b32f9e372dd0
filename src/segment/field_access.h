// Reading a profile field's merge state the way the audience evaluator needs it, without
// copying sets and maps (FieldState::value() builds a fresh Value; evaluating audiences over
// every profile must not). The results agree with FieldState::value(): field_access_test
// checks it for every kind and merge op. Pure functions over borrowed states: returned
// pointers point into `state` or `*scratch` and live as long as both do.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "mapping/value.h"
#include "profile/field_state.h"

namespace cohort::segment {

// The scalar value of a state of a scalar kind (sums and counts are computed into *scratch),
// or nullptr for sets and maps.
const mapping::Scalar* ScalarOf(const profile::FieldState& state, mapping::Scalar* scratch);

// The value at `key` of a map state (intsum sums computed into *scratch), or nullptr if the
// key is absent or the state is not a map.
const mapping::Scalar* MapValueOf(const profile::FieldState& state, const std::string& key,
                                  mapping::Scalar* scratch);

// Whether a []string state has the member `s`, or a map state the key `s`.
bool HasMember(const profile::FieldState& state, const std::string& s);

// Calls fn(std::string_view) on each member of a []string state, or each key of a map state,
// in sorted order, until it returns true; returns whether it did. False for scalar states.
template <typename Fn>
bool AnyMember(const profile::FieldState& state, Fn&& fn) {
  return std::visit(
      [&](const auto& r) -> bool {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, profile::SetUnion>) {
          for (const auto& [m, t] : r.members) {
            if (fn(std::string_view(m))) return true;
          }
        } else if constexpr (std::is_same_v<T, profile::SetLatest>) {
          for (const std::string& m : r.members) {
            if (fn(std::string_view(m))) return true;
          }
        } else if constexpr (std::is_same_v<T, profile::MapSum>) {
          for (const auto& [k, v] : r.sums) {
            if (fn(std::string_view(k))) return true;
          }
        } else if constexpr (std::is_same_v<T, profile::MapLatest> ||
                             std::is_same_v<T, profile::MapExtreme>) {
          for (const auto& [k, v] : r.entries) {
            if (fn(std::string_view(k))) return true;
          }
        }
        return false;
      },
      state.rep());
}

}  // namespace cohort::segment
