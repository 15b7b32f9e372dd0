#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "cli/client.h"

extern char** environ;

namespace cohort::integration {
namespace fs = std::filesystem;

namespace {

int64_t RemainingMs(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return std::max<int64_t>(0, left.count());
}

std::string ToLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Length of a complete response at the start of `raw` (headers + body), or 0 if incomplete.
// Sets *chunked_body to the de-chunked body when Transfer-Encoding is chunked.
size_t CompleteResponseLength(std::string_view raw, std::string* body) {
  size_t hend = raw.find("\r\n\r\n");
  if (hend == std::string_view::npos) return 0;
  std::string head = ToLower(std::string(raw.substr(0, hend)));
  size_t start = hend + 4;
  if (head.find("transfer-encoding: chunked") != std::string::npos) {
    std::string out;
    size_t p = start;
    for (;;) {
      size_t eol = raw.find("\r\n", p);
      if (eol == std::string_view::npos) return 0;
      size_t len = std::strtoul(std::string(raw.substr(p, eol - p)).c_str(), nullptr, 16);
      if (len == 0) {
        size_t end = raw.find("\r\n", eol + 2);  // no trailers expected
        if (end == std::string_view::npos) return 0;
        if (body) *body = std::move(out);
        return end + 2;
      }
      if (raw.size() < eol + 2 + len + 2) return 0;
      out.append(raw.substr(eol + 2, len));
      p = eol + 2 + len + 2;
    }
  }
  size_t length = 0;
  if (size_t cl = head.find("content-length:"); cl != std::string::npos) {
    length = std::strtoul(head.c_str() + cl + 15, nullptr, 10);
  }
  if (raw.size() < start + length) return 0;
  if (body) *body = std::string(raw.substr(start, length));
  return start + length;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Files and fixtures.

TempDir::TempDir() {
  std::string tmpl = "/tmp/cohort-it-XXXXXX";
  if (!mkdtemp(tmpl.data())) {
    ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return "";
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ReadFixture(const std::string& name) {
  std::string s = ReadFile(std::string(COHORT_SHARED_DIR) + "/fixtures/customerio/" + name);
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::vector<std::string> EventFixtureNames() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e :
       fs::directory_iterator(std::string(COHORT_SHARED_DIR) + "/fixtures/customerio", ec)) {
    std::string n = e.path().filename().string();
    if (n.ends_with(".json") && n != "signature_example.json") names.push_back(n);
  }
  if (ec) ADD_FAILURE() << "cannot list the fixture directory: " << ec.message();
  std::sort(names.begin(), names.end());
  return names;
}

boost::json::value ParseJson(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec) return nullptr;
  return v;
}

bool Eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP.

const std::string* Reply::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

const boost::json::value& Reply::Data() const {
  static const boost::json::value kNull;
  if (!json.is_object()) return kNull;
  const boost::json::value* d = json.as_object().if_contains("data");
  return d ? *d : kNull;
}

std::string Reply::Message() const {
  if (!json.is_object()) return "";
  const boost::json::value* m = json.as_object().if_contains("message");
  return m && m->is_string() ? std::string(m->as_string()) : "";
}

std::string Reply::Describe() const {
  if (status == 0) return "no answer: " + error;
  return std::to_string(status) + " " + body.substr(0, 2000);
}

Reply Send(const std::string& base_url, const Call& call) {
  cli::HttpCall c;
  c.method = call.method;
  c.url = base_url + call.target;
  c.body = call.body;
  c.headers = call.headers;
  if (!call.token.empty()) c.headers.emplace_back("Authorization", "Bearer " + call.token);
  c.timeout_ms = call.timeout_ms;
  Reply r;
  auto res = cli::Fetch(c);
  if (!res.ok()) {
    r.error = res.status().message();
    return r;
  }
  r.status = res->status;
  r.headers = std::move(res->headers);
  r.body = std::move(res->body);
  r.json = ParseJson(r.body);
  return r;
}

Reply ParseRawResponse(std::string_view raw) {
  Reply r;
  std::string body;
  size_t n = CompleteResponseLength(raw, &body);
  if (n == 0 || !raw.starts_with("HTTP/1.")) {
    r.error = "not a complete HTTP response (" + std::to_string(raw.size()) + " bytes)";
    return r;
  }
  size_t hend = raw.find("\r\n\r\n");
  r.status = std::atoi(std::string(raw.substr(raw.find(' ') + 1, 3)).c_str());
  size_t pos = raw.find("\r\n") + 2;
  while (pos < hend) {
    size_t eol = raw.find("\r\n", pos);
    std::string_view line = raw.substr(pos, eol - pos);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string v(line.substr(colon + 1));
      while (!v.empty() && v.front() == ' ') v.erase(0, 1);
      r.headers.emplace_back(ToLower(std::string(line.substr(0, colon))), v);
    }
    pos = eol + 2;
  }
  r.body = std::move(body);
  r.json = ParseJson(r.body);
  return r;
}

int64_t ParseRfc3339Ms(std::string_view s) {
  int y, mo, d, h, mi, sec;
  char tail[16] = {0};
  std::string str(s);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%15s", &y, &mo, &d, &h, &mi, &sec, tail) !=
      7) {
    return -1;
  }
  int ms = 0;
  std::string t = tail;
  if (t.size() == 5 && t[0] == '.' && t[4] == 'Z') {
    ms = std::atoi(t.substr(1, 3).c_str());
  } else if (t != "Z") {
    return -1;
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

RawSocket::RawSocket(uint16_t port) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd_);
    fd_ = -1;
  }
}

RawSocket::~RawSocket() {
  if (fd_ >= 0) close(fd_);
}

RawSocket::RawSocket(RawSocket&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}

RawSocket& RawSocket::operator=(RawSocket&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

bool RawSocket::SendAll(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

RawSocket::State RawSocket::Wait(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  int rc = poll(&p, 1, static_cast<int>(timeout.count()));
  if (rc == 0) return State::kQuiet;
  if (rc < 0) return State::kClosed;
  char buf[4096];
  // Consume what is waiting: an answer followed by a close still counts as closed, which is
  // what a cut-off (e.g. a 408-less timeout close) looks like to a client.
  for (;;) {
    ssize_t n = recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) return State::kClosed;
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return State::kReadable;
      if (errno == EINTR) continue;
      return State::kClosed;
    }
  }
}

bool RawSocket::Readable(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  return poll(&p, 1, static_cast<int>(timeout.count())) != 0;
}

std::string RawSocket::ReadResponse(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string raw;
  char buf[65536];
  for (;;) {
    if (CompleteResponseLength(raw, nullptr) > 0) return raw;
    int64_t left = RemainingMs(deadline);
    if (left == 0) return raw;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) return raw;
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return raw;
    raw.append(buf, static_cast<size_t>(n));
  }
}

// ---------------------------------------------------------------------------------------------
// The server process.

std::string ServerBinary() {
  const char* b = std::getenv("COHORT_IT_BINARY");
  return b && *b ? b : COHORT_BINARY;
}

std::string ExitInfo::Describe() const {
  if (timed_out) return "did not exit in time (SIGKILLed)";
  if (exited) return "exited with code " + std::to_string(code);
  if (signal) return "killed by signal " + std::to_string(signal);
  return "not running";
}

ServerProcess::ServerProcess(std::string data_dir, ServerOptions options)
    : data_dir_(std::move(data_dir)), options_(std::move(options)) {}

ServerProcess::~ServerProcess() {
  Kill();
  JoinReader();
}

Status ServerProcess::Start() {
  if (running()) return FailedPreconditionError("the server is already running");
  JoinReader();
  size_t first_line;
  {
    std::lock_guard l(mu_);
    eof_ = false;
    first_line = lines_.size();
  }

  // Everything the child needs is built before fork(): after it, only async-signal-safe calls.
  std::vector<std::string> args = {ServerBinary(), "serve",    "--data",
                                   data_dir_,      "--listen", "127.0.0.1:0"};
  args.insert(args.end(), options_.flags.begin(), options_.flags.end());
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    if (!std::string_view(*e).starts_with("COHORT_")) env.emplace_back(*e);
  }
  Headers extra = {{"COHORT_ADMIN_TOKEN", kAdminToken}};
  extra.insert(extra.end(), options_.env.begin(), options_.env.end());
  for (const auto& [k, v] : extra) {
    std::erase_if(env, [&k](const std::string& s) { return s.starts_with(k + "="); });
    env.push_back(k + "=" + v);
  }
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return InternalError("pipe2: " + std::string(strerror(errno)));
  int logfd = open((data_dir_ + ".log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (logfd < 0) logfd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(pipefd[0]);
    close(pipefd[1]);
    close(logfd);
    return InternalError("fork: " + std::string(strerror(errno)));
  }
  if (pid == 0) {
    // The server must not outlive a crashed test binary.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    int null_in = open("/dev/null", O_RDONLY);
    if (null_in >= 0) dup2(null_in, 0);
    dup2(pipefd[1], 1);
    dup2(logfd, 2);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(pipefd[1]);
  close(logfd);
  pid_ = pid;
  reader_ = std::thread(&ServerProcess::ReaderLoop, this, pipefd[0]);

  const std::string kServing = "cohort is serving on ";
  std::string serving;
  std::vector<std::string> run_lines;
  {
    std::unique_lock l(mu_);
    cv_.wait_for(l, 20s, [&] {
      for (size_t i = first_line; i < lines_.size(); ++i) {
        if (lines_[i].starts_with(kServing)) return true;
      }
      return eof_;
    });
    run_lines.assign(lines_.begin() + static_cast<std::ptrdiff_t>(first_line), lines_.end());
  }
  for (const std::string& line : run_lines) {
    if (line.starts_with("admin token: ")) admin_token_ = line.substr(13);
    if (line.starts_with("webhook URL: ")) {
      size_t k = line.find("?key=");
      std::string key = k == std::string::npos ? "" : line.substr(k + 5);
      if (!key.empty() && key.front() != '<') collect_key_ = key;
    }
    if (line.starts_with(kServing)) {
      std::string rest = line.substr(kServing.size());
      serving = rest.substr(0, rest.find(' '));
    }
  }
  size_t colon = serving.rfind(':');
  if (serving.empty() || colon == std::string::npos) {
    ExitInfo exit = Kill();
    std::string out;
    for (const auto& l : run_lines) out += l + "\n";
    std::string log = Log();
    if (log.size() > 3000) log = log.substr(log.size() - 3000);
    return UnavailableError("cohort serve did not start within 20 s (" + exit.Describe() +
                            ")\nstdout:\n" + out + "stderr:\n" + log);
  }
  base_url_ = serving;
  port_ = static_cast<uint16_t>(std::atoi(serving.c_str() + colon + 1));
  return Status::Ok();
}

Status ServerProcess::Restart() {
  if (running()) {
    ExitInfo e = Terminate();
    if (!e.exited || e.code != 0) {
      return InternalError("the server did not stop cleanly before the restart: " + e.Describe());
    }
  }
  return Start();
}

void ServerProcess::ReaderLoop(int fd) {
  std::string partial;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    partial.append(buf, static_cast<size_t>(n));
    std::vector<std::string> complete;
    size_t nl;
    while ((nl = partial.find('\n')) != std::string::npos) {
      complete.push_back(partial.substr(0, nl));
      partial.erase(0, nl + 1);
    }
    if (!complete.empty()) {
      std::lock_guard l(mu_);
      for (auto& c : complete) lines_.push_back(std::move(c));
      cv_.notify_all();
    }
  }
  close(fd);
  std::lock_guard l(mu_);
  if (!partial.empty()) lines_.push_back(partial);
  eof_ = true;
  cv_.notify_all();
}

void ServerProcess::JoinReader() {
  if (reader_.joinable()) reader_.join();
}

ExitInfo ServerProcess::Reap(std::chrono::milliseconds timeout) {
  ExitInfo info;
  if (!running()) return info;
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  pid_t r = 0;
  for (;;) {
    r = waitpid(pid_, &status, WNOHANG);
    if (r != 0 || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(5ms);
  }
  if (r == 0) {
    info.timed_out = true;
    kill(pid_, SIGKILL);
    r = waitpid(pid_, &status, 0);
  }
  if (r == pid_) {
    if (WIFEXITED(status)) {
      info.exited = true;
      info.code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      info.signal = WTERMSIG(status);
    }
  }
  pid_ = -1;
  JoinReader();  // the pipe is at EOF now that the child is gone
  return info;
}

ExitInfo ServerProcess::Kill() {
  if (!running()) return {};
  kill(pid_, SIGKILL);
  return Reap(10s);
}

ExitInfo ServerProcess::Terminate(std::chrono::milliseconds timeout) {
  if (!running()) return {};
  kill(pid_, SIGTERM);
  return Reap(timeout);
}

void ServerProcess::Signal(int sig) {
  if (running()) kill(pid_, sig);
}

ExitInfo ServerProcess::WaitForExit(std::chrono::milliseconds timeout) { return Reap(timeout); }

std::vector<std::string> ServerProcess::StdoutLines() const {
  std::lock_guard l(mu_);
  return lines_;
}

std::string ServerProcess::Log() const {
  std::ifstream in(data_dir_ + ".log", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Reply ServerProcess::Get(const std::string& target, const std::string& token) const {
  return Request({.method = "GET", .target = target, .token = token});
}

Reply ServerProcess::Post(const std::string& target, const std::string& body,
                          const std::string& token, Headers headers) const {
  return Request(
      {.method = "POST", .target = target, .body = body, .token = token, .headers = headers});
}

Reply ServerProcess::Put(const std::string& target, const std::string& body,
                         const std::string& token) const {
  return Request({.method = "PUT", .target = target, .body = body, .token = token});
}

Reply ServerProcess::Delete(const std::string& target, const std::string& token) const {
  return Request({.method = "DELETE", .target = target, .token = token});
}

Reply ServerProcess::Request(Call call) const { return Send(base_url_, call); }

std::vector<boost::json::object> ReadAllEvents(const ServerProcess& server,
                                               const std::string& stream, int limit,
                                               std::string* error) {
  std::vector<boost::json::object> out;
  int64_t before = 0;
  for (;;) {
    std::string target = "/api/stream/" + stream + "/events?limit=" + std::to_string(limit);
    if (before > 0) target += "&before=" + std::to_string(before);
    Reply r = server.Get(target, server.admin_token());
    if (r.status != 200 || !r.Data().is_array()) {
      *error = "GET " + target + " → " + r.Describe();
      return out;
    }
    const auto& page = r.Data().as_array();
    if (page.empty()) return out;
    if (page.size() > static_cast<size_t>(limit)) {
      *error = "GET " + target + " returned " + std::to_string(page.size()) + " events";
      return out;
    }
    int64_t smallest = INT64_MAX;
    for (const auto& e : page) {
      if (!e.is_object() || !e.as_object().contains("seq")) {
        *error = "an event item without seq: " + boost::json::serialize(e);
        return out;
      }
      smallest = std::min(smallest, e.as_object().at("seq").to_number<int64_t>());
      out.push_back(e.as_object());
    }
    if (before > 0 && smallest >= before) {
      *error = "paging did not move back: before=" + std::to_string(before) + " returned seq " +
               std::to_string(smallest);
      return out;
    }
    if (smallest == 0) return out;  // nothing can come before seq 0
    before = smallest;
  }
}

boost::json::value StreamInfo(const ServerProcess& server, const std::string& stream) {
  Reply r = server.Get("/api/stream/" + stream, server.admin_token());
  if (r.status != 200) return nullptr;
  return r.Data();
}

int64_t IntField(const boost::json::value& o, std::string_view key) {
  if (!o.is_object()) return -1;
  const boost::json::value* v = o.as_object().if_contains(key);
  if (!v) return -1;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  return -1;
}

int64_t DataInt(const Reply& r, std::string_view key) { return IntField(r.Data(), key); }

std::string CollectPath(std::string_view stream) { return "/collect/json/" + std::string(stream); }

void ServerTest::SetUp() {
  server_ = std::make_unique<ServerProcess>(dir_.Sub("data"), Options());
  Status s = server_->Start();
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_FALSE(server_->collect_key().empty()) << "no collect key in the webhook URL line";
}

}  // namespace cohort::integration
