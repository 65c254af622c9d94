// HTTP vocabulary shared by the net layer and the handlers: request, reply, route classes.
#pragma once

#include "auth/policy.hpp"
#include "util/result.hpp"

#include <boost/beast/http.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace doppel::net {

namespace http = boost::beast::http;
using request = http::request<http::string_body>;

// Authentication class of a route; enforced before the handler runs (auth layer policy).
using route_auth = auth::route_auth;

// What a handler answers; turned into a Beast response (with security headers) by the server.
struct reply {
  http::status status = http::status::ok;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  reply& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// Maps an expected failure to its HTTP status.
http::status status_of(errc code);

// The one JSON error shape: {"error":"<stable_code>","message":"<text>"}.
reply error_reply(const error& err);
reply error_reply(errc code, std::string stable_code, std::string message);
reply json_reply(http::status status, std::string body);
reply no_content();

}  // namespace doppel::net
