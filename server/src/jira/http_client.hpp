// Synchronous outgoing HTTP/HTTPS client (Boost.Beast): TLS 1.2+ with verification, timeouts, body limits.
#pragma once

#include "util/result.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio::ssl { class context; }

namespace doppel::jira {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_request {
  std::string method = "GET";
  std::string url;         // absolute http:// or https:// URL, already percent-encoded
  header_list headers;     // Host, User-Agent, Content-Length and Connection are set by the client
  std::string body;
  std::chrono::milliseconds timeout{0};  // > 0: caps the client's connect and request timeouts for this request
};

struct http_response {
  int status = 0;
  header_list headers;
  std::string body;
  // First header with this name (case-insensitive); empty when absent.
  std::string_view header(std::string_view name) const;
};

struct http_client_options {
  std::chrono::milliseconds connect_timeout{5000};   // DNS + TCP connect
  std::chrono::milliseconds request_timeout{20000};  // TLS handshake + write + read of the whole response
  std::size_t max_response_bytes = 16 * 1024 * 1024;
  std::string extra_ca_file;  // PEM bundle trusted in addition to the system store (tests, private CAs)
  std::string user_agent = "doppel";
};

// One connection per request (Connection: close), no redirects followed, no proxies. Thread-safe: each
// call runs its own io_context, so call it from worker threads, never from the network threads.
class http_client {
 public:
  // Throws std::runtime_error when the TLS context cannot be set up (e.g. unreadable extra_ca_file).
  explicit http_client(http_client_options options = {});

  // Any HTTP status is a successful result. Errors: errc::bad_request "http_bad_url";
  // errc::unavailable "http_unavailable" (DNS, connect, reset), "http_timeout", "http_tls" (handshake or
  // certificate/hostname verification); errc::upstream "http_too_large", "http_bad_response".
  result<http_response> send(const http_request& request) const;

  const http_client_options& options() const noexcept { return options_; }

 private:
  http_client_options options_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
};

}  // namespace doppel::jira
