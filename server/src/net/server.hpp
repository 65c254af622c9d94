// The HTTP/1.1 listener and sessions (plain or TLS): limits, timeouts, keep-alive, graceful drain.
#pragma once

#include "net/dispatcher.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace doppel::net {

struct server_limits {
  std::size_t header_limit = 8 * 1024;
  std::chrono::seconds read_timeout{15};     // whole request (header + body) must arrive within this
  std::chrono::seconds write_timeout{15};
  std::chrono::seconds idle_timeout{60};     // keep-alive idle
  // A body larger than this (by Content-Length, or any chunked body on a route allowing more) takes one of
  // max_large_bodies slots from its header until its response is written; with none free it gets 503 and
  // Retry-After, so memory for bodies stays bounded however many large ones arrive at once.
  std::size_t large_body_bytes = 1024 * 1024;
  std::size_t max_large_bodies = 2;
};

class http_server {
 public:
  // handler_pool runs dispatch (which may block on the database), never the network threads; read_pool (optional)
  // runs the routes of route_lane::read instead.
  http_server(boost::asio::io_context& io, boost::asio::thread_pool& handler_pool, const dispatcher& dispatch,
              const router& routes, server_limits limits, std::shared_ptr<boost::asio::ssl::context> tls,
              boost::asio::thread_pool* read_pool = nullptr);

  // Binds and starts accepting; returns the bound port (useful with port 0).
  std::uint16_t listen(const std::string& address, std::uint16_t port);
  // Stops accepting and tells live sessions to close after their current request.
  void stop_accepting();
  // Requests currently between "read complete" and "response written".
  std::size_t in_flight() const { return state_->in_flight.load(); }
  std::size_t open_connections() const { return state_->connections.load(); }
  std::size_t large_bodies() const { return state_->large_bodies.load(); }

  struct shared_state {
    std::atomic<std::size_t> in_flight{0};
    std::atomic<std::size_t> connections{0};
    std::atomic<bool> draining{false};
    std::atomic<std::size_t> large_bodies{0};  // slots taken (server_limits::max_large_bodies)
  };

 private:
  void do_accept();

  boost::asio::io_context& io_;
  boost::asio::thread_pool& handler_pool_;
  boost::asio::thread_pool* read_pool_;
  const dispatcher& dispatch_;
  const router& routes_;
  server_limits limits_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<shared_state> state_;
};

// TLS 1.2+ server context from PEM certificate chain and key files.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const std::string& cert_file, const std::string& key_file);

}  // namespace doppel::net
