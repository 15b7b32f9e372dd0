#include "http/response_head.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace cohort::http {
namespace {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

HeaderList Headers(const Response& r, const std::string& request_id) {
  HeaderList out;
  ForEachResponseHeader(r, request_id, [&](std::string_view name, std::string_view value) {
    out.emplace_back(name, value);
  });
  return out;
}

TEST(ResponseHeadTest, HeadersInOrderWithoutTheTransportsOwnOrBrokenOnes) {
  Response r;
  r.content_type = "application/json";
  r.headers = {{"Retry-After", "1"},      {"content-length", "99"}, {"Connection", "close"},
               {"X-Request-Id", "forged"}, {"X-Bad", "a\r\nb: c"},  {"Bad:Name", "x"},
               {"Transfer-Encoding", "chunked"}, {"X-Extra", "yes"}};
  const HeaderList h = Headers(r, "rid-1");
  const HeaderList want = {{"Content-Type", "application/json"},
                           {"X-Request-Id", "rid-1"},
                           {"Retry-After", "1"},
                           {"X-Extra", "yes"}};
  EXPECT_EQ(h, want);
  Response no_type;
  no_type.content_type.clear();
  EXPECT_EQ(Headers(no_type, "r"), (HeaderList{{"X-Request-Id", "r"}}));
}

TEST(ResponseHeadTest, StatusLineLengthAndConnection) {
  Response r;
  r.content_type.clear();
  const std::string rid = "r";
  std::string out;
  AppendResponseHead(200, 11, r, rid, 5, /*close=*/false, &out);
  EXPECT_EQ(out, "HTTP/1.1 200 OK\r\nX-Request-Id: r\r\nContent-Length: 5\r\n\r\n");
  out.clear();
  AppendResponseHead(404, 11, r, rid, 0, /*close=*/true, &out);
  EXPECT_EQ(out,
            "HTTP/1.1 404 Not Found\r\nX-Request-Id: r\r\nContent-Length: 0\r\n"
            "Connection: close\r\n\r\n");
  out.clear();
  AppendResponseHead(503, 10, r, rid, 2, /*close=*/false, &out);
  EXPECT_EQ(out,
            "HTTP/1.0 503 Service Unavailable\r\nX-Request-Id: r\r\nContent-Length: 2\r\n"
            "Connection: keep-alive\r\n\r\n");
  out.clear();
  r.content_type = "text/plain";
  r.headers = {{"Retry-After", "1"}};
  AppendResponseHead(299, 10, r, rid, 0, /*close=*/true, &out);
  EXPECT_EQ(out,
            "HTTP/1.0 299 Unknown\r\nContent-Type: text/plain\r\nX-Request-Id: r\r\n"
            "Retry-After: 1\r\nContent-Length: 0\r\n\r\n");
}

}  // namespace
}  // namespace cohort::http
