// Golden data files for the language tests (tests/golden/<language>/*.test), shared by the
// golden runners of src/mapping, src/segment and src/customerio. Test code only: include it
// from *_test.cc files (it uses GoogleTest).
//
// File format. Records are separated by blank lines; lines starting with '#' between records
// are comments. A record is a header line, body lines, and optionally "----" followed by the
// expected output lines:
//
//   <header>
//   <body lines>
//   ----
//   <expected lines>
//
// With COHORT_GOLDEN_UPDATE set in the environment, a run rewrites each checked record's
// expected block with the actual output instead of comparing (review the diff, then commit).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace cohort::golden {

namespace fs = std::filesystem;

struct Record {
  int line = 0;  // 1-based line of the header
  std::string header;
  std::vector<std::string> body;
  bool has_expected = false;
  size_t expected_begin = 0, expected_end = 0;  // 0-based line range in the file
  std::vector<std::string> expected;
};

// The file's lines, without line terminators ("\r\n" too). Empty if it cannot be read.
inline std::vector<std::string> ReadLines(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

inline std::vector<Record> ParseRecords(const std::vector<std::string>& lines) {
  std::vector<Record> records;
  size_t i = 0;
  while (i < lines.size()) {
    const std::string& l = lines[i];
    if (l.empty() || l[0] == '#') {
      ++i;
      continue;
    }
    Record r;
    r.line = static_cast<int>(i + 1);
    r.header = l;
    ++i;
    while (i < lines.size() && !lines[i].empty() && lines[i] != "----") {
      r.body.push_back(lines[i++]);
    }
    if (i < lines.size() && lines[i] == "----") {
      r.has_expected = true;
      ++i;
      r.expected_begin = i;
      while (i < lines.size() && !lines[i].empty()) r.expected.push_back(lines[i++]);
      r.expected_end = i;
    }
    records.push_back(std::move(r));
  }
  return records;
}

inline std::string Join(const std::vector<std::string>& lines, const char* sep = "\n") {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) out += sep;
    out += lines[i];
  }
  return out;
}

// The names of the files in `dir` ending in `extension`, sorted. Missing dir: none.
inline std::vector<std::string> ListFiles(const fs::path& dir, const std::string& extension) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == extension) files.push_back(e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A GoogleTest parameter name for a file name: the stem with every non-alphanumeric
// character replaced by '_' ("time-relative.test" → "time_relative").
inline std::string ParamName(const std::string& file) {
  std::string name = fs::path(file).stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

// One golden file being checked: read and parsed on construction; Check() each record's
// actual output; Finish() fails an empty file and, in update mode, rewrites the file.
class FileRun {
 public:
  explicit FileRun(fs::path path)
      : path_(std::move(path)),
        lines_(ReadLines(path_)),
        records_(ParseRecords(lines_)),
        update_(std::getenv("COHORT_GOLDEN_UPDATE") != nullptr) {}

  bool empty() const { return lines_.empty(); }
  std::vector<Record>& records() { return records_; }
  // "<file name>:<line>" of a record, for failure messages.
  std::string Where(const Record& r) const {
    return path_.filename().string() + ":" + std::to_string(r.line);
  }

  // Compares `actual` with the record's expected block (or remembers it, in update mode). A
  // record without an expected block fails unless `expectation_optional`; such a record is
  // also left as it is by an update.
  void Check(Record& r, std::vector<std::string> actual, bool expectation_optional = false) {
    ++cases_;
    if (update_) {
      if (r.has_expected || !expectation_optional) rewrites_.emplace_back(&r, std::move(actual));
      return;
    }
    if (!r.has_expected) {
      if (!expectation_optional) ADD_FAILURE() << Where(r) << ": missing ---- and expectation";
      return;
    }
    EXPECT_EQ(Join(r.expected), Join(actual)) << Where(r) << ": " << r.header << "\n"
                                              << Join(r.body) << "\n---- expected\n"
                                              << Join(r.expected) << "\n---- actual\n"
                                              << Join(actual);
  }

  void Finish() {
    EXPECT_GT(cases_, 0) << path_;
    ::testing::Test::RecordProperty("cases", cases_);
    if (!update_) return;
    // Rebuild the file with each checked record's expected block replaced.
    std::vector<std::string> out;
    size_t next = 0;
    for (auto& [rec, actual] : rewrites_) {
      const size_t body_end = rec->line + rec->body.size();  // 0-based index after the body
      const size_t begin = rec->has_expected ? rec->expected_begin : body_end;
      const size_t end = rec->has_expected ? rec->expected_end : body_end;
      while (next < begin) out.push_back(lines_[next++]);
      if (!rec->has_expected) out.push_back("----");
      for (const std::string& a : actual) out.push_back(a);
      next = end;
    }
    while (next < lines_.size()) out.push_back(lines_[next++]);
    std::ofstream o(path_);
    o << Join(out) << "\n";
  }

 private:
  const fs::path path_;
  const std::vector<std::string> lines_;
  std::vector<Record> records_;
  const bool update_;
  int cases_ = 0;
  std::vector<std::pair<Record*, std::vector<std::string>>> rewrites_;
};

}  // namespace cohort::golden
