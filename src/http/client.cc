#include "http/client.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstring>

namespace cohort::http {
namespace {

struct Url {
  std::string host, port, target;
};

StatusOr<Url> ParseUrl(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    return InvalidArgumentError("server URL must start with http:// (got \"" + url + "\")");
  }
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  Url u;
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  size_t colon = hostport.rfind(':');
  if (colon == std::string::npos) {
    u.host = hostport;
    u.port = "80";
  } else {
    u.host = hostport.substr(0, colon);
    u.port = hostport.substr(colon + 1);
  }
  if (u.host.size() > 2 && u.host.front() == '[') u.host = u.host.substr(1, u.host.size() - 2);
  return u;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

bool WaitFd(int fd, short events, int64_t deadline_ms) {
  using namespace std::chrono;
  int64_t now = duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
  if (now >= deadline_ms) return false;
  pollfd p{fd, events, 0};
  return poll(&p, 1, static_cast<int>(deadline_ms - now)) > 0;
}

}  // namespace

const std::string* HttpResult::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::string UrlEncode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

StatusOr<HttpResult> Fetch(const HttpCall& call) {
  ASSIGN_OR_RETURN(Url u, ParseUrl(call.url));
  using namespace std::chrono;
  const int64_t deadline =
      duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count() + call.timeout_ms;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(u.host.c_str(), u.port.c_str(), &hints, &res) != 0 || !res) {
    return UnavailableError("cannot resolve " + u.host + " (from " + call.url + ")");
  }
  int sock = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
  Fd fd(sock);
  int rc = sock < 0 ? -1 : connect(sock, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  if (rc != 0) {
    return UnavailableError("cannot connect to " + u.host + ":" + u.port + " (" +
                            std::strerror(errno) + "); is `cohort serve` running there?");
  }
  std::string req = call.method + " " + u.target + " HTTP/1.1\r\nHost: " + u.host + ":" + u.port +
                    "\r\nConnection: close\r\nContent-Length: " + std::to_string(call.body.size()) +
                    "\r\n";
  for (const auto& [k, v] : call.headers) req += k + ": " + v + "\r\n";
  req += "\r\n";
  req += call.body;
  size_t sent = 0;
  while (sent < req.size()) {
    if (!WaitFd(sock, POLLOUT, deadline)) return UnavailableError("timed out sending to " + call.url);
    ssize_t n = send(sock, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return UnavailableError("connection closed while sending to " + call.url);
    sent += static_cast<size_t>(n);
  }
  std::string raw;
  char buf[65536];
  for (;;) {
    if (!WaitFd(sock, POLLIN, deadline)) return UnavailableError("timed out waiting for " + call.url);
    ssize_t n = recv(sock, buf, sizeof buf, 0);
    if (n < 0) return UnavailableError("error reading from " + call.url);
    if (n == 0) break;
    raw.append(buf, static_cast<size_t>(n));
  }
  size_t hend = raw.find("\r\n\r\n");
  if (hend == std::string::npos || raw.compare(0, 5, "HTTP/") != 0) {
    return UnavailableError("malformed HTTP response from " + call.url);
  }
  HttpResult r;
  r.status = std::atoi(raw.c_str() + raw.find(' ') + 1);
  bool chunked = false;
  size_t pos = raw.find("\r\n") + 2;
  while (pos < hend) {
    size_t eol = raw.find("\r\n", pos);
    std::string line = raw.substr(pos, eol - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string k = line.substr(0, colon), v = line.substr(colon + 1);
      for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      while (!v.empty() && v.front() == ' ') v.erase(0, 1);
      if (k == "transfer-encoding" && v.find("chunked") != std::string::npos) chunked = true;
      r.headers.emplace_back(k, v);
    }
    pos = eol + 2;
  }
  std::string body = raw.substr(hend + 4);
  if (chunked) {
    size_t p = 0;
    while (p < body.size()) {
      size_t eol = body.find("\r\n", p);
      if (eol == std::string::npos) break;
      size_t len = std::stoul(body.substr(p, eol - p), nullptr, 16);
      if (len == 0) break;
      r.body.append(body, eol + 2, len);
      p = eol + 2 + len + 2;
    }
  } else {
    r.body = std::move(body);
  }
  return r;
}

}  // namespace cohort::http
