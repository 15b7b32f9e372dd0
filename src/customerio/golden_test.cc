// Data-driven tests of the Customer.io processor: every tests/golden/customerio/*.test file.
// The format is described in tests/golden/customerio/README.md; adding a case needs no C++.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/testing/golden_file.h"
#include "customerio/processor.h"

namespace cohort::customerio {
namespace {

namespace fs = std::filesystem;

const fs::path kGoldenDir = fs::path(COHORT_SOURCE_DIR) / "tests/golden/customerio";

struct GoldenCase {
  std::string file;  // file name, for messages
  int line = 0;      // line of the `case` header
  std::string name;
  std::string test_name;  // unique gtest name: file stem + name, non-alphanumerics as '_'
  std::string input;      // the lines between the header and `----`, joined by '\n'
  std::string expected;
  std::optional<std::string> flag_event_id;
  std::optional<int64_t> flag_timestamp_s;
  bool flag_timestamp_invalid = false;
};

struct GoldenSet {
  std::vector<GoldenCase> cases;
  std::vector<std::string> format_errors;  // problems in the .test files themselves
};

using golden::ReadLines;

void ParseFile(const fs::path& path, GoldenSet* set) {
  const std::string file = path.filename().string();
  std::vector<std::string> lines = ReadLines(path);
  auto error = [&](size_t i, const std::string& what) {
    set->format_errors.push_back(file + ":" + std::to_string(i + 1) + ": " + what);
  };
  size_t i = 0;
  while (i < lines.size()) {
    const std::string& line = lines[i];
    if (line.empty() || line[0] == '#') {
      ++i;
      continue;
    }
    if (!line.starts_with("case ")) {
      error(i, "expected `case <name>`, got: " + line);
      ++i;
      continue;
    }
    GoldenCase c;
    c.file = file;
    c.line = static_cast<int>(i + 1);
    c.name = line.substr(5);
    ++i;
    std::vector<std::string> input;
    while (i < lines.size() && lines[i] != "----") input.push_back(lines[i++]);
    if (i == lines.size()) {
      error(c.line - 1, "case `" + c.name + "` has no `----` line");
      return;
    }
    ++i;  // ----
    for (size_t k = 0; k < input.size(); ++k) c.input += (k ? "\n" : "") + input[k];
    if (i == lines.size() || lines[i].empty()) {
      error(i, "case `" + c.name + "` has no expected result after `----`");
      continue;
    }
    c.expected = lines[i++];
    for (; i < lines.size() && !lines[i].empty(); ++i) {
      const std::string& flag = lines[i];
      if (flag == "timestamp_invalid") {
        c.flag_timestamp_invalid = true;
      } else if (flag.starts_with("event_id: ")) {
        c.flag_event_id = flag.substr(10);
      } else if (flag.starts_with("timestamp_s: ")) {
        c.flag_timestamp_s = std::stoll(flag.substr(13));
      } else {
        error(i, "unknown flag line: " + flag);
      }
    }
    set->cases.push_back(std::move(c));
  }
}

const GoldenSet& AllGolden() {
  static const GoldenSet* set = [] {
    auto* s = new GoldenSet;
    const std::vector<std::string> files = golden::ListFiles(kGoldenDir, ".test");
    if (files.empty()) s->format_errors.push_back("no .test files in " + kGoldenDir.string());
    for (const auto& f : files) ParseFile(kGoldenDir / f, s);
    std::map<std::string, std::string> seen;  // name → file
    std::map<std::string, int> test_names;    // → times used
    for (auto& c : s->cases) {
      auto [it, inserted] = seen.emplace(c.name, c.file);
      if (!inserted) {
        s->format_errors.push_back(c.file + ":" + std::to_string(c.line) +
                                   ": duplicate case name `" + c.name + "` (also in " + it->second +
                                   ")");
      }
      c.test_name = c.file.substr(0, c.file.find('.')) + "_" + c.name;
      for (char& ch : c.test_name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      // "in_app x" and "in-app x" sanitise alike: number the later ones.
      if (int n = test_names[c.test_name]++; n > 0)
        c.test_name.append("_").append(std::to_string(n + 1));
    }
    return s;
  }();
  return *set;
}

TEST(CustomerIoGoldenFiles, AreWellFormed) {
  const GoldenSet& set = AllGolden();
  for (const auto& e : set.format_errors) ADD_FAILURE() << e;
  EXPECT_GT(set.cases.size(), 0u) << "no cases found under " << kGoldenDir;
}

class CustomerIoGolden : public ::testing::TestWithParam<GoldenCase> {};
// With no cases, AreWellFormed fails with the reason; this keeps gtest from adding a second one.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CustomerIoGolden);

TEST_P(CustomerIoGolden, Matches) {
  const GoldenCase& c = GetParam();
  SCOPED_TRACE(c.file + ":" + std::to_string(c.line) + ": case " + c.name);
  StatusOr<ProcessResult> got = ProcessCustomerIoEvent(c.input);

  if (c.expected.starts_with("ERROR")) {
    ASSERT_FALSE(got.ok()) << "expected an error, got " << got->record_json;
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
    std::string want = c.expected.size() > 6 ? c.expected.substr(6) : "";
    EXPECT_NE(got.status().message().find(want), std::string::npos)
        << "message `" << got.status().message() << "` does not contain `" << want << "`";
    return;
  }
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->timestamp_invalid, c.flag_timestamp_invalid);

  if (c.expected == "UNMAPPED") {
    EXPECT_EQ(got->outcome, ProcessResult::Outcome::kUnmapped);
    EXPECT_EQ(got->record_json, "");
    EXPECT_EQ(got->event_id, c.flag_event_id.value_or(""));
    EXPECT_EQ(got->timestamp_s, c.flag_timestamp_s);
    return;
  }

  EXPECT_EQ(got->outcome, ProcessResult::Outcome::kMapped);
  EXPECT_EQ(got->record_json, c.expected);
  // The expected text must itself be a JSON object, and the side fields must agree with it.
  simdjson::dom::parser parser;
  simdjson::dom::object want;
  ASSERT_EQ(parser.parse(c.expected).get(want), simdjson::SUCCESS)
      << "expected result is not a JSON object";
  std::string_view want_id;
  if (want["event_id"].get(want_id) != simdjson::SUCCESS) want_id = "";
  EXPECT_EQ(got->event_id, want_id);
  int64_t want_ts = 0;
  if (want["timestamp"].get(want_ts) == simdjson::SUCCESS) {
    EXPECT_EQ(got->timestamp_s, want_ts);
  } else {
    EXPECT_EQ(got->timestamp_s, std::nullopt);
  }
}

std::string TestName(const ::testing::TestParamInfo<GoldenCase>& info) {
  return info.param.test_name;
}

INSTANTIATE_TEST_SUITE_P(Cases, CustomerIoGolden, ::testing::ValuesIn(AllGolden().cases), TestName);

// The goldens in fixtures.test carry copies of ../shared/fixtures/customerio/*.json (the repo
// must build without ../shared); this keeps the copies exact while ../shared is there.
TEST(CustomerIoGoldenFiles, FixtureCopiesMatchSharedFixtures) {
  const fs::path dir = fs::path(COHORT_SHARED_DIR) / "fixtures/customerio";
  if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " is not available";
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string stem = entry.path().stem().string();
    if (entry.path().extension() != ".json" || stem == "signature_example") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream body;
    body << in.rdbuf();
    std::string text = body.str();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    const auto& cases = AllGolden().cases;
    auto it = std::find_if(cases.begin(), cases.end(),
                           [&](const GoldenCase& c) { return c.name == "fixture " + stem; });
    if (it == cases.end()) {
      ADD_FAILURE() << "no golden case `fixture " << stem << "` for " << entry.path();
      continue;
    }
    EXPECT_EQ(it->input, text) << "golden copy of " << entry.path() << " differs";
    ++checked;
  }
  EXPECT_EQ(checked, 11);
}

}  // namespace
}  // namespace cohort::customerio
