// HTTP client against a real loopback server: plain and TLS, headers, bodies, limits, timeouts, failures.
#include "jira/http_client.hpp"
#include "unit/jira/loopback_server.hpp"

#include <doctest/doctest.h>

using namespace doppel;
using namespace doppel::jira;

TEST_CASE("http_client: plain HTTP GET and POST") {
  test::loopback_server server([](const test::server_request& req) {
    auto res = test::text_response(201, "echo:" + req.body());
    res.set("X-Seen-Target", std::string(req.target()));
    return res;
  });
  http_client client;
  auto r = client.send({"GET", server.url("/a/b?x=1%202"), {{"Accept", "application/json"}}, ""});
  REQUIRE(r.ok());
  CHECK(r->status == 201);
  CHECK(r->body == "echo:");
  CHECK(r->header("x-seen-target") == "/a/b?x=1%202");
  CHECK(r->header("missing").empty());
  auto p = client.send({"POST", server.url("/post"), {{"Content-Type", "application/json"}}, R"({"a":1})"});
  REQUIRE(p.ok());
  CHECK(p->body == R"(echo:{"a":1})");
  auto seen = server.requests();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].method_string() == "GET");
  CHECK(seen[0][test::http::field::host] == "127.0.0.1:" + std::to_string(server.port()));
  CHECK(seen[0][test::http::field::accept] == "application/json");
  CHECK(seen[0][test::http::field::user_agent] == "doppel");
  CHECK(seen[1].method_string() == "POST");
  CHECK(seen[1][test::http::field::content_length] == "7");
}

TEST_CASE("http_client: response body limit") {
  test::loopback_server server([](const test::server_request&) { return test::text_response(200, std::string(64 * 1024, 'x')); });
  http_client_options opt;
  opt.max_response_bytes = 1024;
  http_client client(opt);
  auto r = client.send({"GET", server.url("/big"), {}, ""});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().stable_code == "http_too_large");
  CHECK(r.error().code == errc::upstream);
}

TEST_CASE("http_client: a server that never answers hits the request timeout") {
  test::loopback_server server([](const test::server_request&) { return test::text_response(200, "late"); });
  server.set_stall(true);
  http_client_options opt;
  opt.request_timeout = std::chrono::milliseconds(200);
  http_client client(opt);
  auto r = client.send({"GET", server.url("/slow"), {}, ""});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().stable_code == "http_timeout");
  CHECK(r.error().code == errc::unavailable);
  server.stop();
}

TEST_CASE("http_client: connection refused and bad URLs") {
  unsigned short closed_port = 0;
  {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    closed_port = a.local_endpoint().port();
  }
  http_client client;
  auto r = client.send({"GET", "http://127.0.0.1:" + std::to_string(closed_port) + "/", {}, ""});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().stable_code == "http_unavailable");
  CHECK(client.send({"GET", "ftp://127.0.0.1/", {}, ""}).error().stable_code == "http_bad_url");
  CHECK(client.send({"GET", "not a url", {}, ""}).error().stable_code == "http_bad_url");
  CHECK(client.send({"GET", "http://user:pw@127.0.0.1/", {}, ""}).error().stable_code == "http_bad_url");
  CHECK(client.send({"GE T", "http://127.0.0.1/", {}, ""}).error().stable_code == "http_bad_url");
}

TEST_CASE("http_client: HTTPS with certificate and hostname verification") {
  test::test_certificate cert;
  test::loopback_server server([](const test::server_request&) { return test::text_response(200, "secure"); }, &cert);
  SUBCASE("trusted via the extra CA file") {
    http_client_options opt;
    opt.extra_ca_file = cert.cert_file;
    http_client client(opt);
    auto r = client.send({"GET", server.url("/tls"), {}, ""});
    REQUIRE(r.ok());
    CHECK(r->body == "secure");
  }
  SUBCASE("untrusted certificate is refused") {
    http_client client;
    auto r = client.send({"GET", server.url("/tls"), {}, ""});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().stable_code == "http_tls");
  }
  SUBCASE("trusted certificate for another name is refused") {
    http_client_options opt;
    opt.extra_ca_file = cert.cert_file;
    http_client client(opt);
    auto r = client.send({"GET", "https://localhost:" + std::to_string(server.port()) + "/tls", {}, ""});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().stable_code == "http_tls");
  }
  SUBCASE("missing CA file is an infrastructure error") {
    http_client_options opt;
    opt.extra_ca_file = "/nonexistent/ca.pem";
    CHECK_THROWS(http_client(opt));
  }
}
