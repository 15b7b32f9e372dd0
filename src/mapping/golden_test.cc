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

#include "common/testing/golden_file.h"
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

using golden::Join;
using golden::Record;

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, Matches) {
  golden::FileRun run(fs::path(GoldenDir()) / GetParam());
  ASSERT_FALSE(run.empty()) << GetParam();

  std::shared_ptr<const CompiledQuery> query;
  for (Record& r : run.records()) {
    const std::string where = run.Where(r);
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
    run.Check(r, std::move(actual), /*expectation_optional=*/r.header == "statement ok");
  }
  run.Finish();
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  return golden::ParamName(info.param);
}

INSTANTIATE_TEST_SUITE_P(Mapping, GoldenTest,
                         ::testing::ValuesIn(golden::ListFiles(GoldenDir(), ".test")), TestName);

}  // namespace
}  // namespace cohort::mapping
