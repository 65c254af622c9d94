// A tiny real HTTP/HTTPS server on 127.0.0.1:<ephemeral> for client tests (one request per connection).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace doppel::test {

namespace http = boost::beast::http;
using server_request = http::request<http::string_body>;
using server_response = http::response<http::string_body>;

inline server_response text_response(unsigned status, std::string body, std::string content_type = "text/plain") {
  server_response res{http::status(status), 11};
  res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// Self-signed certificate + key (PEM) for 127.0.0.1 only (no DNS names), valid for a day.
struct test_certificate {
  std::string cert_pem;
  std::string key_pem;
  std::string cert_file;  // written to a temp file for http_client_options::extra_ca_file

  test_certificate() {
    EVP_PKEY* key = EVP_RSA_gen(2048);
    X509* x = X509_new();
    if (!key || !x) throw std::runtime_error("cert generation failed");
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("doppel-test"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"}, std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      if (!ext) throw std::runtime_error("cert extension failed");
      X509_add_ext(x, ext, -1);
      X509_EXTENSION_free(ext);
    }
    if (!X509_sign(x, key, EVP_sha256())) throw std::runtime_error("cert signing failed");
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    char* data = nullptr;
    long n = BIO_get_mem_data(b, &data);
    cert_pem.assign(data, std::size_t(n));
    BIO_free(b);
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
    n = BIO_get_mem_data(b, &data);
    key_pem.assign(data, std::size_t(n));
    BIO_free(b);
    X509_free(x);
    EVP_PKEY_free(key);
    static std::atomic<int> counter{0};
    cert_file = (std::filesystem::temp_directory_path() /
                 ("doppel-test-ca-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".pem")).string();
    std::ofstream(cert_file) << cert_pem;
  }
  ~test_certificate() { std::remove(cert_file.c_str()); }
  test_certificate(const test_certificate&) = delete;
  test_certificate& operator=(const test_certificate&) = delete;
};

class loopback_server {
 public:
  using handler = std::function<server_response(const server_request&)>;

  explicit loopback_server(handler h, const test_certificate* cert = nullptr)
      : handler_(std::move(h)), acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    if (cert) {
      tls_ = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
      tls_->use_certificate_chain(boost::asio::buffer(cert->cert_pem));
      tls_->use_private_key(boost::asio::buffer(cert->key_pem), boost::asio::ssl::context::pem);
    }
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { run(); });
  }

  ~loopback_server() { stop(); }

  void stop() {
    if (stopping_.exchange(true)) return;
    {
      std::lock_guard lock(mutex_);
      cv_.notify_all();
    }
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket poke(ioc_);
    poke.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    if (thread_.joinable()) thread_.join();
    acceptor_.close(ec);  // later connects are refused, not queued
  }

  // While stalled the server reads each request and then never answers (until stop()).
  void set_stall(bool stall) { stall_ = stall; }

  unsigned short port() const { return port_; }
  std::string url(std::string_view path) const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  std::vector<server_request> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::size_t request_count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }

 private:
  template <class Stream>
  void serve(Stream& stream) {
    boost::beast::flat_buffer buffer;
    server_request req;
    boost::system::error_code ec;
    http::read(stream, buffer, req, ec);
    if (ec) return;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(req);
    }
    if (stall_) {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stopping_.load(); });
      return;
    }
    server_response res = handler_(req);
    res.keep_alive(false);
    http::write(stream, res, ec);
  }

  void run() {
    while (!stopping_) {
      boost::asio::ip::tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) break;
      if (tls_) {
        boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream(std::move(socket), *tls_);
        stream.handshake(boost::asio::ssl::stream_base::server, ec);
        if (!ec) {
          serve(stream);
          stream.shutdown(ec);
        }
      } else {
        serve(socket);
        socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
      }
    }
  }

  handler handler_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  unsigned short port_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> stall_{false};
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<server_request> requests_;
};

}  // namespace doppel::test
