// Golden tests of the mapping language: every *.test file under tests/golden/mapping/ is a
// list of records (format in tests/golden/mapping/README.md):
//
//   statement ok | statement error     a statement, then "----" and the expected description
//   <statement lines>                  or error ("L:C: message"); a blank line ends it
//   ----
//   <expected lines>
//
//   event <event_time_ms> [now=<ms>]   a JSON event for the last accepted statement, then
//   <JSON lines>                       "----" and the expected updates and identities
//   ----
//   <expected lines>
//
// Lines starting with '#' between records are comments. COHORT_GOLDEN_UPDATE=1 rewrites the
// expected blocks with what the code produces (review the diff before committing it).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mapping/convert.h"
#include "mapping/query.h"

namespace cohort::mapping {
namespace {

namespace fs = std::filesystem;

std::string GoldenDir() { return std::string(COHORT_SOURCE_DIR) + "/tests/golden/mapping"; }

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", u);
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  return out + "\"";
}

// Ints as integers, numbers always with a '.' or exponent (3.0), so the two never look alike.
std::string RenderScalar(const Scalar& s) {
  switch (s.type) {
    case Scalar::Type::kNull:
      return "null";
    case Scalar::Type::kBool:
      return s.b ? "true" : "false";
    case Scalar::Type::kInt:
      return std::to_string(s.i);
    case Scalar::Type::kNumber: {
      std::string t = FormatNumber(s.d);
      if (t.find_first_of(".eEn") == std::string::npos) t += ".0";
      return t;
    }
    case Scalar::Type::kString:
      return JsonString(s.s);
  }
  return "?";
}

std::string RenderValue(const FieldUpdate& u) {
  if (u.kind == Kind::kStringSet) {
    std::string out = "[";
    for (size_t i = 0; i < u.value.set.size(); ++i) {
      if (i) out += ",";
      out += JsonString(u.value.set[i]);
    }
    return out + "]";
  }
  if (IsMapKind(u.kind)) {
    std::string out = "{";
    for (size_t i = 0; i < u.value.map.size(); ++i) {
      if (i) out += ",";
      out += JsonString(u.value.map[i].first) + ":" + RenderScalar(u.value.map[i].second);
    }
    return out + "}";
  }
  return RenderScalar(u.value.scalar);
}

std::vector<std::string> RenderQuery(const CompiledQuery& q) {
  std::vector<std::string> out;
  out.push_back("from " + q.from());
  std::string by = "by";
  for (const std::string& b : q.by()) by += " " + b;
  out.push_back(by);
  out.push_back("alias " + q.alias());
  for (const ColumnInfo& c : q.columns()) {
    std::string line = "column " + c.name + " " + std::string(KindName(c.kind)) + " " +
                       std::string(MergeOpName(c.op));
    if (c.identity) line += " identity";
    if (!c.shortdesc.empty()) line += " shortdesc=" + JsonString(c.shortdesc);
    if (!c.longdesc.empty()) line += " longdesc=" + JsonString(c.longdesc);
    out.push_back(line);
  }
  return out;
}

std::vector<std::string> RenderEvaluation(const std::optional<Evaluation>& r) {
  if (!r) return {"dropped"};
  std::vector<std::string> out;
  for (const FieldUpdate& u : r->updates) {
    out.push_back("update " + u.field + " " + std::string(KindName(u.kind)) + " " +
                  std::string(MergeOpName(u.op)) + " " + RenderValue(u));
  }
  for (const Identity& id : r->identities) {
    out.push_back("identity " + id.field + " " + JsonString(id.value));
  }
  if (out.empty()) out.push_back("(no updates)");
  return out;
}

struct Record {
  int line = 0;  // 1-based line of the header
  std::string header;
  std::vector<std::string> body;
  bool has_expected = false;
  size_t expected_begin = 0, expected_end = 0;  // 0-based line range in the file
  std::vector<std::string> expected;
};

std::vector<std::string> ReadLines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

std::vector<Record> ParseRecords(const std::vector<std::string>& lines) {
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
    while (i < lines.size() && !lines[i].empty() && lines[i] != "----")
      r.body.push_back(lines[i++]);
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

std::string Join(const std::vector<std::string>& lines, const char* sep = "\n") {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) out += sep;
    out += lines[i];
  }
  return out;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, Matches) {
  const fs::path path = fs::path(GoldenDir()) / GetParam();
  std::vector<std::string> lines = ReadLines(path);
  ASSERT_FALSE(lines.empty()) << path;
  std::vector<Record> records = ParseRecords(lines);
  const bool update = std::getenv("COHORT_GOLDEN_UPDATE") != nullptr;
  std::vector<std::pair<Record*, std::vector<std::string>>> rewrites;

  std::shared_ptr<const CompiledQuery> query;
  int cases = 0;
  for (Record& r : records) {
    const std::string where = GetParam() + ":" + std::to_string(r.line);
    std::vector<std::string> actual;
    if (r.header == "statement ok" || r.header == "statement error") {
      std::string text = Join(r.body);
      auto compiled = CompileWithPosition(text);
      if (r.header == "statement ok") {
        if (!compiled.ok()) {
          ADD_FAILURE() << where << ": statement should compile but fails with\n"
                        << compiled.error().ToString() << "\n"
                        << text;
          query.reset();
          continue;
        }
        query = compiled.value();
        EXPECT_EQ(query->text(), text) << where;
        actual = RenderQuery(*query);
      } else {
        if (compiled.ok()) {
          ADD_FAILURE() << where << ": statement should fail but compiles\n" << text;
          continue;
        }
        actual = {compiled.error().ToString()};
        // The Status form names the same position in words.
        Status s = Compile(text).status();
        EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << where;
        const auto& pos = compiled.error().position();
        EXPECT_EQ(s.message(), "line " + std::to_string(pos.line) + ", column " +
                                   std::to_string(pos.column) + ": " + compiled.error().message())
            << where;
      }
    } else if (r.header.rfind("event ", 0) == 0) {
      if (!query) {
        ADD_FAILURE() << where << ": event without an accepted statement before it";
        continue;
      }
      std::istringstream hs(r.header.substr(6));
      int64_t event_time = 0;
      int64_t now = 1'700'000'000'000;
      hs >> event_time;
      std::string opt;
      while (hs >> opt) {
        if (opt.rfind("now=", 0) == 0) {
          now = std::stoll(opt.substr(4));
        } else {
          ADD_FAILURE() << where << ": unknown event option " << opt;
        }
      }
      std::string json = Join(r.body);
      auto result = query->EvaluateJson(json, event_time, now);
      if (!result.ok()) {
        ADD_FAILURE() << where << ": " << result.status().ToString();
        continue;
      }
      if (result.value()) {
        for (const FieldUpdate& u : result.value()->updates) {
          EXPECT_EQ(u.event_time_ms, event_time) << where << " field " << u.field;
          EXPECT_NE(u.op, MergeOp::kDefault) << where << " field " << u.field;
          EXPECT_TRUE(MergeOpAllowed(u.kind, u.op)) << where << " field " << u.field;
        }
      }
      actual = RenderEvaluation(result.value());
    } else {
      ADD_FAILURE() << where << ": unknown record '" << r.header << "'";
      continue;
    }
    ++cases;
    if (update) {
      rewrites.emplace_back(&r, actual);
      continue;
    }
    if (!r.has_expected) {
      if (r.header != "statement ok") ADD_FAILURE() << where << ": missing ---- and expectation";
      continue;
    }
    EXPECT_EQ(Join(r.expected), Join(actual)) << where << ": " << r.header << "\n"
                                              << Join(r.body) << "\n---- expected\n"
                                              << Join(r.expected) << "\n---- actual\n"
                                              << Join(actual);
  }
  EXPECT_GT(cases, 0) << path;
  RecordProperty("cases", cases);

  if (update) {
    // Rebuild the file with each record's expected block replaced.
    std::vector<std::string> out;
    size_t next = 0;
    for (auto& [rec, actual] : rewrites) {
      if (!rec->has_expected && rec->header == "statement ok") continue;
      size_t body_end = rec->line + rec->body.size();  // 0-based index after the body
      size_t begin = rec->has_expected ? rec->expected_begin : body_end;
      size_t end = rec->has_expected ? rec->expected_end : body_end;
      while (next < begin) out.push_back(lines[next++]);
      if (!rec->has_expected) out.push_back("----");
      for (const std::string& a : actual) out.push_back(a);
      next = end;
    }
    while (next < lines.size()) out.push_back(lines[next++]);
    std::ofstream o(path);
    o << Join(out) << "\n";
  }
}

std::vector<std::string> GoldenFiles() {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(GoldenDir())) {
    if (e.path().extension() == ".test") files.push_back(e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.size() - 5);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Mapping, GoldenTest, ::testing::ValuesIn(GoldenFiles()), TestName);

}  // namespace
}  // namespace cohort::mapping
