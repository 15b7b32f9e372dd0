// A fresh path under the system's temp directory for a test's data directory or file. Test
// code only. The path does not exist yet; the test creates it and removes it.
#pragma once

#include <filesystem>
#include <random>
#include <string>
#include <string_view>

namespace cohort::testing {

// <temp dir>/<prefix><random number>, e.g. UniqueTempPath("cohort-db-test-").
inline std::string UniqueTempPath(std::string_view prefix) {
  std::random_device rd;
  return (std::filesystem::temp_directory_path() /
          (std::string(prefix) + std::to_string(rd()) + std::to_string(rd())))
      .string();
}

}  // namespace cohort::testing
