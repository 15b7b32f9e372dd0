// The command line's HTTP client is http/client.h; these names keep older callers working.
#pragma once

#include "http/client.h"

namespace cohort::cli {

using http::Fetch;
using http::HttpCall;
using http::HttpResult;
using http::UrlEncode;

}  // namespace cohort::cli
