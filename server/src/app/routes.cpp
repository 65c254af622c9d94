// The route table. Every route Doppel serves is listed here, nowhere else.
#include "app/routes.hpp"

#include "app/services.hpp"
#include "handlers/descriptor.hpp"
#include "handlers/health.hpp"
#include "handlers/static_files.hpp"

namespace doppel::app {
namespace {

constexpr std::size_t kib = 1024;
constexpr std::size_t no_body = 0;

}  // namespace

std::vector<net::route> make_routes(app_context& app, services& svc) {
  (void)svc;
  using net::route_auth;
  using verb = net::http::verb;
  auto bind = [&app](net::reply (*fn)(app_context&, net::request_context&)) {
    return [&app, fn](net::request_context& ctx) { return fn(app, ctx); };
  };
  return {
      // method       pattern                        auth                 body limit  name                handler
      {verb::get,  "/atlassian-connect.json", route_auth::public_, no_body, "descriptor", bind(handlers::descriptor)},
      {verb::get,  "/livez",                  route_auth::public_, no_body, "livez",      bind(handlers::livez)},
      {verb::get,  "/readyz",                 route_auth::public_, no_body, "readyz",     bind(handlers::readyz)},
      {verb::get,  "/metrics",                route_auth::public_, no_body, "metrics",    bind(handlers::metrics)},
      {verb::get,  "/static/{path...}",       route_auth::public_, no_body, "static",     bind(handlers::static_file)},
  };
}

}  // namespace doppel::app
