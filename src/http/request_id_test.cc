#include "http/request_id.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "http/error_response.h"

namespace cohort::http {
namespace {

TEST(RequestIdTest, FreshIdsAreSixteenHexAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string id = NewRequestId();
    ASSERT_EQ(id.size(), 16u);
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(RequestIdTest, ReusesOnlySafeClientIds) {
  const std::string ok = "req-1_2.3:4";
  EXPECT_EQ(ChooseRequestId(&ok), ok);
  const std::string max(64, 'a');
  EXPECT_EQ(ChooseRequestId(&max), max);
  for (const std::string& bad : {std::string(65, 'a'), std::string(""), std::string("a b"),
                                 std::string("a\"b"), std::string("x\r\ny")}) {
    EXPECT_FALSE(IsSafeRequestId(bad)) << bad;
    EXPECT_NE(ChooseRequestId(&bad), bad);
  }
  EXPECT_EQ(ChooseRequestId(nullptr).size(), 16u);
}

TEST(ErrorEnvelopeTest, EscapesMessage) {
  EXPECT_EQ(ErrorEnvelope(400, "bad \"x\"\n\\ \x01", "abc"),
            "{\"status\":400,\"message\":\"bad \\\"x\\\"\\n\\\\ \\u0001\",\"request_id\":\"abc\"}");
  Response r = ErrorResponse(413, "too big", "id1");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, "{\"status\":413,\"message\":\"too big\",\"request_id\":\"id1\"}");
}

}  // namespace
}  // namespace cohort::http
