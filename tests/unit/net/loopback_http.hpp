// Shared by the net tests that run a real http_server on loopback: a blocking GET and a dispatcher that lets every
// caller through (these tests exercise threading and replies, not authentication).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "net/dispatcher.hpp"
#include "util/errors.hpp"

namespace doppel::test {

// GET target on 127.0.0.1:port; the status code.
inline int get_status(std::uint16_t port, const std::string& target) {
  namespace http = boost::beast::http;
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(socket, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  return res.result_int();
}

// A dispatcher whose authenticator accepts every request with no caller.
inline net::dispatcher open_dispatcher(const net::router& routes, net::metrics& stats) {
  return net::dispatcher(routes, [](const net::request&, const net::route&, std::string_view, std::string_view)
                                     -> result<std::optional<net::caller>> { return std::optional<net::caller>{}; },
                         stats, {});
}

}  // namespace doppel::test
