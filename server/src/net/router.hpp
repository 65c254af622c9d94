// The route table: method + path pattern ("/api/issues/{issueKey}/similar", "/static/{path...}") → route.
#pragma once

#include "net/http.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace doppel::net {

struct request_context;
using handler_fn = std::function<reply(request_context&)>;

// Which handler threads run a route: `read` = the panel's reads, on threads of their own (http_server's read pool),
// so that they never queue behind webhook acknowledgements or writes waiting for the database.
enum class route_lane { main, read };

struct route {
  http::verb method;
  std::string pattern;
  route_auth auth;
  std::size_t body_limit;  // bytes; requests with larger bodies get 413
  std::string name;        // stable label for logs and metrics, e.g. "api.similar"
  handler_fn handler;
  route_lane lane = route_lane::main;
};

struct route_match {
  const route* matched = nullptr;                                  // set when method and path match
  std::vector<std::pair<std::string, std::string>> params;        // percent-decoded path parameters
  std::string allow;                                               // for 405: the methods the path accepts
};

class router {
 public:
  explicit router(std::vector<route> routes);
  // nullptr matched + empty allow = 404; nullptr matched + allow set = 405.
  route_match match(http::verb method, std::string_view path) const;
  const std::vector<route>& routes() const { return routes_; }

 private:
  std::vector<route> routes_;
};

// Percent-decodes a path segment; nullopt for malformed escapes or NUL bytes.
std::optional<std::string> percent_decode_segment(std::string_view s);

}  // namespace doppel::net
