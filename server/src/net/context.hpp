// Per-request context handed to handlers: the request, path parameters, query access and the authenticated caller.
#pragma once

#include "net/http.hpp"
#include "net/router.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace doppel::net {

// Who is calling, established by the auth layer before the handler runs.
struct caller {
  std::string tenant_id;    // Connect clientKey or Forge installationId
  std::string account_id;   // Atlassian account id (JWT sub / FIT principal); may be empty
  bool forge = false;
  std::string forge_api_base_url;   // FIT app.apiBaseUrl
  std::string forge_system_token;   // x-forge-oauth-system header (never logged)
  std::string forge_cloud_id;
  std::string forge_site_url;
};

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
