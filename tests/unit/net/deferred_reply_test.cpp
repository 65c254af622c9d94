// Deferred routes: answered later from another thread while the handler thread serves other requests; failures and
// repeated answers through the reply sink.
#include "net/dispatcher.hpp"
#include "net/server.hpp"
#include "unit/net/loopback_http.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

using namespace doppel;
namespace http = boost::beast::http;

namespace {

net::route deferred_route(std::string path, net::deferred_handler_fn fn) {
  net::route r{net::http::verb::get, path, net::route_auth::public_, 0, path, {}};
  r.deferred = std::move(fn);
  return r;
}

}  // namespace

TEST_CASE("deferred route: answered from another thread while its one handler thread serves other requests") {
  std::mutex m;
  std::optional<net::reply_sink> parked;
  std::promise<void> parked_now;
  auto ack = [&](net::request_context&, net::reply_sink answer) {
    std::lock_guard lock(m);
    parked.emplace(std::move(answer));
    parked_now.set_value();
  };
  auto quick = [](net::request_context&) { return net::json_reply(net::http::status::ok, "{}"); };
  net::router routes({deferred_route("/ack", ack), {net::http::verb::get, "/quick", net::route_auth::public_, 0, "quick", quick}});
  net::metrics stats;
  auto dispatch = test::open_dispatcher(routes, stats);
  boost::asio::io_context io;
  boost::asio::thread_pool handlers(1);
  net::http_server server(io, handlers, dispatch, routes, {}, nullptr);
  auto port = server.listen("127.0.0.1", 0);
  auto guard = boost::asio::make_work_guard(io);
  std::thread net_thread([&io] { io.run(); });

  auto pending = std::async(std::launch::async, [port] { return test::get_status(port, "/ack"); });
  parked_now.get_future().wait();     // the handler returned without answering
  CHECK(test::get_status(port, "/quick") == 200);  // the one handler thread is free for another request
  CHECK(pending.wait_for(std::chrono::seconds(0)) == std::future_status::timeout);
  std::thread([&] {
    std::lock_guard lock(m);
    (*parked)(net::no_content());
  }).join();
  CHECK(pending.get() == 204);

  server.stop_accepting();
  guard.reset();
  io.stop();
  net_thread.join();
  handlers.join();
}

TEST_CASE("deferred route: failures answer as the request boundary does, and only the first answer counts") {
  auto down = [](net::request_context&, net::reply_sink answer) {
    answer.fail(std::make_exception_ptr(unavailable_error("database unavailable: gone")));
  };
  auto broken = [](net::request_context&, net::reply_sink answer) {
    std::thread([answer] { answer.fail(std::make_exception_ptr(std::runtime_error("commit failed"))); }).join();
  };
  auto throws = [](net::request_context&, net::reply_sink) { throw std::runtime_error("before answering"); };
  auto twice = [](net::request_context&, net::reply_sink answer) {
    answer(net::no_content());
    CHECK(answer.answered());
    answer(net::json_reply(net::http::status::ok, "{}"));  // ignored
    throw std::runtime_error("after answering");           // ignored too: the request is answered
  };
  net::router routes({deferred_route("/down", down), deferred_route("/broken", broken), deferred_route("/throws", throws),
                      deferred_route("/twice", twice)});
  net::metrics stats;
  auto dispatch = test::open_dispatcher(routes, stats);
  auto call = [&](const std::string& target) { return dispatch.handle(net::request{http::verb::get, target, 11}); };

  auto unavailable = call("/down");
  CHECK(unavailable.result() == http::status::service_unavailable);
  CHECK(unavailable[http::field::retry_after] == "5");
  CHECK(unavailable.body().find("\"unavailable\"") != std::string::npos);
  CHECK(call("/broken").result() == http::status::internal_server_error);
  auto thrown = call("/throws");
  CHECK(thrown.result() == http::status::internal_server_error);
  CHECK(thrown.body().find("internal_error") != std::string::npos);
  CHECK(call("/twice").result() == http::status::no_content);
}
