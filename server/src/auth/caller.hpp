// Who made a verified request: the site (tenant) and, on user calls, the Jira account; Forge calls add platform facts.
#pragma once

#include "auth/context_claims.hpp"

#include <string>

namespace doppel::auth {

struct caller {
  std::string tenant_id;    // Connect clientKey or Forge installationId
  std::string account_id;   // Atlassian account id (JWT sub / FIT principal); may be empty
  context_issue context;    // Connect context token: the issue its `context` claim names (if any)
  bool forge = false;
  std::string forge_api_base_url;   // FIT app.apiBaseUrl
  std::string forge_system_token;   // x-forge-oauth-system header (never logged)
  std::string forge_cloud_id;
  std::string forge_site_url;
  std::string forge_module_key;     // FIT app.module.key: the manifest module Forge invoked
};

}  // namespace doppel::auth
