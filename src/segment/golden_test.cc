// Golden tests of the audience language: every *.test file under tests/golden/segment/ is a
// list of records over a schema, a fixed set of profiles and a fixed now (format in
// tests/golden/segment/README.md):
//
//   schema | profiles | now <instant> | segment <slug> | load <file>   set up the world
//   filter | error | next_change | describe                            a case: the filter text,
//   <filter lines>                                                     then "----" and what
//   ----                                                               it must give
//   <expected lines>
//
// Every `filter` and `next_change` case is also checked for time: between now and each
// profile's NextChange the answer must not change, and at NextChange it must.
// COHORT_GOLDEN_UPDATE=1 rewrites the expected blocks with what the code produces (review the
// diff before committing it).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/testing/golden_file.h"
#include "common/time_format.h"
#include "segment/segment.h"

namespace cohort::segment {
namespace {

namespace fs = std::filesystem;
using mapping::Kind;
using mapping::Scalar;

std::string GoldenDir() { return std::string(COHORT_SOURCE_DIR) + "/tests/golden/segment"; }

using golden::Join;
using golden::ParseRecords;
using golden::ReadLines;
using golden::Record;

std::optional<int64_t> InstantOf(const simdjson::dom::element& e) {
  if (e.is_int64()) return int64_t(e.get_int64());
  if (e.is_string()) return ParseRfc3339(std::string_view(e.get_string()));
  return std::nullopt;
}

std::optional<Scalar> ScalarOf(const simdjson::dom::element& e, Scalar::Type type, bool date) {
  if (date) {
    auto ms = InstantOf(e);
    if (!ms) return std::nullopt;
    return Scalar::Int(*ms);
  }
  switch (type) {
    case Scalar::Type::kString:
      if (!e.is_string()) return std::nullopt;
      return Scalar::String(std::string(std::string_view(e.get_string())));
    case Scalar::Type::kInt:
      if (!e.is_int64()) return std::nullopt;
      return Scalar::Int(int64_t(e.get_int64()));
    case Scalar::Type::kNumber:
      if (e.is_int64()) return Scalar::Int(int64_t(e.get_int64()));
      if (!e.is_double()) return std::nullopt;
      return Scalar::Number(double(e.get_double()));
    case Scalar::Type::kBool:
      if (!e.is_bool()) return std::nullopt;
      return Scalar::Bool(bool(e.get_bool()));
    default:
      return std::nullopt;
  }
}

// A profile from a typed JSON object: each field's value in the shape of its schema kind
// (dates and map[string]time values as RFC 3339 strings or ms). Errors as text.
std::variant<profile::Profile, std::string> BuildProfile(std::string_view json,
                                                         const Schema& schema) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json).get(root) || !root.is_object()) return std::string("not a JSON object");
  profile::Profile p;
  for (auto [key, value] : simdjson::dom::object(root)) {
    std::string name(key);
    auto it = schema.fields.find(name);
    if (it == schema.fields.end()) return "field " + name + " is not in the schema";
    const Kind kind = it->second;
    const Scalar::Type type = profile::FieldState::ValueType(kind);
    const bool date = kind == Kind::kDate || kind == Kind::kMapTime;
    mapping::FieldUpdate u;
    u.field = name;
    u.kind = kind;
    if (kind == Kind::kStringSet) {
      if (!value.is_array()) return "field " + name + ": expected an array";
      for (auto m : simdjson::dom::array(value)) {
        if (!m.is_string()) return "field " + name + ": expected strings";
        u.value.set.emplace_back(std::string_view(m.get_string()));
      }
    } else if (mapping::IsMapKind(kind)) {
      if (!value.is_object()) return "field " + name + ": expected an object";
      for (auto [k, v] : simdjson::dom::object(value)) {
        auto s = ScalarOf(v, type, date);
        if (!s) return "field " + name + "." + std::string(k) + ": wrong type";
        u.value.map.emplace_back(std::string(k), *s);
      }
    } else {
      auto s = ScalarOf(value, type, date);
      if (!s) return "field " + name + ": wrong type";
      u.value.scalar = *s;
    }
    Status st = p.Apply(u);
    if (!st.ok()) return "field " + name + ": " + st.ToString();
  }
  return p;
}

std::string RenderInstant(std::optional<int64_t> t) { return t ? FormatRfc3339(*t) : "never"; }

struct World {
  Schema schema;
  std::map<std::string, std::string> segments;
  std::vector<std::pair<std::string, profile::Profile>> profiles;
  int64_t now = 0;
};

class GoldenTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Checks that `s` does not change its answer on `p` before NextChange, and does at it.
  void CheckTiming(const CompiledSegment& s, const std::string& name, const profile::Profile& p,
                   int64_t now, const std::string& where) {
    const bool base = s.Matches(p, now);
    std::optional<int64_t> next = s.NextChange(p, now);
    if (!s.time_relative()) {
      EXPECT_FALSE(next.has_value()) << where << " " << name;
    }
    std::vector<int64_t> samples;
    if (next) {
      EXPECT_GT(*next, now) << where << " " << name;
      EXPECT_NE(s.Matches(p, *next), base) << where << " " << name << ": no change at NextChange";
      const int64_t span = *next - now;
      for (int k = 0; k <= 16; ++k) samples.push_back(now + 1 + (span - 2) / 16 * k);
      samples.push_back(*next - 1);
    } else {
      for (int64_t d : {1LL, 3'600'000LL, 86'400'000LL, 7 * 86'400'000LL, 31 * 86'400'000LL,
                        400 * 86'400'000LL, 4000 * 86'400'000LL}) {
        samples.push_back(now + d);
      }
    }
    for (int64_t t : samples) {
      if (t <= now || (next && t >= *next)) continue;
      EXPECT_EQ(s.Matches(p, t), base) << where << " " << name << ": changed at "
                                       << FormatRfc3339(t) << " before " << RenderInstant(next);
    }
  }

  // Runs one case record; returns its actual lines (empty on a setup failure).
  std::vector<std::string> RunCase(const Record& r, const World& w, const std::string& where) {
    const std::string text = Join(r.body);
    auto compiled = CompileWithPosition(text, w.schema);
    if (r.header == "error") {
      if (compiled.ok()) {
        ADD_FAILURE() << where << ": filter should fail but compiles\n" << text;
        return {};
      }
      Status st = Compile(text, w.schema).status();
      EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << where;
      const auto& pos = compiled.error().position();
      EXPECT_EQ(st.message(), "line " + std::to_string(pos.line) + ", column " +
                                  std::to_string(pos.column) + ": " + compiled.error().message())
          << where;
      return {compiled.error().ToString()};
    }
    if (!compiled.ok()) {
      ADD_FAILURE() << where << ": filter should compile but fails with\n"
                    << compiled.error().ToString() << "\n"
                    << text;
      return {};
    }
    const CompiledSegment& s = *compiled.value();
    EXPECT_EQ(s.text(), text) << where;
    std::vector<std::string> out;
    if (r.header == "describe") {
      out.push_back("alias " + (s.alias().empty() ? std::string("(none)") : s.alias()));
      std::string fields = "fields";
      for (const std::string& f : s.fields()) fields += " " + f;
      out.push_back(fields);
      std::string includes = "includes";
      for (const std::string& i : s.includes()) includes += " " + i;
      if (s.includes().empty()) includes += " (none)";
      out.push_back(includes);
      out.push_back(std::string("time_relative ") + (s.time_relative() ? "true" : "false"));
      return out;
    }
    for (const auto& [name, p] : w.profiles) CheckTiming(s, name, p, w.now, where);
    if (r.header == "filter") {
      std::string line;
      for (const auto& [name, p] : w.profiles) {
        if (!s.Matches(p, w.now)) continue;
        if (!line.empty()) line += " ";
        line += name;
      }
      out.push_back(line.empty() ? "(none)" : line);
      return out;
    }
    // next_change
    for (const auto& [name, p] : w.profiles) {
      out.push_back(name + (s.Matches(p, w.now) ? " in " : " out ") +
                    RenderInstant(s.NextChange(p, w.now)));
    }
    return out;
  }

  // Applies a setup record to the world; false (with a failure) if it is malformed.
  bool Setup(const Record& r, World* w, const std::string& where, int depth) {
    std::istringstream hs(r.header);
    std::string word, arg;
    hs >> word;
    std::getline(hs >> std::ws, arg);
    if (word == "schema") {
      w->schema.fields.clear();
      for (const std::string& l : r.body) {
        std::istringstream ls(l);
        std::string name, kind;
        ls >> name >> kind;
        auto k = mapping::ParseKind(kind);
        if (!k) {
          ADD_FAILURE() << where << ": unknown kind " << kind;
          return false;
        }
        w->schema.fields[name] = *k;
      }
    } else if (word == "profiles") {
      w->profiles.clear();
      for (const std::string& l : r.body) {
        size_t sp = l.find(' ');
        std::string name = l.substr(0, sp);
        auto p = BuildProfile(sp == std::string::npos ? "" : l.substr(sp + 1), w->schema);
        if (auto* err = std::get_if<std::string>(&p)) {
          ADD_FAILURE() << where << ": profile " << name << ": " << *err;
          return false;
        }
        w->profiles.emplace_back(name, std::get<profile::Profile>(std::move(p)));
      }
    } else if (word == "now") {
      auto t = ParseRfc3339(arg);
      if (!t) {
        ADD_FAILURE() << where << ": bad instant " << arg;
        return false;
      }
      w->now = *t;
    } else if (word == "segment") {
      w->segments[arg] = Join(r.body);
    } else if (word == "load") {
      if (depth > 4) {
        ADD_FAILURE() << where << ": load nested too deeply";
        return false;
      }
      const fs::path path = fs::path(GoldenDir()) / arg;
      std::vector<std::string> lines = ReadLines(path);
      if (lines.empty()) {
        ADD_FAILURE() << where << ": cannot read " << path;
        return false;
      }
      for (const Record& sub : ParseRecords(lines)) {
        if (!Setup(sub, w, arg + ":" + std::to_string(sub.line), depth + 1)) return false;
      }
    } else {
      ADD_FAILURE() << where << ": unknown record '" << r.header << "'";
      return false;
    }
    return true;
  }
};

bool IsCase(const std::string& header) {
  return header == "filter" || header == "error" || header == "next_change" || header == "describe";
}

TEST_P(GoldenTest, Matches) {
  golden::FileRun run(fs::path(GoldenDir()) / GetParam());
  ASSERT_FALSE(run.empty()) << GetParam();

  World world;
  world.schema.segment_text = [&world](std::string_view slug) -> std::optional<std::string> {
    auto it = world.segments.find(std::string(slug));
    if (it == world.segments.end()) return std::nullopt;
    return it->second;
  };
  for (Record& r : run.records()) {
    const std::string where = run.Where(r);
    if (!IsCase(r.header)) {
      if (!Setup(r, &world, where, 0)) return;
      continue;
    }
    std::vector<std::string> actual = RunCase(r, world, where);
    if (actual.empty()) continue;
    run.Check(r, std::move(actual));
  }
  run.Finish();
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  return golden::ParamName(info.param);
}

INSTANTIATE_TEST_SUITE_P(Segment, GoldenTest,
                         ::testing::ValuesIn(golden::ListFiles(GoldenDir(), ".test")), TestName);

}  // namespace
}  // namespace cohort::segment
