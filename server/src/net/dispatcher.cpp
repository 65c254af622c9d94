// Dispatcher: the request boundary. Expected failures are values; exceptions are caught here once.
#include "net/dispatcher.hpp"

#include "util/encoding.hpp"
#include "util/errors.hpp"
#include "util/log.hpp"

#include <openssl/rand.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>

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

struct reply_sink::state {
  std::atomic<bool> done{false};
  answer_fn answer;
  failure_fn to_reply;
};

reply_sink::reply_sink(answer_fn answer, failure_fn to_reply) : state_(std::make_shared<state>()) {
  state_->answer = std::move(answer);
  state_->to_reply = std::move(to_reply);
}

void reply_sink::operator()(reply r) const {
  if (!state_->done.exchange(true)) state_->answer(std::move(r));
}

void reply_sink::fail(std::exception_ptr e) const {
  if (!state_->done.exchange(true)) state_->answer(state_->to_reply(std::move(e)));
}

bool reply_sink::answered() const { return state_->done.load(); }

namespace {

// The request boundary's one mapping of a failure to an answer, logged with the request's id.
reply failure_reply(std::exception_ptr failure, const std::string& request_id, const std::string& route_name) {
  try {
    std::rethrow_exception(failure);
  } catch (const unavailable_error& e) {
    log::warn("dependency unavailable", {{"request_id", request_id}, {"route", route_name}, {"what", e.what()}});
    auto out = error_reply(errc::unavailable, "unavailable", "Temporarily unavailable; retry later");
    out.header("Retry-After", "5");
    return out;
  } catch (const std::exception& e) {
    log::error("request failed", {{"request_id", request_id}, {"route", route_name}, {"what", e.what()}});
  } catch (...) {
    log::error("request failed", {{"request_id", request_id}, {"route", route_name}});
  }
  return error_reply(errc::internal, "internal_error", "Internal error; see the server log for request " + request_id);
}

}  // namespace

response dispatcher::handle(const request& req) const {
  // A deferred route answers on another thread: wait for it (the server itself uses handle_async).
  std::mutex m;
  std::condition_variable cv;
  std::optional<response> out;
  handle_async(std::shared_ptr<const request>(std::shared_ptr<const request>(), &req), [&](response res) {
    std::lock_guard lock(m);
    out = std::move(res);
    cv.notify_one();
  });
  std::unique_lock lock(m);
  cv.wait(lock, [&] { return out.has_value(); });
  return std::move(*out);
}

void dispatcher::handle_async(std::shared_ptr<const request> req, std::function<void(response)> done) const {
  auto started = std::chrono::steady_clock::now();
  std::string request_id = new_request_id();
  auto [path, query] = split_target(req->target());
  std::string route_name = "unmatched";
  // The one end of every request, whichever thread answers: headers, metrics, the access-log line.
  auto finish = [this, req, done = std::move(done), started, request_id,
                 logged_path = std::string(path.substr(0, 256))](const std::string& route, reply out) {
    int status = int(out.status);
    auto res = finalize(std::move(out), *req, request_id);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    stats_.observe_request(route, status, seconds);
    log::info("request", {{"request_id", request_id},
                          {"method", std::string(http::to_string(req->method()))},
                          {"path", logged_path},
                          {"route", route},
                          {"status", status},
                          {"latency_ms", seconds * 1000.0}});
    done(std::move(res));
  };
  reply out;
  try {
    auto m = routes_.match(req->method(), path);
    if (!m.matched) {
      if (m.allow.empty()) {
        out = error_reply(errc::not_found, "not_found", "No such route");
      } else {
        out = error_reply(errc::method_not_allowed, "method_not_allowed", "Method not allowed on this route");
        out.header("Allow", m.allow);
      }
    } else {
      route_name = m.matched->name;
      auto who = authenticate_(*req, *m.matched, path, query);
      if (!who) {
        out = error_reply(who.error());
        if (who.error().code == errc::unauthorized) out.header("WWW-Authenticate", "JWT");
      } else {
        request_context ctx{*req, *m.matched, path, query, std::move(m.params), std::move(*who), request_id};
        if (m.matched->deferred) {
          reply_sink sink([finish, route_name](reply r) { finish(route_name, std::move(r)); },
                          [request_id, route_name](std::exception_ptr e) {
                            return failure_reply(std::move(e), request_id, route_name);
                          });
          try {
            m.matched->deferred(ctx, sink);
          } catch (...) {
            sink.fail(std::current_exception());  // ignored when the handler had already answered
          }
          return;
        }
        out = m.matched->handler(ctx);
      }
    }
  } catch (...) {
    out = failure_reply(std::current_exception(), request_id, route_name);
  }
  finish(route_name, std::move(out));
}

}  // namespace doppel::net
