// The HTTP/1.1 server: the only transport in Cohort and the only code that includes
// Boost.Beast/Asio (in server.cc, behind a pimpl).
//
// Threads. Start() runs `io_threads` threads, each with its own Asio io_context; new
// connections are handed to the threads in turn and stay on theirs, so a session's code never
// runs on two threads at once. All I/O is asynchronous: a slow or idle client holds a socket
// and a small buffer, never a thread. A handler that blocks delays the other connections of its
// thread: handlers that may wait must hand their work elsewhere (the API runs such routes on
// its handler pool) and answer through the Responder.
//
// Requests. For each complete request the handler is called on an I/O thread with the parsed
// Request and a Responder. The Responder may be called later from any thread (for example when
// a group commit is durable); the response is posted back to the connection's thread. If the
// connection has died meanwhile, or the server has stopped, the response is dropped. If every
// copy of a Responder is destroyed without being called, the client gets a 500. Keep-alive
// follows HTTP/1.1 (HTTP/1.0: close unless "Connection: keep-alive"); pipelined requests are
// answered one after another.
//
// Timeouts, each restarted for its phase; when one expires the connection is closed:
//   - header_timeout_ms: a new connection must send its first byte within this time, and the
//     whole header must arrive within this time of its first byte (defeats slow trickling);
//   - body_timeout_ms: the whole body must arrive within this time of the end of the header;
//   - idle_timeout_ms: a kept-alive connection may wait this long for its next request;
//   - write_timeout_ms: each response (each chunk, when streaming) must be written within
//     this time.
// While the handler works there is no timeout: the handler owns that time. Each I/O thread
// checks its connections' deadlines every tick (a tenth of the shortest timeout, between 5 and
// 250 ms), so a timeout fires up to one tick late.
//
// Errors the transport produces itself (400 malformed HTTP, 413 body too large, 431 header too
// large, 503 too many connections, 500 handler threw or dropped the request) are answered with
// the JSON error envelope and X-Request-Id, then the connection is closed. After such an answer
// the server stops sending, reads and discards what the client still sends for up to 2 s, then
// closes, so that the client can read the answer before the connection is reset.
//
// Lifetimes. The Server owns its threads and sockets. The handler and on_complete are called
// only while the server runs and must stay valid until Stop() returns. Response::next_chunk is
// called on the connection's thread and is destroyed with the response.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/types.h"

namespace cohort::http {

struct ServerOptions {
  // Address to listen on (IPv4 or IPv6 literal). Default: "127.0.0.1".
  std::string host = "127.0.0.1";
  // TCP port; 0 picks a free port (see Server::port()). Default: 8080.
  uint16_t port = 8080;
  // Threads running the I/O loop and the handler; 0 = std::thread::hardware_concurrency().
  // Default: 0.
  int io_threads = 0;
  // Largest accepted request body. Larger: 413, without reading a Content-Length body.
  // Default: 10 MiB.
  size_t body_limit_bytes = 10 * 1024 * 1024;
  // See the file comment. Defaults: header 10 s, body 30 s, idle 60 s, write 30 s.
  int header_timeout_ms = 10000;
  int body_timeout_ms = 30000;
  int idle_timeout_ms = 60000;
  int write_timeout_ms = 30000;
  // Connections served at once; a connection beyond this is accepted, answered 503 and closed,
  // so the listener never stalls. Default: 10000.
  size_t max_connections = 10000;
  // How long Stop() lets in-flight requests finish before closing their connections.
  // Default: 10 s.
  int shutdown_grace_ms = 10000;
  // Called on the connection's thread after each response has been written (or failed to be
  // written), with the request's method, target, path, request id and remote address (headers,
  // query and body went to the handler; for transport errors only the parts known),
  // the status sent and the seconds from the request's first byte. For metrics and access
  // logs; must not throw (an exception is logged and ignored). Default: none.
  std::function<void(const Request& request, int status, double seconds)> on_complete;
};

class Server {
 public:
  // Binds host:port and starts serving with `handler`. Returns InvalidArgument for a bad host
  // or options, Unavailable if the address cannot be bound (e.g. already in use).
  static StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options, Handler handler);

  // Calls Stop().
  ~Server();

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (the chosen one when options.port was 0). Thread-safe.
  uint16_t port() const;

  // Graceful stop: stops accepting, closes idle keep-alive connections, lets requests in
  // flight finish and be answered (with "Connection: close") for up to shutdown_grace_ms, then
  // closes what is left and joins the I/O threads. Idempotent; thread-safe, but must not be
  // called from an I/O thread (a handler), where it would wait for itself.
  void Stop();

 private:
  class Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cohort::http
