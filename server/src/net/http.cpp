// Error-to-status mapping and the standard JSON replies.
#include "net/http.hpp"

#include <boost/json.hpp>

namespace doppel::net {

http::status status_of(errc code) {
  switch (code) {
    case errc::bad_request: return http::status::bad_request;
    case errc::unauthorized: return http::status::unauthorized;
    case errc::forbidden: return http::status::forbidden;
    case errc::not_found: return http::status::not_found;
    case errc::method_not_allowed: return http::status::method_not_allowed;
    case errc::conflict: return http::status::conflict;
    case errc::payload_too_large: return http::status::payload_too_large;
    case errc::unprocessable: return http::status::unprocessable_entity;
    case errc::rate_limited: return http::status::too_many_requests;
    case errc::unavailable: return http::status::service_unavailable;
    case errc::upstream: return http::status::bad_gateway;
    case errc::internal: return http::status::internal_server_error;
  }
  return http::status::internal_server_error;
}

reply error_reply(const error& err) {
  boost::json::object o;
  o["error"] = err.stable_code;
  o["message"] = err.message;
  return reply{status_of(err.code), "application/json", boost::json::serialize(o), {}};
}

reply error_reply(errc code, std::string stable_code, std::string message) {
  return error_reply(make_error(code, std::move(stable_code), std::move(message)));
}

reply json_reply(http::status status, std::string body) {
  return reply{status, "application/json", std::move(body), {}};
}

reply no_content() { return reply{http::status::no_content, "", "", {}}; }

}  // namespace doppel::net
