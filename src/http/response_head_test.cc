#include "http/response_head.h"

#include <gtest/gtest.h>

namespace cohort::http {
namespace {

TEST(ResponseHeadTest, HeadersInOrderWithoutTheTransportsOwnOrBrokenOnes) {
  Response r;
  r.content_type = "application/json";
  r.headers = {{"Retry-After", "1"},      {"content-length", "99"}, {"Connection", "close"},
               {"X-Request-Id", "forged"}, {"X-Bad", "a\r\nb: c"},  {"Bad:Name", "x"},
               {"Transfer-Encoding", "chunked"}, {"X-Extra", "yes"}};
  const std::string rid = "rid-1";  // the list points into it
  const HeaderList h = ResponseHeaders(r, rid);
  const HeaderList want = {{"Content-Type", "application/json"},
                           {"X-Request-Id", "rid-1"},
                           {"Retry-After", "1"},
                           {"X-Extra", "yes"}};
  EXPECT_EQ(h, want);
  Response no_type;
  no_type.content_type.clear();
  const std::string r_id = "r";
  EXPECT_EQ(ResponseHeaders(no_type, r_id), (HeaderList{{"X-Request-Id", "r"}}));
}

TEST(ResponseHeadTest, StatusLineLengthAndConnection) {
  const HeaderList h = {{"X-Request-Id", "r"}};
  std::string out;
  AppendResponseHead(200, 11, h, 5, /*close=*/false, &out);
  EXPECT_EQ(out, "HTTP/1.1 200 OK\r\nX-Request-Id: r\r\nContent-Length: 5\r\n\r\n");
  out.clear();
  AppendResponseHead(404, 11, h, 0, /*close=*/true, &out);
  EXPECT_EQ(out,
            "HTTP/1.1 404 Not Found\r\nX-Request-Id: r\r\nContent-Length: 0\r\n"
            "Connection: close\r\n\r\n");
  out.clear();
  AppendResponseHead(503, 10, h, 2, /*close=*/false, &out);
  EXPECT_EQ(out,
            "HTTP/1.0 503 Service Unavailable\r\nX-Request-Id: r\r\nContent-Length: 2\r\n"
            "Connection: keep-alive\r\n\r\n");
  out.clear();
  AppendResponseHead(299, 10, {}, 0, /*close=*/true, &out);
  EXPECT_EQ(out, "HTTP/1.0 299 Unknown\r\nContent-Length: 0\r\n\r\n");
}

}  // namespace
}  // namespace cohort::http
