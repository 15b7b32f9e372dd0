// A tiny blocking HTTP/1.1 client over POSIX sockets, for the server's tests only (header-only
// so that it stays out of the `http` library). It lets a
// test send exactly the bytes it wants (malformed requests, trickled headers, bodies never
// sent) and read one response at a time. Every socket has a 5 s receive timeout so that a
// broken server fails a test instead of hanging it. Not thread-safe per socket.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace cohort::http::testclient {

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;                            // de-chunked
  const std::string* Header(const std::string& lowercase_name) const;
};

class TestSocket {
 public:
  // Connects to 127.0.0.1:port; valid() is false on failure.
  explicit TestSocket(uint16_t port);
  ~TestSocket();
  TestSocket(TestSocket&& o) noexcept;
  TestSocket(const TestSocket&) = delete;
  TestSocket& operator=(const TestSocket&) = delete;

  bool valid() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // Sends all of `data`; false if the connection failed.
  bool Send(std::string_view data);
  // Reads one response (Content-Length, chunked, or until close). nullopt on timeout, on a
  // connection closed before a complete response, or on unparsable bytes.
  std::optional<ClientResponse> Read();
  // True if the server closes the connection (EOF or reset) within timeout_ms. Discards data.
  bool WaitClosed(int timeout_ms);
  // True if the peer has closed, without waiting.
  bool ClosedNow();

 private:
  bool Fill();  // reads more into buffer_; false on EOF/error/timeout
  std::optional<std::string> ReadLine();

  int fd_ = -1;
  std::string buffer_;
};

namespace internal {

inline std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

inline std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace internal

inline const std::string* ClientResponse::Header(const std::string& lowercase_name) const {
  auto it = headers.find(lowercase_name);
  return it == headers.end() ? nullptr : &it->second;
}

inline TestSocket::TestSocket(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return;
  timeval tv{5, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

inline TestSocket::~TestSocket() {
  if (fd_ >= 0) ::close(fd_);
}

inline TestSocket::TestSocket(TestSocket&& o) noexcept : fd_(o.fd_), buffer_(std::move(o.buffer_)) {
  o.fd_ = -1;
}

inline bool TestSocket::Send(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

inline bool TestSocket::Fill() {
  char buf[16384];
  for (;;) {
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }
}

inline std::optional<std::string> TestSocket::ReadLine() {
  for (;;) {
    const size_t pos = buffer_.find("\r\n");
    if (pos != std::string::npos) {
      std::string line = buffer_.substr(0, pos);
      buffer_.erase(0, pos + 2);
      return line;
    }
    if (!Fill()) return std::nullopt;
  }
}

inline std::optional<ClientResponse> TestSocket::Read() {
  ClientResponse r;
  std::optional<std::string> line = ReadLine();
  // Skip interim 1xx responses other than the one a test asks for explicitly.
  if (!line || line->rfind("HTTP/1.", 0) != 0 || line->size() < 12) return std::nullopt;
  r.status = std::atoi(line->c_str() + 9);
  for (;;) {
    line = ReadLine();
    if (!line) return std::nullopt;
    if (line->empty()) break;
    const size_t colon = line->find(':');
    if (colon == std::string::npos) return std::nullopt;
    r.headers[internal::Lower(line->substr(0, colon))] =
        internal::Trim(std::string_view(*line).substr(colon + 1));
  }
  if (r.status / 100 == 1) return r;
  if (const std::string* te = r.Header("transfer-encoding");
      te && internal::Lower(*te) == "chunked") {
    for (;;) {
      line = ReadLine();
      if (!line) return std::nullopt;
      const size_t size = std::strtoul(line->c_str(), nullptr, 16);
      if (size == 0) {
        // Trailer section ends with an empty line.
        for (;;) {
          line = ReadLine();
          if (!line) return std::nullopt;
          if (line->empty()) return r;
        }
      }
      while (buffer_.size() < size + 2) {
        if (!Fill()) return std::nullopt;
      }
      r.body += buffer_.substr(0, size);
      buffer_.erase(0, size + 2);
    }
  }
  if (const std::string* cl = r.Header("content-length")) {
    const size_t size = std::strtoul(cl->c_str(), nullptr, 10);
    while (buffer_.size() < size) {
      if (!Fill()) return std::nullopt;
    }
    r.body = buffer_.substr(0, size);
    buffer_.erase(0, size);
    return r;
  }
  while (Fill()) {
  }
  r.body = std::move(buffer_);
  buffer_.clear();
  return r;
}

inline bool TestSocket::WaitClosed(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(left));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) return false;
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
    if (n == 0) return true;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return true;
  }
}

inline bool TestSocket::ClosedNow() {
  char c;
  const ssize_t n = ::recv(fd_, &c, 1, MSG_DONTWAIT | MSG_PEEK);
  if (n == 0) return true;
  return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

// Sends one request and reads its response on a fresh connection.
inline std::optional<ClientResponse> Fetch(uint16_t port, std::string_view raw_request) {
  TestSocket s(port);
  if (!s.valid() || !s.Send(raw_request)) return std::nullopt;
  return s.Read();
}

}  // namespace cohort::http::testclient
