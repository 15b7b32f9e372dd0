// Property test of NextChange, the contract a timer index relies on: for random profiles and
// random valid filters (every operator on every kind, date maths in every unit, nesting),
// Matches does not change between now and NextChange, does change at NextChange, and never
// changes when NextChange says "never". Times are sampled at random, log-uniformly (to hit
// both near and far instants) and exactly around every boundary the profile's dates and the
// filter's offsets can make. Seeds are fixed; a failure prints the filter and the profile.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "common/time_format.h"
#include "profile/render.h"
#include "profile/test_util.h"
#include "segment/date_literal.h"
#include "segment/segment.h"

namespace cohort::segment {
namespace {

using mapping::Kind;
using mapping::MergeOp;
using mapping::Scalar;
using profile::testing::MapUpdate;
using profile::testing::SetUpdate;
using profile::testing::Update;

constexpr int64_t kNow = 1'718'020'800'000;  // 2024-06-10T12:00:00Z
constexpr int64_t kDay = 86'400'000;
constexpr char kUnits[] = {'s', 'm', 'h', 'd', 'w', 'M', 'y'};

Schema MakeSchema() {
  Schema s;
  s.fields = {{"email", Kind::kString},        {"age", Kind::kInt},
              {"score", Kind::kNumber},        {"vip", Kind::kBool},
              {"opened", Kind::kDate},         {"active", Kind::kDate},
              {"campaigns", Kind::kStringSet}, {"events", Kind::kMapIntSum},
              {"clicks", Kind::kMapTime}};
  return s;
}

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  int Pick(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }
  template <typename T>
  const T& Of(const std::vector<T>& v) {
    return v[Pick(static_cast<int>(v.size()))];
  }

  // An instant near now: often exactly a whole number of units away (so that "now-7d" style
  // boundaries are hit), sometimes 1 ms off, sometimes anywhere within ±90 days.
  int64_t Instant() {
    int64_t unit = *DateUnitMs(kUnits[Pick(5)]);  // s..w
    int64_t t = kNow + (Pick(2) ? -1 : 1) * unit * Pick(10);
    switch (Pick(4)) {
      case 0:
        return t + (Pick(2) ? 1 : -1);
      case 1:
        return kNow - 90 * kDay + static_cast<int64_t>(rng_() % (180 * kDay));
      default:
        return t;
    }
  }

  profile::Profile Profile() {
    profile::Profile p;
    auto apply = [&](const mapping::FieldUpdate& u) { ASSERT_TRUE(p.Apply(u).ok()); };
    if (Pick(4)) {
      apply(Update("email", Kind::kString, MergeOp::kDefault,
                   Scalar::String(Of<std::string>({"a@x.com", "B@Gmail.com", "c@x.org", "b"})), 0));
    }
    if (Pick(4)) {
      apply(Update("age", Kind::kInt, MergeOp::kDefault,
                   Scalar::Int(Of<int64_t>({-1, 0, 19, 34, 45})), 0));
    }
    if (Pick(4)) {
      apply(Update("score", Kind::kNumber, MergeOp::kDefault,
                   Scalar::Number(Of<double>({-2, 0.5, 7, 7.5, 100})), 0));
    }
    if (Pick(3)) apply(Update("vip", Kind::kBool, MergeOp::kDefault, Scalar::Bool(Pick(2)), 0));
    for (const char* f : {"opened", "active"}) {
      for (int i = Pick(3); i > 0; --i) {  // several values: max is kept
        apply(Update(f, Kind::kDate, MergeOp::kDefault, Scalar::Int(Instant()), 0));
      }
    }
    std::vector<std::string> members;
    for (const char* c : {"118", "120", "121"}) {
      if (Pick(2)) members.push_back(c);
    }
    if (!members.empty()) apply(SetUpdate("campaigns", MergeOp::kDefault, members, 0));
    std::vector<std::pair<std::string, Scalar>> events;
    for (const char* k : {"email_opened", "email_clicked", "9"}) {
      if (Pick(2)) events.emplace_back(k, Scalar::Int(1 + Pick(6)));
    }
    if (!events.empty()) apply(MapUpdate("events", Kind::kMapIntSum, MergeOp::kDefault, events, 0));
    std::vector<std::pair<std::string, Scalar>> clicks;
    for (const char* k : {"example.com", "shop.example.com"}) {
      if (Pick(2)) clicks.emplace_back(k, Scalar::Int(Instant()));
    }
    if (!clicks.empty()) apply(MapUpdate("clicks", Kind::kMapTime, MergeOp::kDefault, clicks, 0));
    return p;
  }

  // A random valid filter; the offsets of its date maths are added to *offsets.
  std::string Filter(std::vector<int64_t>* offsets) {
    offsets_ = offsets;
    return "FILTER " + Phrase(0);
  }

 private:
  std::string Phrase(int depth) {
    int k = Pick(depth >= 3 ? 1 : 6);
    if (k == 1 || k == 2) {
      std::string out = k == 1 ? "AND(" : "OR(";
      for (int i = 0, n = 1 + Pick(3); i < n; ++i) {
        if (i) out += Pick(2) ? ", " : "\n";
        out += Phrase(depth + 1);
      }
      return out + ")";
    }
    if (k == 3) return "NOT " + Phrase(depth + 1);
    if (k == 4 && depth < 3) return "(" + Phrase(depth + 1) + ")";
    return Atom();
  }

  std::string Op() { return Of<std::string>({"=", "!=", "<", "<=", ">", ">="}); }

  std::string Relative() {
    char unit = kUnits[Pick(7)];
    int n = Pick(4) == 0 ? 0 : Pick(12);
    if (n == 0) {
      offsets_->push_back(0);
      return "\"now\"";
    }
    bool minus = Pick(4) != 0;
    offsets_->push_back((minus ? -1 : 1) * n * *DateUnitMs(unit));
    return std::string("\"now") + (minus ? "-" : "+") + std::to_string(n) + unit + "\"";
  }

  std::string Date() {
    switch (Pick(4)) {
      case 0:
        return "\"" + FormatRfc3339(Instant()) + "\"";
      case 1:
        return std::to_string(Instant());
      default:
        return Relative();
    }
  }

  std::string DateAtom(const std::string& field) {
    switch (Pick(4)) {
      case 0: {
        // Two relative bounds in order (fixed or mixed bounds are not checked for order).
        std::vector<int64_t> mine;
        std::vector<int64_t>* saved = offsets_;
        offsets_ = &mine;
        std::string a = Relative(), b = Relative();
        offsets_ = saved;
        offsets_->insert(offsets_->end(), mine.begin(), mine.end());
        if (mine[0] > mine[1]) std::swap(a, b);
        return field + " BETWEEN " + a + " AND " + b;
      }
      case 1:
        return field + " IN (" + Date() + ", " + Date() + ")";
      default:
        return field + " " + Op() + " " + Date();
    }
  }

  std::string Atom() {
    switch (Pick(12)) {
      case 0:
        switch (Pick(5)) {
          case 0:
            return "email " + Op() + " \"" + Of<std::string>({"a@x.com", "b", "c"}) + "\"";
          case 1:
            return "email IN (\"a@x.com\", \"c@x.org\")";
          case 2:
            return "email CONTAINS \"" + Of<std::string>({"x", "Gmail", "@"}) + "\"";
          case 3:
            return "email LIKE \"" + Of<std::string>({"*@gmail.com", "a*", "*.org", "B"}) + "\"";
          default:
            return "email BETWEEN \"a\" AND \"c\"";
        }
      case 1:
        if (Pick(3) == 0) return "age BETWEEN 0 AND 34";
        return "age " + Op() + " " + Of<std::string>({"-1", "0", "19", "33.5", "34"});
      case 2:
        if (Pick(3) == 0) return "score IN (7, 7.5, -2)";
        return "score " + Op() + " " + Of<std::string>({"-2", "7", "7.5", "1e2"});
      case 3:
        return std::string("vip ") + (Pick(2) ? "=" : "!=") + (Pick(2) ? " true" : " false");
      case 4:
      case 5:
        return DateAtom("opened");
      case 6:
        return DateAtom(Pick(2) ? "active" : "clicks.example.com");
      case 7:
        return "EXISTS " + Of<std::string>({"email", "opened", "campaigns", "events.9",
                                            "clicks.shop.example.com"});
      case 8:
        switch (Pick(5)) {
          case 0:
            return std::string("campaigns ") + (Pick(2) ? "=" : "!=") + " \"118\"";
          case 1:
            return "campaigns IN (\"120\", \"121\")";
          case 2:
            return "campaigns INTERSECTS (\"118\")";
          case 3:
            return "campaigns CONTAINS \"121\"";
          default:
            return "campaigns LIKE \"12*\"";
        }
      case 9:
        return "events.email_opened " + Op() + " " + std::to_string(Pick(7));
      case 10:
        return "events " + Of<std::string>({"IN (\"email_clicked\", 9)", "INTERSECTS (\"9\")",
                                            "CONTAINS \"email_opened\""});
      default:
        return DateAtom("clicks.shop.example.com");
    }
  }

  std::mt19937_64 rng_;
  std::vector<int64_t>* offsets_ = nullptr;
};

TEST(SegmentPropertyTest, NoChangeBeforeNextChangeAndAChangeAtIt) {
  const Schema schema = MakeSchema();
  Generator gen(7);
  std::mt19937_64 rng(11);
  int with_change = 0, checked = 0;
  for (int f = 0; f < 1500; ++f) {
    std::vector<int64_t> offsets;
    const std::string text = gen.Filter(&offsets);
    auto compiled = Compile(text, schema);
    ASSERT_TRUE(compiled.ok()) << text << "\n" << compiled.status().ToString();
    const CompiledSegment& s = **compiled;
    ASSERT_EQ(s.time_relative(), !offsets.empty()) << text;
    for (int i = 0; i < 12; ++i) {
      const profile::Profile p = gen.Profile();
      const std::string where = text + "\nprofile " + profile::RenderProfileJson(p);
      // Every instant where a date of the profile meets now + an offset of the filter.
      std::vector<int64_t> dates;
      for (const auto& [name, state] : p.fields()) {
        mapping::Value v = state.value();
        if (state.kind() == Kind::kDate) dates.push_back(v.scalar.i);
        if (state.kind() == Kind::kMapTime) {
          for (const auto& [k, x] : v.map) dates.push_back(x.i);
        }
      }
      int64_t now = kNow + static_cast<int64_t>(rng() % (3 * kDay)) - kDay;
      // Follow the chain of changes a timer index would follow.
      for (int step = 0; step < 4; ++step) {
        const bool base = s.Matches(p, now);
        const std::optional<int64_t> next = s.NextChange(p, now);
        if (!s.time_relative()) {
          ASSERT_FALSE(next.has_value()) << where;
        }
        const int64_t end = next ? *next : now + 30 * 365 * kDay;
        std::vector<int64_t> samples = {now + 1, end - 1};
        for (int k = 0; k < 16; ++k) {
          double span = static_cast<double>(end - now);
          double frac = std::pow(2.0, -static_cast<double>(rng() % 40));
          samples.push_back(now + 1 + static_cast<int64_t>((span - 2) * frac));
          samples.push_back(now + 1 +
                            static_cast<int64_t>(rng() % static_cast<uint64_t>(end - now)));
        }
        for (int64_t d : dates) {
          for (int64_t off : offsets) {
            for (int64_t e : {-1, 0, 1}) samples.push_back(d - off + e);
          }
        }
        for (int64_t t : samples) {
          if (t <= now || t >= end) continue;
          ASSERT_EQ(s.Matches(p, t), base)
              << where << "\nnow " << FormatRfc3339(now) << " changes at " << FormatRfc3339(t)
              << " before NextChange " << (next ? FormatRfc3339(*next) : "never");
          ++checked;
        }
        if (!next) break;
        ASSERT_GT(*next, now) << where;
        ASSERT_NE(s.Matches(p, *next), base)
            << where << "\nno change at NextChange " << FormatRfc3339(*next);
        ++with_change;
        now = *next;
      }
    }
  }
  EXPECT_GT(with_change, 1000);
  EXPECT_GT(checked, 100000);
}

// Random edits of valid filters: never a crash, and every error points inside the text.
TEST(SegmentPropertyTest, MangledFiltersFailCleanly) {
  const Schema schema = MakeSchema();
  Generator gen(3);
  std::mt19937_64 rng(5);
  const std::string alphabet = "()\",.-=<>!`'*AND OR NOT IN 9 x\n\\";
  int errors = 0;
  for (int f = 0; f < 3000; ++f) {
    std::vector<int64_t> offsets;
    std::string text = gen.Filter(&offsets);
    for (int e = 0, n = 1 + static_cast<int>(rng() % 3); e < n; ++e) {
      size_t at = rng() % (text.size() + 1);
      switch (rng() % 3) {
        case 0:
          text.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
        case 1:
          if (at < text.size()) text.erase(at, 1);
          break;
        default:
          text = text.substr(0, at);
      }
    }
    auto r = CompileWithPosition(text, schema);
    if (r.ok()) {
      profile::Profile p = gen.Profile();
      (void)r.value()->Matches(p, kNow);
      (void)r.value()->NextChange(p, kNow);
      continue;
    }
    ++errors;
    const lang::Position pos = r.error().position();
    int lines = 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
    EXPECT_GE(pos.line, 1) << text;
    EXPECT_LE(pos.line, lines) << text;
    EXPECT_GE(pos.column, 1) << text;
    EXPECT_FALSE(r.error().message().empty()) << text;
  }
  EXPECT_GT(errors, 500);
}

}  // namespace
}  // namespace cohort::segment
