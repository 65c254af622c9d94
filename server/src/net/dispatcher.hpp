// Request dispatch: route match → auth policy → handler → security headers, with one catch-all boundary.
#pragma once

#include "net/context.hpp"
#include "net/metrics.hpp"
#include "net/router.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string_view>

namespace doppel::net {

using response = http::response<http::string_body>;

// Verifies the request's credentials for the route's auth class; nullopt caller on public routes.
using authenticator_fn = std::function<result<std::optional<caller>>(const request& req, const route& r,
                                                                     std::string_view path, std::string_view query)>;

struct header_policy {
  bool hsts = false;  // base URL is https: send Strict-Transport-Security
};

class dispatcher {
 public:
  dispatcher(const router& routes, authenticator_fn authenticate, metrics& stats, header_policy policy);

  // Never throws: infrastructure failures become a logged, generic 500. Calls done exactly once: on this thread, or for
  // a deferred route on the thread that answers it (the request must stay alive until then).
  void handle_async(std::shared_ptr<const request> req, std::function<void(response)> done) const;
  // handle_async, waiting for the answer.
  response handle(const request& req) const;

  // Builds a bare error response (used by the session for 413/431/408 before dispatch).
  response make_error_response(const request* req, http::status status, std::string_view code,
                               std::string_view message) const;

 private:
  response finalize(reply r, const request& req, std::string_view request_id) const;

  const router& routes_;
  authenticator_fn authenticate_;
  metrics& stats_;
  header_policy policy_;
};

// Splits a request target into raw path and raw query (no decoding).
std::pair<std::string_view, std::string_view> split_target(std::string_view target);

}  // namespace doppel::net
