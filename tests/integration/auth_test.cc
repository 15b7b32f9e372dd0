// Tokens and roles against a real `cohort serve` process (SPEC §2.1, §2.8; issue 2 must-show
// 4): where a token may come from, 401 vs 403, the token API, revocation at once, and no
// token in the log.
#include "harness.h"

namespace cohort::integration {
namespace {

const char kEvent[] = "{\"event_id\":\"auth-1\",\"metric\":\"opened\"}";

class AuthTest : public ServerTest {
 protected:
  // POST /api/token → the plain token and its id.
  std::pair<std::string, std::string> CreateToken(const std::string& name,
                                                  const std::string& role) {
    Reply r = server().Post("/api/token", "{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}",
                            admin());
    EXPECT_EQ(r.status, 200) << r.Describe();
    if (r.status != 200) return {};
    EXPECT_EQ(r.Data().at("role").as_string(), role);
    EXPECT_EQ(r.Data().at("name").as_string(), name);
    return {std::string(r.Data().at("token").as_string()),
            std::string(r.Data().at("id").as_string())};
  }
};

TEST_F(AuthTest, MissingOrUnknownTokenIs401) {
  for (const Reply& r :
       {server().Post(CollectPath("customerio"), kEvent, ""), server().Get("/api/stream", ""),
        server().Post(CollectPath("customerio"), kEvent, "not-a-real-token"),
        server().Post(CollectPath("customerio") + "?key=wrong", kEvent, ""),
        server().Get("/api/stream?access_token=wrong", ""),
        server().Get("/api/stream", kAdminToken + std::string("x")),
        server().Request({.target = "/api/stream", .headers = {{"Authorization", "Bearer "}}})}) {
    EXPECT_EQ(r.status, 401) << r.Describe();
    EXPECT_EQ(IntField(r.json, "status"), 401) << r.body;
    EXPECT_FALSE(r.Message().empty());
  }
  EXPECT_EQ(server().Get("/api/stream/customerio", admin()).status, 404) << "nothing was stored";
}

TEST_F(AuthTest, EveryTokenFormIsAccepted) {
  const std::string t = admin();
  const std::vector<Call> calls = {
      {.target = "/api/stream", .headers = {{"Authorization", "Bearer " + t}}},
      {.target = "/api/stream", .headers = {{"Authorization", t}}},
      {.target = "/api/stream?access_token=" + t},
      {.target = "/api/stream?key=" + t},
  };
  for (const Call& c : calls) {
    Reply r = server().Request(c);
    EXPECT_EQ(r.status, 200) << c.target << ": " << r.Describe();
  }
  const std::string k = collect();
  const std::vector<Call> collects = {
      {.method = "POST", .target = CollectPath("customerio") + "?key=" + k, .body = kEvent},
      {.method = "POST",
       .target = CollectPath("customerio") + "?access_token=" + k,
       .body = kEvent},
      {.method = "POST",
       .target = CollectPath("customerio"),
       .body = kEvent,
       .headers = {{"Authorization", "Bearer " + k}}},
      {.method = "POST",
       .target = CollectPath("customerio"),
       .body = kEvent,
       .headers = {{"Authorization", k}}},
  };
  for (const Call& c : collects) {
    Reply r = server().Request(c);
    EXPECT_EQ(r.status, 200) << c.target << ": " << r.Describe();
  }
  EXPECT_EQ(IntField(StreamInfo(server(), "customerio"), "event_count"), 1);
  // The admin token may collect too.
  EXPECT_EQ(server().Post(CollectPath("customerio"), kEvent, admin()).status, 200);
}

TEST_F(AuthTest, RolesAreEnforcedWith403) {
  ASSERT_EQ(server().Post(CollectPath("customerio"), kEvent, collect()).status, 200);
  // The collect token is for /collect only.
  for (const Reply& r :
       {server().Get("/api/stream", collect()),
        server().Get("/api/stream/customerio/events", collect()),
        server().Get("/api/token", collect()),
        server().Post("/api/token", "{\"name\":\"x\",\"role\":\"admin\"}", collect()),
        server().Put("/api/stream/customerio/config", "{}", collect())}) {
    EXPECT_EQ(r.status, 403) << r.Describe();
    EXPECT_EQ(IntField(r.json, "status"), 403) << r.body;
  }

  auto [read, read_id] = CreateToken("dashboard", "read");
  ASSERT_FALSE(read.empty());
  EXPECT_EQ(server().Get("/api/stream", read).status, 200);
  EXPECT_EQ(server().Get("/api/stream/customerio", read).status, 200);
  EXPECT_EQ(server().Get("/api/stream/customerio/events", read).status, 200);
  EXPECT_EQ(server().Get("/api/stream/customerio/config", read).status, 200);
  for (const Reply& r : {server().Post("/api/token", "{\"name\":\"x\",\"role\":\"admin\"}", read),
                         server().Put("/api/stream/customerio/config", "{}", read),
                         server().Delete("/api/token/" + read_id, read),
                         server().Post(CollectPath("customerio"), kEvent, read)}) {
    EXPECT_EQ(r.status, 403) << r.Describe();
  }
}

TEST_F(AuthTest, CreatedTokensWorkAtOnceAndRevokedOnesFailAtOnce) {
  auto [tok, id] = CreateToken("second webhook", "collect");
  ASSERT_FALSE(tok.empty());
  Reply first = server().Post(CollectPath("customerio"), kEvent, tok);
  EXPECT_EQ(first.status, 200) << first.Describe();

  // The list shows the token but never its plain value.
  Reply list = server().Get("/api/token", admin());
  ASSERT_EQ(list.status, 200) << list.Describe();
  EXPECT_NE(list.body.find(id), std::string::npos) << list.body;
  EXPECT_EQ(list.body.find(tok), std::string::npos) << "the plain token was listed";
  EXPECT_EQ(list.body.find(collect()), std::string::npos) << "the plain token was listed";
  EXPECT_EQ(list.body.find(admin()), std::string::npos) << "the plain token was listed";

  Reply revoke = server().Delete("/api/token/" + id, admin());
  ASSERT_EQ(revoke.status, 200) << revoke.Describe();
  Reply after = server().Post(CollectPath("customerio"), kEvent, tok);
  EXPECT_EQ(after.status, 401) << after.Describe();
  // Other tokens are untouched.
  EXPECT_EQ(server().Post(CollectPath("customerio"), kEvent, collect()).status, 200);

  EXPECT_EQ(server().Delete("/api/token/no-such-token-id", admin()).status, 404);
  EXPECT_EQ(server().Post("/api/token", "{\"name\":\"x\",\"role\":\"superuser\"}", admin()).status,
            400);
  EXPECT_EQ(server().Post("/api/token", "{\"name\":\"x\"", admin()).status, 400);

  // Tokens persist across a restart; the revoked one stays revoked.
  auto [read, read_id] = CreateToken("reader", "read");
  ASSERT_TRUE(server().Restart().ok());
  EXPECT_EQ(server().Get("/api/stream", read).status, 200);
  EXPECT_EQ(server().Post(CollectPath("customerio"), kEvent, tok).status, 401);
  EXPECT_EQ(server().Post(CollectPath("customerio"), kEvent, collect()).status, 200);

  // No token ever reaches the log.
  ASSERT_EQ(server().Terminate().code, 0);
  const std::string log = server().Log();
  for (const std::string& secret : {admin(), collect(), tok, read}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "a token is in the server log";
  }
}

}  // namespace
}  // namespace cohort::integration
