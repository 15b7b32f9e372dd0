#include "profile/memory_build.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace cohort::profile {

std::vector<ProfileRecord> BuildProfilesInMemory(const std::vector<mapping::Evaluation>& evals,
                                                 const FieldOptions& options) {
  // Union-find over identities; each evaluation joins its identities.
  std::map<std::string, size_t> index;
  std::vector<mapping::Identity> ids;
  std::vector<size_t> parent;
  auto find = [&](size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  auto id_of = [&](const mapping::Identity& id) {
    auto [it, inserted] = index.emplace(IdentityText(id), ids.size());
    if (inserted) {
      ids.push_back(id);
      parent.push_back(parent.size());
    }
    return it->second;
  };
  for (const auto& ev : evals) {
    if (ev.identities.empty()) continue;
    size_t first = find(id_of(ev.identities.front()));
    for (const auto& id : ev.identities) {
      size_t r = find(id_of(id));
      if (r != first) parent[r] = first;
    }
  }
  std::map<size_t, ProfileRecord> by_root;
  for (size_t i = 0; i < ids.size(); ++i) by_root[find(i)].identities.push_back(ids[i]);
  for (const auto& ev : evals) {
    if (ev.identities.empty()) continue;
    ProfileRecord& r = by_root[find(index.at(IdentityText(ev.identities.front())))];
    for (const auto& u : ev.updates) {
      if (!u.value.empty()) r.profile.Apply(u, options).IgnoreError();
    }
  }
  std::vector<ProfileRecord> out;
  for (auto& [root, r] : by_root) {
    std::sort(r.identities.begin(), r.identities.end(),
              [](const mapping::Identity& a, const mapping::Identity& b) {
                return IdentityText(a) < IdentityText(b);
              });
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const ProfileRecord& a, const ProfileRecord& b) {
    return a.OrderText() < b.OrderText();
  });
  return out;
}

}  // namespace cohort::profile
