// Beast-based client: resolve, connect, optional TLS (SNI + peer/hostname verification), write, bounded read.
#include "jira/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace doppel::jira {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

// Runs one asynchronous operation to completion on a private io_context.
template <class Start>
error_code run_one(asio::io_context& ioc, Start&& start) {
  error_code result = asio::error::would_block;
  start([&result](error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

error transport_error(const error_code& ec, std::string_view stage) {
  if (ec == beast::error::timeout) return make_error(errc::unavailable, "http_timeout", std::string(stage) + " timed out");
  if (ec.category() == asio::error::get_ssl_category() || ec == asio::ssl::error::stream_truncated)
    return make_error(errc::unavailable, "http_tls", std::string(stage) + ": TLS failure");
  return make_error(errc::unavailable, "http_unavailable", std::string(stage) + " failed: " + ec.message());
}

struct target {
  bool tls = false;
  std::string host;       // for DNS / SNI / verification (no brackets)
  std::string host_header;
  std::string port;
  std::string path_query;
};

result<target> parse_target(std::string_view url) {
  auto u = boost::urls::parse_uri(url);
  if (!u) return make_error(errc::bad_request, "http_bad_url", "unparseable URL");
  target t;
  std::string scheme(u->scheme());
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](char c) { return char(std::tolower(c)); });
  if (scheme == "https") t.tls = true;
  else if (scheme != "http") return make_error(errc::bad_request, "http_bad_url", "URL scheme must be http or https");
  if (u->has_userinfo() || u->encoded_host().empty()) return make_error(errc::bad_request, "http_bad_url", "bad URL authority");
  t.host = std::string(u->encoded_host());
  if (u->host_type() == boost::urls::host_type::ipv6) t.host = std::string(u->host_ipv6_address().to_string());
  t.port = u->has_port() ? std::string(u->port()) : (t.tls ? "443" : "80");
  if (t.port.empty()) t.port = t.tls ? "443" : "80";
  t.host_header = std::string(u->encoded_host_and_port());
  t.path_query = u->encoded_path().empty() ? "/" : std::string(u->encoded_path());
  if (u->has_query()) t.path_query += "?" + std::string(u->encoded_query());
  return t;
}

bool is_ip_literal(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

template <class Stream>
result<http_response> exchange(asio::io_context& ioc, Stream& stream, const http_request& req, const target& t,
                               const http_client_options& opt) {
  http::request<http::string_body> msg;
  msg.method_string(req.method);
  msg.target(t.path_query);
  msg.version(11);
  msg.set(http::field::host, t.host_header);
  msg.set(http::field::user_agent, opt.user_agent);
  for (const auto& [name, value] : req.headers) {
    if (iequals(name, "host") || iequals(name, "content-length") || iequals(name, "connection")) continue;
    msg.insert(name, value);
  }
  msg.keep_alive(false);
  msg.body() = req.body;
  if (!req.body.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH") msg.prepare_payload();

  if (auto ec = run_one(ioc, [&](auto h) { http::async_write(stream, msg, std::move(h)); }))
    return transport_error(ec, "write");

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(64 * 1024);
  parser.body_limit(opt.max_response_bytes);
  if (auto ec = run_one(ioc, [&](auto h) { http::async_read(stream, buffer, parser, std::move(h)); })) {
    if (ec == http::error::body_limit) return make_error(errc::upstream, "http_too_large", "response body too large");
    if (ec.category() == http::make_error_code(http::error::bad_version).category() && ec != http::error::end_of_stream)
      return make_error(errc::upstream, "http_bad_response", "malformed HTTP response");
    return transport_error(ec, "read");
  }
  auto res = parser.release();
  http_response out;
  out.status = int(res.result_int());
  for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  out.body = std::move(res.body());
  return out;
}

}  // namespace

std::string_view http_response::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (iequals(n, name)) return v;
  return {};
}

http_client::http_client(http_client_options options)
    : options_(std::move(options)), tls_(std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client)) {
  SSL_CTX_set_min_proto_version(tls_->native_handle(), TLS1_2_VERSION);
  tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression);
  tls_->set_verify_mode(asio::ssl::verify_peer);
  tls_->set_default_verify_paths();
  if (!options_.extra_ca_file.empty()) {
    error_code ec;
    tls_->load_verify_file(options_.extra_ca_file, ec);
    if (ec) throw std::runtime_error("cannot load CA file " + options_.extra_ca_file);
  }
}

result<http_response> http_client::send(const http_request& request) const {
  auto t = parse_target(request.url);
  if (!t) return t.error();
  if (request.method.empty() || request.method.find_first_of(" \r\n") != std::string::npos)
    return make_error(errc::bad_request, "http_bad_url", "bad method");

  // A per-request timeout (the caller's deadline) bounds the whole exchange: connect, TLS, write and read.
  const auto started = std::chrono::steady_clock::now();
  auto capped = [&](std::chrono::milliseconds t) {
    if (request.timeout.count() <= 0) return t;
    auto used = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    return std::max(std::chrono::milliseconds(1), std::min(t, request.timeout - used));
  };

  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream tcp_stream(ioc);

  // DNS and connect share the connect timeout.
  std::optional<tcp::resolver::results_type> endpoints;
  asio::steady_timer dns_timer(ioc);
  dns_timer.expires_after(capped(options_.connect_timeout));
  bool dns_timed_out = false;
  dns_timer.async_wait([&](error_code ec) {
    if (!ec) {
      dns_timed_out = true;
      resolver.cancel();
    }
  });
  error_code dns_ec;
  resolver.async_resolve(t->host, t->port, [&](error_code ec, tcp::resolver::results_type results) {
    dns_ec = ec;
    if (!ec) endpoints = std::move(results);
    dns_timer.cancel();
  });
  ioc.run();
  if (dns_timed_out) return make_error(errc::unavailable, "http_timeout", "DNS timed out");
  if (dns_ec || !endpoints) return transport_error(dns_ec, "resolve");

  tcp_stream.expires_after(capped(options_.connect_timeout));
  if (auto ec = run_one(ioc, [&](auto h) { tcp_stream.async_connect(*endpoints, std::move(h)); }))
    return transport_error(ec, "connect");
  tcp_stream.expires_after(capped(options_.request_timeout));

  if (!t->tls) return exchange(ioc, tcp_stream, request, *t, options_);

  beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(tcp_stream), *tls_);
  if (!is_ip_literal(t->host) && !SSL_set_tlsext_host_name(tls_stream.native_handle(), t->host.c_str()))
    return make_error(errc::unavailable, "http_tls", "cannot set SNI");
  tls_stream.set_verify_callback(asio::ssl::host_name_verification(t->host));
  if (auto ec = run_one(ioc, [&](auto h) { tls_stream.async_handshake(asio::ssl::stream_base::client, std::move(h)); }))
    return transport_error(ec, "TLS handshake");
  return exchange(ioc, tls_stream, request, *t, options_);
}

}  // namespace doppel::jira
