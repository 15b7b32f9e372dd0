// Profile: the merged fields of one user profile, pure and in memory (storage lives
// elsewhere). A profile is a sorted map from field name to FieldState; Apply and Merge are
// built on FieldState::Merge, so a profile is a function of the set of events applied to it
// and of nothing else (SPEC §5.5). A value type; thread-compatible.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "mapping/value.h"
#include "profile/field_state.h"

namespace cohort::profile {

class Profile {
 public:
  using Fields = std::map<std::string, FieldState, std::less<>>;

  // Applies one field update. An empty value updates nothing (SPEC §5.2) and returns OK.
  // Errors, leaving the profile unchanged: those of FieldState::FromUpdate (InvalidArgument),
  // and FailedPrecondition if the field already holds another kind or merge op.
  [[nodiscard]] Status Apply(const mapping::FieldUpdate& update, const FieldOptions& options = {});

  // Merges `other` into this profile (an identity merge, SPEC §5.4): every field is combined
  // with its merge op. Commutative and associative. FailedPrecondition if a field has a
  // different kind or op on the two sides; then nothing is changed.
  [[nodiscard]] Status Merge(const Profile& other);

  // Merges one field's state in, adding the field if absent. FailedPrecondition as in Merge.
  [[nodiscard]] Status MergeField(std::string_view name, const FieldState& state);

  // Adds a field that is absent, moving its state in; cheapest when names come in increasing
  // order (the decoder). FailedPrecondition, changing nothing, if the field exists.
  [[nodiscard]] Status AddField(std::string name, FieldState state);

  // The field's state, or nullptr. The pointer lives until the profile is next changed.
  const FieldState* Find(std::string_view name) const;
  const Fields& fields() const { return fields_; }
  bool empty() const { return fields_.empty(); }
  size_t size() const { return fields_.size(); }

  bool operator==(const Profile&) const = default;

 private:
  Fields fields_;
};

}  // namespace cohort::profile
