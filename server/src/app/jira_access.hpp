// Outgoing Jira clients for a tenant: Connect (JWT with the tenant's shared secret) or Forge (system token).
#pragma once

#include "app/app_context.hpp"
#include "app/services.hpp"
#include "jira/jira_client.hpp"
#include "net/context.hpp"

#include <memory>
#include <string>

namespace doppel::app {

// For a Connect tenant: its base URL, our app key, its opened shared secret. For a Forge caller: the FIT's
// apiBaseUrl and the request's x-forge-oauth-system token (who must be the Forge caller).
// Errors: errc::not_found "unknown_tenant", errc::unavailable "jira_unreachable" (Forge without token).
result<std::shared_ptr<jira::jira_client>> jira_for_tenant(app_context& app, services& svc,
                                                          const std::string& tenant_id, const net::caller* who);

}  // namespace doppel::app
