// The built web UI (web/dist), compiled into the binary. The definition is generated at build
// time by scripts/embed_web.cmake from the Vite output (cmake/web.cmake); see docs/ui.md.
#pragma once

#include <span>
#include <string_view>

namespace cohort::api {

struct WebAsset {
  std::string_view path;  // URL path, e.g. "/index.html", "/assets/index-3f2a.js"
  std::string_view body;  // the file's bytes
  std::string_view etag;  // quoted strong validator: "\"<sha1 prefix>\""
};

// Every embedded file, sorted by path. Empty when the binary was built without the UI
// (-DCOHORT_WEB=OFF). The storage is static; the views never dangle. Thread-safe.
std::span<const WebAsset> WebAssets();

}  // namespace cohort::api
