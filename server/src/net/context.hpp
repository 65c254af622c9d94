// Per-request context handed to handlers: the request, path parameters, query access and the authenticated caller.
#pragma once

#include "auth/caller.hpp"

#include "net/http.hpp"
#include "net/router.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace doppel::net {

// Who is calling, established by the auth layer before the handler runs.
using caller = auth::caller;

struct request_context {
  const request& req;
  const route& matched;
  std::string_view path;
  std::string_view query;
  std::vector<std::pair<std::string, std::string>> params;
  std::optional<caller> who;
  std::string request_id;

  // A path parameter ("issueKey"); empty when absent.
  std::string_view param(std::string_view name) const;
  // First value of a query parameter, form-decoded; nullopt when absent.
  std::optional<std::string> query_param(std::string_view name) const;
  // The caller; handlers on authenticated routes may rely on it being set.
  const caller& caller_or_throw() const;
};

// Form-decodes a query component (+ → space, %XX → byte); nullopt on malformed escapes.
std::optional<std::string> form_decode(std::string_view s);

}  // namespace doppel::net
