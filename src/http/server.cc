// The Beast/Asio implementation behind server.h. See the header for threads, lifetimes and
// timeouts. Layout: Core (state shared by the listener and all sessions), Session (one
// connection: read header → read body → handler → write, repeated while kept alive),
// ResponderState (the thread-safe bridge from a handler back to its session), Server::Impl
// (listener, threads, Stop).
//
// Threads. Each I/O thread runs its own io_context (the nginx worker model); the listener
// hands new connections to the contexts in turn, and a connection stays on its context for
// life. So a session's code always runs on one thread without a strand, every executor is the
// concrete io_context::executor_type (no type-erased executor copies per operation), and a
// response from another thread (the log writer's group commit) reaches its session in one post
// to that session's context.
#include "http/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/thread_setup.h"
#include "http/error_response.h"
#include "http/request_id.h"
#include "http/response_head.h"
#include "http/url.h"

namespace cohort::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

// After a transport error answer, how long the server keeps reading (and discarding) what the
// client still sends before it closes. Closing with unread data makes the kernel send a reset,
// which can destroy the answer before the client reads it.
constexpr std::chrono::milliseconds kLingerTime{2000};
// Largest request header (request line plus fields).
constexpr uint32_t kHeaderLimit = 16 * 1024;
// Size of the read that waits for the first byte of a request.
constexpr size_t kFirstReadSize = 4096;
// Pause before accepting again after accept() failed (e.g. out of file descriptors).
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

std::chrono::milliseconds Millis(int ms) { return std::chrono::milliseconds(std::max(ms, 1)); }

std::string Lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsHttpParseError(const error_code& ec) {
  static const error_code kAnyHttp = bhttp::make_error_code(bhttp::error::bad_method);
  return ec.category() == kAnyHttp.category() && ec != bhttp::error::end_of_stream &&
         ec != bhttp::error::partial_message;
}

std::string FormatEndpoint(const tcp::endpoint& ep) {
  const std::string ip = ep.address().to_string();
  const std::string port = std::to_string(ep.port());
  return ep.address().is_v6() ? "[" + ip + "]:" + port : ip + ":" + port;
}

// Closed (under mu) once the io_context no longer runs, so that a Responder called late from
// another thread never posts into a destroyed io_context.
struct Gate {
  std::mutex mu;
  bool open = true;  // guarded by mu
};

class Session;

// State shared by the listener and every session. Owned by Server::Impl; outlives all sessions
// (the io_context, declared last, is destroyed first and with it any handler owning a session).
using Executor = net::io_context::executor_type;
using Socket = net::basic_stream_socket<tcp, Executor>;

struct Core {
  Core(ServerOptions o, Handler h, int threads) : options(std::move(o)), handler(std::move(h)) {
    live.resize(static_cast<size_t>(threads));
    for (int i = 0; i < threads; ++i) {
      iocs.push_back(std::make_unique<net::io_context>(/*concurrency_hint=*/1));
    }
  }

  const ServerOptions options;
  const Handler handler;
  const std::shared_ptr<Gate> gate = std::make_shared<Gate>();
  std::atomic<bool> stopping{false};
  std::atomic<size_t> active{0};  // sessions counted against max_connections

  std::mutex mu;
  std::condition_variable sessions_empty;  // signalled when `sessions` becomes empty
  // Every live session, with its executor, so that Stop() can reach it. Guarded by mu.
  std::unordered_map<Session*, std::pair<std::weak_ptr<Session>, Executor>> sessions;
  // Per I/O thread: its started sessions, for the deadline sweep. Each set is used only on its
  // thread (or after the threads have been joined).
  std::vector<std::unordered_set<Session*>> live;

  // One per I/O thread; declared last, so destroyed first (with any handler owning a session).
  std::vector<std::unique_ptr<net::io_context>> iocs;
};

// One connection. All methods run on the thread of the session's io_context (or, for
// ForceClose, after the I/O threads have been joined).
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Core* core, size_t worker, Socket socket, bool overloaded)
      : core_(core), worker_(worker), socket_(std::move(socket)), overloaded_(overloaded) {
    error_code ec;
    const tcp::endpoint ep = socket_.remote_endpoint(ec);
    if (!ec) remote_ = FormatEndpoint(ep);
    socket_.set_option(tcp::no_delay(true), ec);
  }

  ~Session() {
    core_->live[worker_].erase(this);
    if (!overloaded_) core_->active.fetch_sub(1);
    std::lock_guard lock(core_->mu);
    core_->sessions.erase(this);
    if (core_->sessions.empty()) core_->sessions_empty.notify_all();
  }

  Executor executor() { return socket_.get_executor(); }

  // Entry point, on the session's thread.
  void Start() {
    core_->live[worker_].insert(this);
    if (overloaded_) {
      started_ = SteadyClock::now();
      meta_.remote = remote_;
      SendError(503, "the server is serving its maximum of " +
                         std::to_string(core_->options.max_connections) +
                         " connections; retry shortly, or raise max_connections");
      return;
    }
    WaitForRequest();
  }

  // Stop() has begun: an idle connection is closed now; a busy one is closed after its
  // current response (the response carries "Connection: close").
  void BeginShutdown() {
    if (phase_ == Phase::kIdle) Close();
  }

  // The grace period is over: close whatever state the connection is in.
  void ForceClose() {
    self_hold_.reset();
    Close();
  }

  void OnResponse(Response response) {
    if (phase_ != Phase::kHandler) return;  // closed meanwhile
    const std::shared_ptr<Session> hold = std::move(self_hold_);
    WriteResponse(std::move(response), !keep_alive_ || core_->stopping.load(), false);
  }

  void OnResponderDropped() {
    if (phase_ != Phase::kHandler) return;
    spdlog::error("http: handler dropped {} {} (request {}) without answering", meta_.method,
                  meta_.path, meta_.request_id);
    OnResponse(ErrorResponse(
        500, "the request handler finished without answering; this is a bug, please report it",
        meta_.request_id));
  }

  void Dispatch();  // defined after ResponderState

  // When the current phase times out; max() when no timeout runs.
  SteadyClock::time_point deadline() const { return deadline_; }
  // Called by the deadline sweep once deadline() has passed: closing the socket ends the
  // pending operation, whose handler then closes the connection (and, for a write, still
  // reports the request to on_complete).
  void OnDeadline() {
    deadline_ = SteadyClock::time_point::max();
    Close();
  }

 private:
  enum class Phase { kIdle, kHeader, kBody, kHandler, kWrite, kClosing, kClosed };

  // Waits for the first byte of the next request: a new connection for up to
  // header_timeout_ms, a kept-alive one for up to idle_timeout_ms.
  void WaitForRequest() {
    phase_ = Phase::kIdle;
    if (core_->stopping.load()) return Close();
    if (buffer_.size() > 0) return ReadHeader();  // bytes of a pipelined request
    const ServerOptions& o = core_->options;
    SetDeadline(Millis(first_request_ ? o.header_timeout_ms : o.idle_timeout_ms));
    socket_.async_read_some(buffer_.prepare(kFirstReadSize),
                            [self = shared_from_this()](error_code ec, size_t n) {
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    phase_ = Phase::kHeader;
    started_ = SteadyClock::now();
    meta_ = Request{};
    meta_.remote = remote_;
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(boost::none);  // checked by OnHeader, then set for the body
    SetDeadline(Millis(core_->options.header_timeout_ms));
    bhttp::async_read_header(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(error_code ec) {
    if (ec == bhttp::error::header_limit) {
      return SendError(431, "request header is larger than the limit of " +
                                std::to_string(kHeaderLimit) +
                                " bytes; send fewer or shorter header fields");
    }
    if (IsHttpParseError(ec)) {
      return SendError(
          400, "malformed HTTP request (" + ec.message() + "); send a valid HTTP/1.1 request");
    }
    if (ec) return Close();  // timeout, reset, or the client went away

    const auto& req = parser_->get();
    meta_.method = std::string(req.method_string());
    meta_.target = std::string(req.target());
    for (const auto& field : req) {
      meta_.headers.emplace_back(Lowercase(field.name_string()), std::string(field.value()));
    }
    meta_.request_id = ChooseRequestId(meta_.Header("x-request-id"));
    version_ = req.version();
    keep_alive_ = req.keep_alive();

    StatusOr<DecodedTarget> decoded = DecodeTarget(meta_.target);
    if (!decoded.ok()) return SendError(400, decoded.status().message());
    meta_.path = std::move(decoded->path);
    meta_.query = std::move(decoded->query);

    const size_t limit = core_->options.body_limit_bytes;
    if (const auto length = parser_->content_length(); length && *length > limit) {
      return SendError(413, "request body is larger than the limit of " + std::to_string(limit) +
                                " bytes; send fewer events per request or raise "
                                "body_limit_bytes");
    }
    parser_->body_limit(limit);
    if (parser_->is_done()) return Dispatch();

    if (beast::iequals(req[bhttp::field::expect], "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      SetDeadline(Millis(core_->options.write_timeout_ms));
      net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](error_code ec, size_t) {
                         if (ec) return self->Close();
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    phase_ = Phase::kBody;
    SetDeadline(Millis(core_->options.body_timeout_ms));
    bhttp::async_read(socket_, buffer_, *parser_,
                      [self = shared_from_this()](error_code ec, size_t) { self->OnBody(ec); });
  }

  void OnBody(error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return SendError(413, "request body is larger than the limit of " +
                                std::to_string(core_->options.body_limit_bytes) +
                                " bytes; send fewer events per request or raise "
                                "body_limit_bytes");
    }
    if (IsHttpParseError(ec)) {
      return SendError(
          400, "malformed HTTP request body (" + ec.message() + "); send a valid HTTP/1.1 request");
    }
    if (ec) return Close();
    Dispatch();
  }

  // Answers an error the transport produced itself, then closes the connection.
  void SendError(int status, const std::string& message) {
    if (meta_.request_id.empty()) meta_.request_id = NewRequestId();
    Response response = ErrorResponse(status, message, meta_.request_id);
    if (status == 503) response.headers.emplace_back("Retry-After", "1");
    WriteResponse(std::move(response), true, true);
  }

  template <typename Header>
  void FillHeaders(const Response& response, bool close, Header* h) {
    ForEachResponseHeader(response, meta_.request_id,
                          [h](std::string_view name, std::string_view value) {
                            h->insert(name, value);
                          });
    h->keep_alive(!close);
  }

  void WriteResponse(Response response, bool close, bool linger) {
    phase_ = Phase::kWrite;
    status_ = response.status;
    if (status_ < 100 || status_ > 599) {
      spdlog::error("http: handler answered invalid status {} (request {}); sending 500", status_,
                    meta_.request_id);
      status_ = 500;
    }
    close_after_ = close;
    linger_ = linger;
    SetDeadline(Millis(core_->options.write_timeout_ms));

    if (response.next_chunk) {
      // HTTP/1.0 has no chunked encoding: the body is delimited by closing the connection.
      chunked_ = version_ >= 11;
      if (!chunked_) close_after_ = true;
      head_.emplace();
      head_->version(version_);
      head_->result(static_cast<unsigned>(status_));
      FillHeaders(response, close_after_, &*head_);
      if (chunked_) head_->chunked(true);
      chunk_ = std::move(response.body);
      next_chunk_ = std::move(response.next_chunk);
      more_ = true;
      serializer_.emplace(*head_);
      bhttp::async_write_header(socket_, *serializer_,
                                [self = shared_from_this()](error_code ec, size_t) {
                                  if (ec) return self->OnWritten(ec);
                                  self->WriteNextChunk();
                                });
      return;
    }

    out_head_.clear();
    AppendResponseHead(status_, version_, response, meta_.request_id, response.body.size(),
                       close_after_, &out_head_);
    out_body_.clear();
    if (meta_.method != "HEAD") out_body_ = std::move(response.body);
    const std::array<net::const_buffer, 2> buffers{net::buffer(out_head_), net::buffer(out_body_)};
    net::async_write(socket_, buffers,
                     [self = shared_from_this()](error_code ec, size_t) { self->OnWritten(ec); });
  }

  void WriteNextChunk() {
    if (phase_ != Phase::kWrite) return;  // closed meanwhile
    if (chunk_.empty() && more_) {
      try {
        more_ = next_chunk_(&chunk_);
      } catch (const std::exception& e) {
        spdlog::error("http: next_chunk threw (request {}): {}", meta_.request_id, e.what());
        return OnWritten(net::error::operation_aborted);
      } catch (...) {
        spdlog::error("http: next_chunk threw (request {})", meta_.request_id);
        return OnWritten(net::error::operation_aborted);
      }
      if (chunk_.empty() && more_) {
        // Nothing yet: let other work on this thread run before asking again.
        net::post(socket_.get_executor(), [self = shared_from_this()] { self->WriteNextChunk(); });
        return;
      }
    }
    SetDeadline(Millis(core_->options.write_timeout_ms));
    auto on_chunk = [self = shared_from_this()](error_code ec, size_t) {
      if (ec) return self->OnWritten(ec);
      self->chunk_.clear();
      self->WriteNextChunk();
    };
    if (!chunk_.empty()) {
      if (chunked_) {
        net::async_write(socket_, bhttp::make_chunk(net::buffer(chunk_)), std::move(on_chunk));
      } else {
        net::async_write(socket_, net::buffer(chunk_), std::move(on_chunk));
      }
      return;
    }
    next_chunk_ = nullptr;
    if (!chunked_) return OnWritten({});
    net::async_write(socket_, bhttp::make_chunk_last(),
                     [self = shared_from_this()](error_code ec, size_t) { self->OnWritten(ec); });
  }

  void OnWritten(error_code ec) {
    out_body_.clear();
    serializer_.reset();
    head_.reset();
    next_chunk_ = nullptr;
    chunk_.clear();
    Complete();
    if (ec) return Close();
    if (close_after_ || core_->stopping.load()) {
      if (linger_) return Linger();
      error_code ignored;
      socket_.shutdown(tcp::socket::shutdown_send, ignored);
      return Close();
    }
    first_request_ = false;
    WaitForRequest();
  }

  void Complete() {
    const auto& on_complete = core_->options.on_complete;
    if (!on_complete) return;
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - started_).count();
    try {
      on_complete(meta_, status_, seconds);
    } catch (const std::exception& e) {
      spdlog::error("http: on_complete threw (request {}): {}", meta_.request_id, e.what());
    } catch (...) {
      spdlog::error("http: on_complete threw (request {})", meta_.request_id);
    }
  }

  // Stops sending, then reads and discards for up to kLingerTime before closing.
  void Linger() {
    phase_ = Phase::kClosing;
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    buffer_.clear();
    SetDeadline(kLingerTime);  // one deadline for the whole drain
    Drain();
  }

  void Drain() {
    socket_.async_read_some(net::buffer(drain_),
                            [self = shared_from_this()](error_code ec, size_t) {
                              if (ec) return self->Close();
                              self->Drain();
                            });
  }

  // Timeouts are deadlines that the I/O thread's sweep checks (Server::Impl::Sweep), not an
  // Asio timer per operation: arming and cancelling a timer for every read and write cost a
  // timerfd system call and timer-queue work per request.
  void SetDeadline(std::chrono::milliseconds d) { deadline_ = SteadyClock::now() + d; }
  void ClearDeadline() { deadline_ = SteadyClock::time_point::max(); }

  void Close() {
    phase_ = Phase::kClosed;
    deadline_ = SteadyClock::time_point::max();
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  Core* const core_;
  const size_t worker_;  // index of the I/O thread (io_context) the session lives on
  Socket socket_;
  // When the current phase times out (see SetDeadline); max() while the handler works.
  SteadyClock::time_point deadline_ = SteadyClock::time_point::max();
  const bool overloaded_;  // accepted over max_connections: answer 503 and close
  std::string remote_;
  beast::flat_buffer buffer_;
  Phase phase_ = Phase::kIdle;
  bool first_request_ = true;

  // The request being served.
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Request meta_;  // without the body; passed to on_complete
  SteadyClock::time_point started_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  // Set while the handler owns the request: no I/O is pending then, so nothing else keeps the
  // session alive. Released by OnResponse or ForceClose.
  std::shared_ptr<Session> self_hold_;

  // The response being written.
  int status_ = 0;
  bool close_after_ = false;
  bool linger_ = false;
  std::string out_head_;  // status line and header of a plain response (buffer reused)
  std::string out_body_;
  std::optional<bhttp::response<bhttp::empty_body>> head_;  // streaming
  std::optional<bhttp::response_serializer<bhttp::empty_body>> serializer_;
  std::function<bool(std::string*)> next_chunk_;
  std::string chunk_;
  bool chunked_ = true;
  bool more_ = false;
  std::array<char, 4096> drain_;
};

// Shared by all copies of one Responder. Delivers the (first) response to the session's thread
// from any thread; if no copy ever responds, the destructor tells the session so it answers
// 500 instead of leaving the client waiting.
class ResponderState {
 public:
  ResponderState(std::weak_ptr<Session> session, Executor executor, std::shared_ptr<Gate> gate,
                 std::string request_id)
      : session_(std::move(session)),
        executor_(executor),
        gate_(std::move(gate)),
        request_id_(std::move(request_id)) {}

  ~ResponderState() {
    if (!sent_.exchange(true)) Post([](Session& s) { s.OnResponderDropped(); });
  }

  void Send(Response response) {
    if (sent_.exchange(true)) {
      spdlog::warn("http: response for request {} sent twice; the second is dropped", request_id_);
      return;
    }
    Post([r = std::move(response)](Session& s) mutable { s.OnResponse(std::move(r)); });
  }

 private:
  // One hop, to the session's thread, where the session is looked up. The gate keeps a late
  // Responder from posting into a destroyed io_context, and a session is never locked, so
  // never destroyed, on a foreign thread.
  template <typename F>
  void Post(F f) {
    std::lock_guard lock(gate_->mu);
    if (!gate_->open) return;  // the server has stopped: drop
    net::post(executor_, [session = session_, f = std::move(f)]() mutable {
      std::shared_ptr<Session> s = session.lock();
      if (!s) return;  // the connection is gone: drop
      f(*s);
    });
  }

  const std::weak_ptr<Session> session_;
  const Executor executor_;
  const std::shared_ptr<Gate> gate_;
  const std::string request_id_;
  std::atomic<bool> sent_{false};
};

void Session::Dispatch() {
  phase_ = Phase::kHandler;
  ClearDeadline();
  // The handler gets the headers, query and body; meta_ keeps what on_complete reports.
  Request request;
  request.method = meta_.method;
  request.target = meta_.target;
  request.path = meta_.path;
  request.query = std::move(meta_.query);
  request.headers = std::move(meta_.headers);
  request.request_id = meta_.request_id;
  request.remote = meta_.remote;
  request.body = std::move(parser_->get().body());
  parser_.reset();
  self_hold_ = shared_from_this();
  auto state = std::make_shared<ResponderState>(weak_from_this(), executor(), core_->gate,
                                                meta_.request_id);
  Responder respond = [state](Response r) { state->Send(std::move(r)); };
  const char* what = nullptr;
  try {
    core_->handler(std::move(request), std::move(respond));
    return;
  } catch (const std::exception& e) {
    spdlog::error("http: handler threw for {} {} (request {}): {}", meta_.method, meta_.path,
                  meta_.request_id, e.what());
    what = "the request handler failed";
  } catch (...) {
    spdlog::error("http: handler threw for {} {} (request {})", meta_.method, meta_.path,
                  meta_.request_id);
    what = "the request handler failed";
  }
  state->Send(ErrorResponse(
      500, std::string(what) + "; this is a bug, please report it with the request id",
      meta_.request_id));
}

}  // namespace

class Server::Impl {
 public:
  Impl(const ServerOptions& options, Handler handler, int threads)
      : core_(options, std::move(handler), threads),
        acceptor_(*core_.iocs[0]),
        accept_retry_(acceptor_.get_executor()),
        tick_(SweepTick(options)) {
    for (auto& ioc : core_.iocs) sweepers_.emplace_back(ioc->get_executor());
  }

  ~Impl() { Stop(); }

  Status Listen() {
    const ServerOptions& o = core_.options;
    const std::string where = o.host + ":" + std::to_string(o.port);
    error_code ec;
    net::ip::address address = net::ip::make_address(o.host, ec);
    if (ec) {
      tcp::resolver resolver(*core_.iocs[0]);
      auto results = resolver.resolve(o.host, "", ec);
      if (ec || results.empty()) {
        return InvalidArgumentError("cannot listen on " + where + ": unknown host \"" + o.host +
                                    "\"; use an IP address such as 127.0.0.1 or 0.0.0.0");
      }
      address = results.begin()->endpoint().address();
    }
    const tcp::endpoint endpoint(address, o.port);
    auto fail = [&](std::string_view step) {
      return UnavailableError("cannot listen on " + where + " (" + std::string(step) +
                              "): " + ec.message() +
                              "; stop the process using that port or choose another one");
    };
    if (acceptor_.open(endpoint.protocol(), ec); ec) return fail("open");
    if (acceptor_.set_option(net::socket_base::reuse_address(true), ec); ec) {
      return fail("set SO_REUSEADDR");
    }
    if (acceptor_.bind(endpoint, ec); ec) return fail("bind");
    if (acceptor_.listen(net::socket_base::max_listen_connections, ec); ec) return fail("listen");
    const tcp::endpoint local = acceptor_.local_endpoint(ec);
    if (ec) return fail("local_endpoint");
    port_ = local.port();
    return Status::Ok();
  }

  void Run() {
    for (auto& ioc : core_.iocs) work_.push_back(net::make_work_guard(*ioc));
    net::dispatch(acceptor_.get_executor(), [this] { Accept(); });
    for (size_t i = 0; i < sweepers_.size(); ++i) Sweep(i);
    for (auto& ioc : core_.iocs) {
      threads_.emplace_back([ioc = ioc.get(), n = threads_.size()] {
        SetThreadName("cohort-io-" + std::to_string(n));
        ioc->run();  // handlers never throw into Asio, so run() returns only on stop
      });
    }
  }

  uint16_t port() const { return port_; }

  void Stop() {
    std::lock_guard stop_lock(stop_mu_);
    if (stopped_) return;
    stopped_ = true;
    core_.stopping.store(true);
    if (threads_.empty()) return;  // never ran

    net::post(acceptor_.get_executor(), [this] {
      error_code ignored;
      acceptor_.close(ignored);
      accept_retry_.cancel();
    });
    ForEachSession([](Session& s) { s.BeginShutdown(); });
    {
      std::unique_lock lock(core_.mu);
      core_.sessions_empty.wait_for(lock, Millis(core_.options.shutdown_grace_ms),
                                    [&] { return core_.sessions.empty(); });
    }
    work_.clear();
    for (auto& ioc : core_.iocs) ioc->stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    {
      std::lock_guard lock(core_.gate->mu);
      core_.gate->open = false;
    }
    // No I/O thread runs now: close what is left from this thread. Sessions owned only by
    // queued handlers are destroyed with the io_context.
    for (const auto& weak : SnapshotSessions()) {
      if (auto s = weak.first.lock()) s->ForceClose();
    }
  }

 private:
  // How often each I/O thread checks its sessions' deadlines: a tenth of the shortest timeout,
  // between 5 ms and 250 ms. A timeout therefore fires up to one tick late.
  static std::chrono::milliseconds SweepTick(const ServerOptions& o) {
    const int shortest = std::min({o.header_timeout_ms, o.body_timeout_ms, o.idle_timeout_ms,
                                   o.write_timeout_ms});
    return std::chrono::milliseconds(std::clamp(shortest / 10, 5, 250));
  }

  // Closes the sessions of I/O thread `i` whose deadline has passed, then waits one tick.
  void Sweep(size_t i) {
    sweepers_[i].expires_after(tick_);
    sweepers_[i].async_wait([this, i](error_code ec) {
      if (ec) return;  // cancelled: the server is stopping
      const SteadyClock::time_point now = SteadyClock::now();
      std::vector<std::shared_ptr<Session>> expired;
      for (Session* s : core_.live[i]) {
        if (s->deadline() <= now) expired.push_back(s->shared_from_this());
      }
      for (const auto& s : expired) s->OnDeadline();
      Sweep(i);
    });
  }

  void Accept() {
    // New connections go to the I/O threads' contexts in turn.
    const size_t worker = next_ioc_++ % core_.iocs.size();
    acceptor_.async_accept(*core_.iocs[worker], [this, worker](error_code ec, Socket s) {
      OnAccept(ec, worker, std::move(s));
    });
  }

  void OnAccept(error_code ec, size_t worker, Socket socket) {
    if (core_.stopping.load() || ec == net::error::operation_aborted) return;
    if (ec) {
      spdlog::warn("http: accept failed: {}; retrying in {} ms", ec.message(),
                   kAcceptRetryDelay.count());
      accept_retry_.expires_after(kAcceptRetryDelay);
      accept_retry_.async_wait([this](error_code ec) {
        if (!ec && !core_.stopping.load()) Accept();
      });
      return;
    }
    const bool overloaded = core_.active.load() >= core_.options.max_connections;
    if (!overloaded) core_.active.fetch_add(1);
    auto session = std::make_shared<Session>(&core_, worker, std::move(socket), overloaded);
    {
      std::lock_guard lock(core_.mu);
      core_.sessions.emplace(session.get(), std::make_pair(session, session->executor()));
    }
    // The only reference moves into the handler, so the session is released on its own
    // thread (its destructor updates that thread's session set), never on this one.
    const Executor executor = session->executor();
    net::dispatch(executor, [s = std::move(session)] { s->Start(); });
    Accept();
  }

  std::vector<std::pair<std::weak_ptr<Session>, Executor>> SnapshotSessions() {
    std::vector<std::pair<std::weak_ptr<Session>, Executor>> out;
    std::lock_guard lock(core_.mu);
    out.reserve(core_.sessions.size());
    for (const auto& [ptr, entry] : core_.sessions) out.push_back(entry);
    return out;
  }

  template <typename F>
  void ForEachSession(F f) {
    for (auto& [weak, executor] : SnapshotSessions()) {
      net::post(executor, [weak, f] {
        if (auto s = weak.lock()) f(*s);
      });
    }
  }

  Core core_;
  net::basic_socket_acceptor<tcp, Executor> acceptor_;
  net::basic_waitable_timer<std::chrono::steady_clock, net::wait_traits<std::chrono::steady_clock>,
                            Executor>
      accept_retry_;
  size_t next_ioc_ = 0;  // runs on iocs[0] only
  using Timer = net::basic_waitable_timer<std::chrono::steady_clock,
                                          net::wait_traits<std::chrono::steady_clock>, Executor>;
  const std::chrono::milliseconds tick_;
  std::vector<Timer> sweepers_;  // one per I/O thread, on its context
  uint16_t port_ = 0;
  std::vector<net::executor_work_guard<Executor>> work_;
  std::vector<std::thread> threads_;
  std::mutex stop_mu_;
  bool stopped_ = false;  // guarded by stop_mu_
};

StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options, Handler handler) {
  if (!handler) return InvalidArgumentError("http server needs a handler");
  if (options.io_threads < 0 || options.body_limit_bytes == 0 || options.max_connections == 0 ||
      options.header_timeout_ms <= 0 || options.body_timeout_ms <= 0 ||
      options.idle_timeout_ms <= 0 || options.write_timeout_ms <= 0 ||
      options.shutdown_grace_ms < 0) {
    return InvalidArgumentError(
        "invalid http server options: io_threads and shutdown_grace_ms must be >= 0; "
        "timeouts, body_limit_bytes and max_connections must be > 0");
  }
  int threads = options.io_threads;
  if (threads == 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto impl = std::make_unique<Impl>(options, std::move(handler), threads);
  RETURN_IF_ERROR(impl->Listen());
  impl->Run();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

uint16_t Server::port() const { return impl_->port(); }

void Server::Stop() { impl_->Stop(); }

}  // namespace cohort::http
