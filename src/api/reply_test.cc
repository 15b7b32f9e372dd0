// The reply helpers every handler uses.
#include "api/reply.h"

#include <gtest/gtest.h>

#include <optional>

namespace cohort::api {
namespace {

struct Answered {
  std::optional<http::Response> response;
  http::Responder Responder() {
    return [this](http::Response r) { response = std::move(r); };
  }
};

http::Request WithBody(std::string body) {
  http::Request r;
  r.body = std::move(body);
  r.request_id = "rid-1";
  return r;
}

TEST(ReplyTest, BodyObjectOrAnswerReturnsTheObjectAndAnswersNothing) {
  Answered a;
  auto o = BodyObjectOrAnswer(WithBody(R"({"name":"x"})"), a.Responder(), "{\"name\":\"...\"}");
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->at("name").as_string(), "x");
  EXPECT_FALSE(a.response.has_value());
}

TEST(ReplyTest, BodyObjectOrAnswerAnswers400WithTheExample) {
  for (const char* bad : {"{\"name\":", "[1,2]", ""}) {
    SCOPED_TRACE(bad);
    Answered a;
    EXPECT_FALSE(BodyObjectOrAnswer(WithBody(bad), a.Responder(), "{\"name\":\"...\"}"));
    ASSERT_TRUE(a.response.has_value());
    EXPECT_EQ(a.response->status, 400);
    auto j = boost::json::parse(a.response->body).as_object();
    EXPECT_EQ(j.at("request_id").as_string(), "rid-1");
    const std::string message(j.at("message").as_string());
    EXPECT_NE(message.find("send {\"name\":\"...\"}"), std::string::npos) << message;
  }
}

TEST(ReplyTest, BodyObjectOrAnswerWithoutExampleAnswersTheParseError) {
  Answered a;
  EXPECT_FALSE(BodyObjectOrAnswer(WithBody("nope"), a.Responder()));
  ASSERT_TRUE(a.response.has_value());
  EXPECT_EQ(a.response->status, 400);
  auto j = boost::json::parse(a.response->body).as_object();
  const std::string message(j.at("message").as_string());
  EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
  EXPECT_EQ(message.find("send "), std::string::npos) << message;
}

}  // namespace
}  // namespace cohort::api
