// JSON views of queries, jobs and profiles shared by several handler files.
#pragma once

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "mapping/query.h"
#include "pipeline/jobs.h"
#include "profile/store_keys.h"

namespace cohort::api {

boost::json::object QueryJson(const mapping::CompiledQuery& q);
boost::json::object JobJson(const pipeline::JobInfo& j);
// The entity object of SPEC §2.5: the profile's fields plus `_segments`.
std::string ProfileDataJson(const profile::ProfileRecord& r,
                            const std::vector<std::string>& segments);
// meta of an entity lookup: {"by_fields":[...identity fields...]}.
std::string ProfileMetaJson(const profile::ProfileRecord& r);

}  // namespace cohort::api
