// Dispatcher: the request boundary. Expected failures are values; exceptions are caught here once.
#include "net/dispatcher.hpp"

#include "util/encoding.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

#include <openssl/rand.h>

#include <chrono>
#include <exception>

namespace doppel::net {
namespace {

std::string new_request_id() {
  unsigned char raw[8];
  if (RAND_bytes(raw, sizeof raw) != 1) return "unknown";
  return hex_encode(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
}

bool has_header(const reply& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (boost::beast::iequals(k, name)) return true;
  return false;
}

}  // namespace

std::pair<std::string_view, std::string_view> split_target(std::string_view target) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

dispatcher::dispatcher(const router& routes, authenticator_fn authenticate, metrics& stats, header_policy policy)
    : routes_(routes), authenticate_(std::move(authenticate)), stats_(stats), policy_(policy) {}

response dispatcher::finalize(reply r, const request& req, std::string_view request_id) const {
  response res{r.status, req.version()};
  res.keep_alive(req.keep_alive());
  if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
  res.set(http::field::server, "doppel");
  res.set("X-Request-Id", request_id);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  if (!has_header(r, "Cache-Control")) res.set(http::field::cache_control, "no-store");
  if (policy_.hsts) res.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  for (auto& [k, v] : r.headers) res.set(k, v);
  if (req.method() != http::verb::head) res.body() = std::move(r.body);
  res.prepare_payload();
  return res;
}

response dispatcher::make_error_response(const request* req, http::status status, std::string_view code,
                                         std::string_view message) const {
  request fallback{http::verb::get, "/", 11};
  const request& base = req ? *req : fallback;
  auto err = error_reply(errc::bad_request, std::string(code), std::string(message));
  err.status = status;
  auto res = finalize(std::move(err), base, new_request_id());
  res.keep_alive(false);
  return res;
}

response dispatcher::handle(const request& req) const {
  auto started = std::chrono::steady_clock::now();
  std::string request_id = new_request_id();
  auto [path, query] = split_target(req.target());
  std::string route_name = "unmatched";
  reply out;
  try {
    auto m = routes_.match(req.method(), path);
    if (!m.matched) {
      if (m.allow.empty()) {
        out = error_reply(errc::not_found, "not_found", "No such route");
      } else {
        out = error_reply(errc::method_not_allowed, "method_not_allowed", "Method not allowed on this route");
        out.header("Allow", m.allow);
      }
    } else {
      route_name = m.matched->name;
      auto who = authenticate_(req, *m.matched, path, query);
      if (!who) {
        out = error_reply(who.error());
        if (who.error().code == errc::unauthorized) out.header("WWW-Authenticate", "JWT");
      } else {
        request_context ctx{req, *m.matched, path, query, std::move(m.params), std::move(*who), request_id};
        out = m.matched->handler(ctx);
      }
    }
  } catch (const unavailable_error& e) {
    log::warn("dependency unavailable", {{"request_id", request_id}, {"route", route_name}, {"what", e.what()}});
    out = error_reply(errc::unavailable, "unavailable", "Temporarily unavailable; retry later");
    out.header("Retry-After", "5");
  } catch (const std::exception& e) {
    log::error("request failed", {{"request_id", request_id}, {"route", route_name}, {"what", e.what()}});
    out = error_reply(errc::internal, "internal_error", "Internal error; see the server log for request " + request_id);
  } catch (...) {
    log::error("request failed", {{"request_id", request_id}, {"route", route_name}});
    out = error_reply(errc::internal, "internal_error", "Internal error; see the server log for request " + request_id);
  }
  int status = int(out.status);
  auto res = finalize(std::move(out), req, request_id);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  stats_.observe_request(route_name, status, seconds);
  log::info("request", {{"request_id", request_id},
                        {"method", std::string(http::to_string(req.method()))},
                        {"path", std::string(path.substr(0, 256))},
                        {"route", route_name},
                        {"status", status},
                        {"latency_ms", seconds * 1000.0}});
  return res;
}

}  // namespace doppel::net
