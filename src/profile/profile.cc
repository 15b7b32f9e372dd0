#include "profile/profile.h"

#include <string>

namespace cohort::profile {

Status Profile::Apply(const mapping::FieldUpdate& update, const FieldOptions& options) {
  if (update.value.empty()) return Status::Ok();
  auto it = fields_.find(update.field);
  if (it != fields_.end() && it->second.AddInPlace(update, options)) return Status::Ok();
  ASSIGN_OR_RETURN(FieldState state, FieldState::FromUpdate(update, options));
  if (it == fields_.end()) {
    fields_.emplace_hint(it, update.field, std::move(state));
    return Status::Ok();
  }
  Status s = it->second.Merge(state);
  return s.ok() ? s : s.WithContext("field " + update.field);
}

Status Profile::MergeField(std::string_view name, const FieldState& state) {
  auto it = fields_.find(name);
  if (it == fields_.end()) {
    fields_.emplace(std::string(name), state);
    return Status::Ok();
  }
  Status s = it->second.Merge(state);
  return s.ok() ? s : s.WithContext("field " + std::string(name));
}

Status Profile::AddField(std::string name, FieldState state) {
  auto hint = fields_.end();
  if (!fields_.empty() && !(fields_.rbegin()->first < name)) {
    hint = fields_.lower_bound(name);
    if (hint != fields_.end() && hint->first == name) {
      return FailedPreconditionError("field " + name + " is already present");
    }
  }
  fields_.emplace_hint(hint, std::move(name), std::move(state));
  return Status::Ok();
}

Status Profile::Merge(const Profile& other) {
  // Check every field first so that a conflict leaves this profile untouched.
  for (const auto& [name, state] : other.fields_) {
    const FieldState* mine = Find(name);
    if (mine != nullptr && (mine->kind() != state.kind() || mine->op() != state.op())) {
      return FailedPreconditionError("field " + name +
                                     ": kind or merge op differs between the profiles being "
                                     "merged; rebuild profiles after changing a kind");
    }
  }
  for (const auto& [name, state] : other.fields_) RETURN_IF_ERROR(MergeField(name, state));
  return Status::Ok();
}

const FieldState* Profile::Find(std::string_view name) const {
  auto it = fields_.find(name);
  return it == fields_.end() ? nullptr : &it->second;
}

}  // namespace cohort::profile
