#include "http/types.h"

namespace cohort::http {
namespace {

const std::string* Find(const std::vector<std::pair<std::string, std::string>>& kv,
                        std::string_view name) {
  for (const auto& [k, v] : kv) {
    if (k == name) return &v;
  }
  return nullptr;
}

}  // namespace

const std::string* Request::Header(std::string_view lowercase_name) const {
  return Find(headers, lowercase_name);
}

const std::string* Request::Query(std::string_view name) const { return Find(query, name); }

}  // namespace cohort::http
