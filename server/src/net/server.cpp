// Beast sessions: header first (8 KiB cap) → per-route body limit → dispatch on the handler pool → write.
#include "net/server.hpp"

#include "util/log.hpp"

#include <array>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace doppel::net {
namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

beast::tcp_stream& lowest(beast::tcp_stream& s) { return s; }
beast::tcp_stream& lowest(beast::ssl_stream<beast::tcp_stream>& s) { return beast::get_lowest_layer(s); }

template <class Stream>
class session : public std::enable_shared_from_this<session<Stream>> {
 public:
  session(Stream stream, asio::thread_pool& pool, asio::thread_pool* read_pool, const dispatcher& dispatch,
          const router& routes, server_limits limits, std::shared_ptr<http_server::shared_state> state)
      : stream_(std::move(stream)), pool_(pool), read_pool_(read_pool), dispatch_(dispatch), routes_(routes),
        limits_(limits), state_(std::move(state)) {
    ++state_->connections;
  }
  ~session() {
    release_large_slot();
    --state_->connections;
  }

  void start() {
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      lowest(stream_).expires_after(limits_.read_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              beast::bind_front_handler(&session::on_handshake, this->shared_from_this()));
    } else {
      asio::dispatch(lowest(stream_).get_executor(), beast::bind_front_handler(&session::read_header,
                                                                               this->shared_from_this()));
    }
  }

 private:
  void on_handshake(beast::error_code ec) {
    if (ec) return close();
    read_header();
  }

  void read_header() {
    if (state_->draining.load()) return close();
    header_parser_.emplace();
    header_parser_->header_limit(std::uint32_t(limits_.header_limit));
    header_parser_->body_limit(boost::none);  // the route's own limit is applied once the target is known
    // Idle keep-alive connections wait longer for the first byte than a request in progress.
    lowest(stream_).expires_after(first_request_ ? limits_.read_timeout : limits_.idle_timeout);
    http::async_read_header(stream_, buffer_, *header_parser_,
                            beast::bind_front_handler(&session::on_header, this->shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec == http::error::header_limit) return fail_fast(http::status::request_header_fields_too_large,
                                                          "header_too_large", "Request header exceeds 8 KiB");
    if (ec == beast::error::timeout && header_parser_ && buffer_.size() > 0)
      return fail_fast(http::status::request_timeout, "timeout", "Request not received in time");
    if (ec) return close();
    first_request_ = false;
    ++state_->in_flight;  // from here until the response is written, shutdown waits for this request
    lowest(stream_).expires_after(limits_.read_timeout);
    auto [path, query] = split_target(header_parser_->get().target());
    (void)query;
    auto m = routes_.match(header_parser_->get().method(), path);
    std::size_t limit = m.matched ? m.matched->body_limit : 0;
    read_lane_ = m.matched && m.matched->lane == route_lane::read && read_pool_;
    auto length = header_parser_->content_length();
    if (length && *length > limit) {
      --state_->in_flight;
      return fail_fast(http::status::payload_too_large, "payload_too_large", "Request body exceeds this route's limit");
    }
    if (length.value_or(limit) > limits_.large_body_bytes && !take_large_slot()) {
      --state_->in_flight;
      return fail_fast(http::status::service_unavailable, "busy", "Too many large requests at once; retry later", 5);
    }
    body_parser_.emplace(std::move(*header_parser_));
    header_parser_.reset();
    body_parser_->body_limit(limit);
    http::async_read(stream_, buffer_, *body_parser_,
                     beast::bind_front_handler(&session::on_body, this->shared_from_this()));
  }

  void on_body(beast::error_code ec, std::size_t) {
    if (ec) {
      --state_->in_flight;
      release_large_slot();
    }
    if (ec == http::error::body_limit)
      return fail_fast(http::status::payload_too_large, "payload_too_large", "Request body exceeds this route's limit");
    if (ec == beast::error::timeout)
      return fail_fast(http::status::request_timeout, "timeout", "Request not received in time");
    if (ec) return close();
    auto req = std::make_shared<request>(body_parser_->release());
    body_parser_.reset();
    auto self = this->shared_from_this();
    // Dispatch may block on the database: run it on the handler pool, write back on our own executor (a deferred
    // route answers from the thread that completes it).
    asio::post(read_lane_ ? *read_pool_ : pool_, [self, req] {
      self->dispatch_.handle_async(req, [self](response answer) {
        auto res = std::make_shared<response>(std::move(answer));
        asio::dispatch(lowest(self->stream_).get_executor(), [self, res] { self->write(res); });
      });
    });
  }

  void write(std::shared_ptr<response> res) {
    if (state_->draining.load()) res->keep_alive(false);
    lowest(stream_).expires_after(limits_.write_timeout);
    http::async_write(stream_, *res, [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
      --self->state_->in_flight;
      self->release_large_slot();
      if (ec) log::debug("write failed", {{"what", ec.message()}});
      if (ec || !res->keep_alive()) return self->close();
      self->read_header();
    });
  }

  // After refusing a request we did not read fully: half-close, then discard what the client still sends for
  // a short while, so its TCP stack does not turn our answer into a reset.
  void linger_close() {
    beast::error_code ec;
    lowest(stream_).socket().shutdown(tcp::socket::shutdown_send, ec);
    lowest(stream_).expires_after(std::chrono::seconds(2));
    discard_ = std::make_shared<std::array<char, 16384>>();
    drain_rest();
  }

  void drain_rest() {
    lowest(stream_).async_read_some(asio::buffer(*discard_), [self = this->shared_from_this()](beast::error_code ec,
                                                                                                 std::size_t n) {
      self->discarded_ += n;
      if (ec || self->discarded_ > 16 * 1024 * 1024) {
        beast::error_code ignored;
        lowest(self->stream_).socket().close(ignored);
        return;
      }
      self->drain_rest();
    });
  }

  bool take_large_slot() {
    if (state_->large_bodies.fetch_add(1) >= limits_.max_large_bodies) {
      --state_->large_bodies;
      return false;
    }
    large_slot_ = true;
    return true;
  }

  void release_large_slot() {
    if (std::exchange(large_slot_, false)) --state_->large_bodies;
  }

  // Answers an error for a request we refuse to read fully, then closes the connection.
  void fail_fast(http::status status, std::string_view code, std::string_view message, int retry_after_s = 0) {
    auto res = std::make_shared<response>(dispatch_.make_error_response(nullptr, status, code, message));
    if (retry_after_s > 0) res->set(http::field::retry_after, std::to_string(retry_after_s));
    ++state_->in_flight;
    lowest(stream_).expires_after(limits_.write_timeout);
    http::async_write(stream_, *res, [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
      --self->state_->in_flight;
      if (ec) return self->close();
      if constexpr (std::is_same_v<Stream, beast::tcp_stream>) self->linger_close();
      else self->close();
    });
  }

  void close() {
    beast::error_code ec;
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      lowest(stream_).expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::error_code ignored;
        lowest(self->stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
      });
    } else {
      lowest(stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
    }
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  asio::thread_pool& pool_;
  asio::thread_pool* read_pool_;  // runs route_lane::read routes when set
  const dispatcher& dispatch_;
  const router& routes_;
  server_limits limits_;
  std::shared_ptr<http_server::shared_state> state_;
  std::optional<http::request_parser<http::empty_body>> header_parser_;
  std::optional<http::request_parser<http::string_body>> body_parser_;
  bool first_request_ = true;
  bool large_slot_ = false;  // this request holds one of server_limits::max_large_bodies
  bool read_lane_ = false;  // this request's route runs on read_pool_
  std::shared_ptr<std::array<char, 16384>> discard_;
  std::size_t discarded_ = 0;
};

}  // namespace

http_server::http_server(asio::io_context& io, asio::thread_pool& handler_pool, const dispatcher& dispatch,
                         const router& routes, server_limits limits, std::shared_ptr<asio::ssl::context> tls,
                         asio::thread_pool* read_pool)
    : io_(io), handler_pool_(handler_pool), read_pool_(read_pool), dispatch_(dispatch), routes_(routes), limits_(limits),
      tls_(std::move(tls)), acceptor_(asio::make_strand(io)), state_(std::make_shared<shared_state>()) {}

std::uint16_t http_server::listen(const std::string& address, std::uint16_t port) {
  tcp::endpoint ep{asio::ip::make_address(address), port};
  acceptor_.open(ep.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  do_accept();
  return acceptor_.local_endpoint().port();
}

void http_server::stop_accepting() {
  state_->draining.store(true);
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);
  });
}

void http_server::do_accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      if (tls_) {
        std::make_shared<session<beast::ssl_stream<beast::tcp_stream>>>(
            beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls_), handler_pool_,
            read_pool_, dispatch_, routes_, limits_, state_)
            ->start();
      } else {
        std::make_shared<session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), handler_pool_, read_pool_,
                                                     dispatch_, routes_, limits_, state_)
            ->start();
      }
    }
    do_accept();
  });
}

std::shared_ptr<asio::ssl::context> make_tls_context(const std::string& cert_file, const std::string& key_file) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                   asio::ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->use_certificate_chain_file(cert_file);
  ctx->use_private_key_file(key_file, asio::ssl::context::pem);
  return ctx;
}

}  // namespace doppel::net
