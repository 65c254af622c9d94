// The route table: method + path pattern ("/api/issues/{issueKey}/similar", "/static/{path...}") → route.
#pragma once

#include "net/http.hpp"

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace doppel::net {

struct request_context;
using handler_fn = std::function<reply(request_context&)>;

// How a deferred route answers, later and from any thread: exactly once (further calls are ignored). fail() answers
// as if the handler had thrown the exception (503 for a dependency unavailable, else 500), logged the same way.
class reply_sink {
 public:
  using answer_fn = std::function<void(reply)>;
  using failure_fn = std::function<reply(std::exception_ptr)>;
  reply_sink(answer_fn answer, failure_fn to_reply);
  void operator()(reply r) const;
  void fail(std::exception_ptr e) const;
  bool answered() const;

 private:
  struct state;
  std::shared_ptr<state> state_;
};

// A route whose answer waits for something other threads complete (webhook acknowledgements: the group commit of
// their event, store/inbox_batcher): the handler returns at once and its handler thread serves other requests
// meanwhile. The request_context is valid only during the call; what the answer needs later must be copied.
using deferred_handler_fn = std::function<void(request_context&, reply_sink)>;

// Which handler threads run a route: `read` = the panel's reads, on threads of their own (http_server's read pool),
// so that they never queue behind webhook acknowledgements or writes waiting for the database.
enum class route_lane { main, read };

struct route {
  http::verb method;
  std::string pattern;
  route_auth auth;
  std::size_t body_limit;  // bytes; requests with larger bodies get 413
  std::string name;        // stable label for logs and metrics, e.g. "api.similar"
  handler_fn handler;  // unset when `deferred` answers instead
  route_lane lane = route_lane::main;
  deferred_handler_fn deferred = {};
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
