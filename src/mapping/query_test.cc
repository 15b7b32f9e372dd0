#include "mapping/query.h"

#include <gtest/gtest.h>

#include <thread>

namespace cohort::mapping {
namespace {

constexpr char kQuery[] =
    "SELECT email(email) AS email SHORTDESC \"Email\" LONGDESC \"The address\",\n"
    "       customer_id AS cid,\n"
    "       valuect(event) AS events\n"
    "FROM customerio_events INTO user BY email OR cid\n"
    "WHERE object_type != \"internal\"\n"
    "ALIAS demo";

std::shared_ptr<const CompiledQuery> MustCompile(std::string_view text) {
  auto q = Compile(text);
  EXPECT_TRUE(q.ok()) << q.status().ToString();
  return q.ok() ? q.value() : nullptr;
}

TEST(QueryTest, Accessors) {
  auto q = MustCompile(kQuery);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->text(), kQuery);
  EXPECT_EQ(q->alias(), "demo");
  EXPECT_EQ(q->from(), "customerio_events");
  EXPECT_EQ(q->into(), "user");
  EXPECT_EQ(q->by(), (std::vector<std::string>{"email", "cid"}));
  ASSERT_EQ(q->columns().size(), 3u);
  const ColumnInfo& email = q->columns()[0];
  EXPECT_EQ(email.name, "email");
  EXPECT_EQ(email.kind, Kind::kString);
  EXPECT_EQ(email.op, MergeOp::kLatest);
  EXPECT_EQ(email.shortdesc, "Email");
  EXPECT_EQ(email.longdesc, "The address");
  EXPECT_EQ(email.source, "email(email) AS email SHORTDESC \"Email\" LONGDESC \"The address\"");
  EXPECT_TRUE(email.identity);
  EXPECT_FALSE(q->columns()[2].identity);
  EXPECT_EQ(q->FindColumn("events")->kind, Kind::kMapIntSum);
  EXPECT_EQ(q->FindColumn("nope"), nullptr);
}

TEST(QueryTest, CompileErrorIsInvalidArgumentWithPosition) {
  auto q = Compile("SELECT a\nFROM events INTO user BY b ALIAS x");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(q.status().message(),
            "line 2, column 26: BY field 'b' is not a column of this statement; add a column AS "
            "b, or fix the name");
  auto r = CompileWithPosition("SELECT a\nFROM events INTO user BY b ALIAS x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().position(), (lang::Position{2, 26}));
}

TEST(QueryTest, EvaluateElementAndJson) {
  auto q = MustCompile(kQuery);
  ASSERT_TRUE(q);
  const char* json =
      R"({"object_type":"email","event":"email_opened","email":"A@Example.com","customer_id":9})";
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(std::string(json)).value();
  std::optional<Evaluation> a = q->Evaluate(doc, 5000, 6000);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->updates.size(), 3u);
  EXPECT_EQ(a->updates[0].field, "email");
  EXPECT_EQ(a->updates[0].value.scalar, Scalar::String("a@example.com"));
  EXPECT_EQ(a->updates[0].event_time_ms, 5000);
  EXPECT_EQ(a->updates[1].value.scalar, Scalar::String("9"));
  EXPECT_EQ(a->updates[2].value.map,
            (std::vector<std::pair<std::string, Scalar>>{{"email_opened", Scalar::Int(1)}}));
  EXPECT_EQ(a->identities, (std::vector<Identity>{{"email", "a@example.com"}, {"cid", "9"}}));

  auto b = q->EvaluateJson(json, 5000, 6000);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b.value(), *a);

  auto dropped = q->EvaluateJson(R"({"object_type":"internal","email":"a@example.com"})", 1, 2);
  ASSERT_TRUE(dropped.ok());
  EXPECT_FALSE(dropped.value().has_value());
}

TEST(QueryTest, EvaluateJsonRejectsBadInput) {
  auto q = MustCompile(kQuery);
  ASSERT_TRUE(q);
  auto bad = q->EvaluateJson("{\"a\":", 1, 2);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().rfind("event is not valid JSON: ", 0), 0u);
  auto arr = q->EvaluateJson("[1,2]", 1, 2);
  ASSERT_FALSE(arr.ok());
  EXPECT_EQ(arr.status().message(), "event is not a JSON object; send one JSON object");
}

TEST(QueryTest, NonObjectElementHasNoFields) {
  auto q = MustCompile("SELECT a, count() AS n FROM s INTO user BY a ALIAS x");
  ASSERT_TRUE(q);
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(std::string("[1]")).value();
  std::optional<Evaluation> r = q->Evaluate(doc, 1, 2);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->updates.size(), 1u);
  EXPECT_EQ(r->updates[0].field, "n");
  EXPECT_TRUE(r->identities.empty());
}

TEST(QueryTest, IdentityGuardIsAParameter) {
  auto q = MustCompile("SELECT id FROM s INTO user BY id ALIAS x");
  ASSERT_TRUE(q);
  // Default guard: "unknown" is an identity, "null" is not.
  EXPECT_EQ(q->EvaluateJson(R"({"id":"unknown"})", 1, 2).value()->identities.size(), 1u);
  EXPECT_TRUE(q->EvaluateJson(R"({"id":"NULL"})", 1, 2).value()->identities.empty());
  IdentityGuard custom({"unknown", "n/a"});
  EXPECT_TRUE(q->EvaluateJson(R"({"id":" Unknown "})", 1, 2, custom).value()->identities.empty());
  EXPECT_TRUE(q->EvaluateJson(R"({"id":"N/A"})", 1, 2, custom).value()->identities.empty());
  // "null" is allowed by this guard; the empty value never is.
  EXPECT_EQ(q->EvaluateJson(R"({"id":"null"})", 1, 2, custom).value()->identities.size(), 1u);
  EXPECT_FALSE(custom.Allows(""));
  EXPECT_FALSE(IdentityGuard::Default().Allows("-1"));
  EXPECT_FALSE(IdentityGuard::Default().Allows(" 0 "));
  EXPECT_TRUE(IdentityGuard::Default().Allows("01"));
}

TEST(QueryTest, ConcurrentEvaluation) {
  auto q = MustCompile(kQuery);
  ASSERT_TRUE(q);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        // i + 1: "0" is not an identity.
        std::string json = R"({"object_type":"email","event":"e)" + std::to_string(t) +
                           R"(","customer_id":")" + std::to_string(i + 1) + "\"}";
        auto r = q->EvaluateJson(json, i, i);
        if (r.ok() && r.value() && r.value()->updates.size() == 2 &&
            r.value()->identities[0].value == std::to_string(i + 1)) {
          ++ok;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 2000);
}

}  // namespace
}  // namespace cohort::mapping
