// The integration-test harness: a real `cohort serve` process on port 0 in a temp data
// directory, a small HTTP helper that returns status + parsed JSON, raw sockets for the cases
// a well-behaved client cannot produce (trickled headers, idle connections, half-sent bodies),
// and the Customer.io fixtures of ../shared/fixtures/customerio.
//
// Thread-safety: ServerProcess is controlled from one thread (the test's main thread: the
// child gets SIGKILL when the thread that spawned it exits); its const accessors and the
// request helpers may be called from any thread while it runs. Everything else is
// thread-compatible.
#pragma once

#include <sys/types.h>

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/status.h"

namespace cohort::integration {

using namespace std::chrono_literals;
using Headers = std::vector<std::pair<std::string, std::string>>;

// The bootstrap admin token every ServerProcess gets through COHORT_ADMIN_TOKEN, so that it
// stays the same across restarts.
inline constexpr char kAdminToken[] = "integration-admin-token-0123456789";

// ---------------------------------------------------------------------------------------------
// Files and fixtures.

// A unique directory under /tmp, removed with everything in it when this object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name (not created).
  std::string Sub(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

// The whole file; records a test failure (with the path) and returns "" if it cannot be read.
std::string ReadFile(const std::string& path);

// ../shared/fixtures/customerio/<name>, with one trailing newline removed.
std::string ReadFixture(const std::string& name);

// Every event fixture: the *.json files of the fixture directory except
// signature_example.json, sorted.
std::vector<std::string> EventFixtureNames();

// Parses `text`; a null value if it is not JSON.
boost::json::value ParseJson(std::string_view text);

// Polls `condition` every `interval` until it is true (returns true) or `timeout` passes
// (returns false).
bool Eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval = 10ms);

// ---------------------------------------------------------------------------------------------
// HTTP.

struct Reply {
  int status = 0;           // 0: no HTTP answer; `error` says why
  std::string error;        // transport error, empty when an answer came
  Headers headers;          // names lowercased
  std::string body;         // de-chunked
  boost::json::value json;  // the parsed body, null if it is not JSON

  const std::string* Header(std::string_view lowercase_name) const;
  // json["data"], or null.
  const boost::json::value& Data() const;
  // json["message"] as a string, or "".
  std::string Message() const;
  // "<status> <body>" (body cut at 2000 bytes), or the transport error: for failure messages.
  std::string Describe() const;
};

struct Call {
  std::string method = "GET";
  std::string target{};  // "/path?query"
  std::string body{};
  std::string token{};  // sent as "Authorization: Bearer <token>" when not empty
  Headers headers{};
  int timeout_ms = 30000;
};

// One request on its own connection (Connection: close).
Reply Send(const std::string& base_url, const Call& call);

// Reads a full HTTP/1.1 response (status line, headers, Content-Length or chunked body) out of
// raw bytes; status 0 with `error` if they do not hold one.
Reply ParseRawResponse(std::string_view raw);

// Milliseconds since the epoch, parsed from the RFC 3339 UTC form the API renders
// ("2024-06-01T14:00:12Z" or with ".123"); -1 if it is not one.
int64_t ParseRfc3339Ms(std::string_view s);

// A TCP connection to 127.0.0.1:port that sends exactly what the test says. Close-on-exec; all
// sends use MSG_NOSIGNAL.
class RawSocket {
 public:
  // Connects (blocking); valid() is false if that failed.
  explicit RawSocket(uint16_t port);
  ~RawSocket();
  RawSocket(RawSocket&& o) noexcept;
  RawSocket& operator=(RawSocket&& o) noexcept;
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool valid() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  // Sends all of `bytes`; false if the connection failed.
  bool SendAll(std::string_view bytes);

  enum class State { kQuiet, kReadable, kClosed };
  // Waits up to `timeout` for something from the peer: kQuiet if nothing came, kReadable if
  // data is waiting, kClosed if the peer closed or reset the connection (recv returned 0 or an
  // error; waiting data is consumed to tell).
  State Wait(std::chrono::milliseconds timeout);
  // True if data (or the end of the stream) is waiting within `timeout`; consumes nothing.
  bool Readable(std::chrono::milliseconds timeout);
  // Reads until the peer closes, `timeout` passes, or a complete response has arrived.
  std::string ReadResponse(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
};

// ---------------------------------------------------------------------------------------------
// The server process.

// The `cohort` binary the tests run: $COHORT_IT_BINARY if set (to test another build), else
// the one built with the tests (COHORT_BINARY).
std::string ServerBinary();

struct ServerOptions {
  // Extra command-line flags after `serve --data DIR --listen 127.0.0.1:0`.
  std::vector<std::string> flags{};
  // Extra environment (overrides; COHORT_* of the test's own environment are not passed on).
  Headers env{};
};

struct ExitInfo {
  bool exited = false;  // exited normally, with `code`
  int code = -1;
  int signal = 0;          // killed by this signal
  bool timed_out = false;  // did not exit in time and was SIGKILLed
  std::string Describe() const;
};

class ServerProcess {
 public:
  // Does not start anything; `data_dir` is created by the server if missing. The server's
  // stderr goes to data_dir + ".log" (see Log()).
  explicit ServerProcess(std::string data_dir, ServerOptions options = {});
  // SIGKILLs a running server and reaps it.
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Spawns the server and waits up to 20 s for "cohort is serving on <url>". On failure the
  // Status has the reason and the tail of the server's output; the process is killed.
  [[nodiscard]] Status Start();
  // SIGTERM a running server (if any), then Start() on the same data directory.
  [[nodiscard]] Status Restart();

  // SIGKILL and reap.
  ExitInfo Kill();
  // SIGTERM, then wait up to `timeout` for the exit (SIGKILL after that, timed_out = true).
  ExitInfo Terminate(std::chrono::milliseconds timeout = 15s);
  // Sends `sig` without waiting.
  void Signal(int sig);
  // Waits up to `timeout` for the process to exit; SIGKILLs it after that (timed_out = true).
  ExitInfo WaitForExit(std::chrono::milliseconds timeout);

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  const std::string& data_dir() const { return data_dir_; }
  // "http://127.0.0.1:<port>" of the current run.
  const std::string& base_url() const { return base_url_; }
  uint16_t port() const { return port_; }
  // The admin token (printed one if the server printed one, else kAdminToken).
  const std::string& admin_token() const { return admin_token_; }
  // The collect token of the webhook URL printed on the first start (kept across restarts).
  const std::string& collect_key() const { return collect_key_; }
  // The server's stdout lines so far (all runs) and its stderr (log file).
  std::vector<std::string> StdoutLines() const;
  std::string Log() const;

  // Requests against this server; `token` is sent as a Bearer token when not empty.
  Reply Get(const std::string& target, const std::string& token) const;
  Reply Post(const std::string& target, const std::string& body, const std::string& token,
             Headers headers = {}) const;
  Reply Put(const std::string& target, const std::string& body, const std::string& token) const;
  Reply Delete(const std::string& target, const std::string& token) const;
  Reply Request(Call call) const;

 private:
  void ReaderLoop(int fd);
  void JoinReader();
  ExitInfo Reap(std::chrono::milliseconds timeout);

  std::string data_dir_;
  ServerOptions options_;
  pid_t pid_ = -1;
  std::string base_url_;
  uint16_t port_ = 0;
  std::string admin_token_ = kAdminToken;
  std::string collect_key_;

  std::thread reader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;  // GUARDED_BY(mu_)
  bool eof_ = false;                // GUARDED_BY(mu_)
};

// Reads every event of `stream` with `token`, newest first, paging with `before` (`limit` per
// page) until an empty page; returns the `data` items. On an unexpected answer, `error` gets
// the reply and what was read so far is returned.
std::vector<boost::json::object> ReadAllEvents(const ServerProcess& server,
                                               const std::string& stream, int limit,
                                               std::string* error);

// GET /api/stream/<stream> → data (null on error).
boost::json::value StreamInfo(const ServerProcess& server, const std::string& stream);

// o[key] as an integer; -1 if `o` is not an object or the key is missing or not a number.
int64_t IntField(const boost::json::value& o, std::string_view key);
// IntField(reply.Data(), key).
int64_t DataInt(const Reply& r, std::string_view key);

// "/collect/json/<stream>".
std::string CollectPath(std::string_view stream);

// A fixture with one server process on a fresh temp data dir, started in SetUp with the
// options Options() returns.
class ServerTest : public ::testing::Test {
 protected:
  virtual ServerOptions Options() const { return {}; }
  void SetUp() override;

  ServerProcess& server() { return *server_; }
  const std::string& admin() const { return server_->admin_token(); }
  const std::string& collect() const { return server_->collect_key(); }

  TempDir dir_;  // declared first: removed after the server is gone
  std::unique_ptr<ServerProcess> server_;
};

}  // namespace cohort::integration
