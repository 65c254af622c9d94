// The read lane over real HTTP on loopback: a read route answers while every main handler thread is blocked
// (as webhook acknowledgements waiting for their commit would block them).
#include "net/dispatcher.hpp"
#include "net/server.hpp"
#include "unit/net/loopback_http.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <thread>

using namespace doppel;

TEST_CASE("read lane: a read route answers while the main handler threads are all blocked") {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> slow_started;
  auto blocked = [released, &slow_started](net::request_context&) {
    slow_started.set_value();
    released.wait_for(std::chrono::seconds(30));  // bounded: the test releases it
    return net::no_content();
  };
  auto quick = [](net::request_context&) { return net::json_reply(net::http::status::ok, "{}"); };
  net::router routes({
      {net::http::verb::get, "/slow", net::route_auth::public_, 0, "slow", blocked},
      {net::http::verb::get, "/read", net::route_auth::public_, 0, "read", quick, net::route_lane::read},
  });
  net::metrics stats;
  auto dispatch = test::open_dispatcher(routes, stats);
  boost::asio::io_context io;
  boost::asio::thread_pool main_handlers(1), read_handlers(1);
  net::http_server server(io, main_handlers, dispatch, routes, {}, nullptr, &read_handlers);
  auto port = server.listen("127.0.0.1", 0);
  auto guard = boost::asio::make_work_guard(io);
  std::thread net_thread([&io] { io.run(); });

  auto slow = std::async(std::launch::async, [port] { return test::get_status(port, "/slow"); });
  slow_started.get_future().wait();  // the one main handler thread is now blocked
  CHECK(test::get_status(port, "/read") == 200);   // answered by the read lane meanwhile
  CHECK(slow.wait_for(std::chrono::seconds(0)) == std::future_status::timeout);  // still blocked
  release.set_value();
  CHECK(slow.get() == 204);

  server.stop_accepting();
  guard.reset();
  io.stop();
  net_thread.join();
  main_handlers.join();
  read_handlers.join();
}
