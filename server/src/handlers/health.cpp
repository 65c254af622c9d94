// /livez answers while the process runs; /readyz needs migrations applied, not draining, and the database.
#include "handlers/health.hpp"

namespace doppel::handlers {

net::reply livez(env&, net::request_context&) {
  return net::json_reply(net::http::status::ok, R"({"status":"alive"})");
}

net::reply readyz(env& e, net::request_context&) {
  if (!e.ready.load())
    return net::error_reply(errc::unavailable, "not_ready", "Starting up or shutting down");
  if (!e.svc.db.healthy())
    return net::error_reply(errc::unavailable, "database_unavailable", "The database is not reachable");
  return net::json_reply(net::http::status::ok, R"({"status":"ready"})");
}

net::reply metrics(env& e, net::request_context&) {
  net::reply r{net::http::status::ok, "text/plain; version=0.0.4; charset=utf-8", e.stats.render(), {}};
  return r;
}

}  // namespace doppel::handlers
