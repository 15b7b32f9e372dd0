// The web UI's static files (SPEC §2.8 `GET /`), embedded in the binary so `build/cohort`
// alone serves them. Paths that are not API routes fall through to here.
#pragma once

#include "http/types.h"

namespace cohort::api {

// Serves `request` from the embedded UI if it is a GET/HEAD for a UI path (`/`, `/assets/...`,
// or a client-side route, which gets index.html). Returns false if it did not answer.
bool ServeStatic(const http::Request& request, const http::Responder& respond);

}  // namespace cohort::api
