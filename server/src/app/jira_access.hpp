// Outgoing Jira clients for a tenant: Connect (JWT with the tenant's shared secret) or Forge (app system token).
#pragma once

#include "app/app_context.hpp"
#include "app/services.hpp"
#include "jira/jira_client.hpp"
#include "net/context.hpp"

#include <memory>
#include <string>

namespace doppel::app {

// For a Connect tenant: its base URL, our app key, its opened shared secret. For a Forge tenant: its apiBaseUrl
// and an app system token: the one on this request (who is a Forge caller with x-forge-oauth-system), else the
// latest stored one (background jobs pass who = nullptr).
// Errors: errc::not_found "unknown_tenant"; errc::unavailable "forge_token_missing" / "forge_token_expired"
// (no usable system token: wait for the next Forge call); errc::internal "secret_unavailable".
result<std::shared_ptr<jira::jira_client>> jira_for_tenant(app_context& app, services& svc,
                                                          const std::string& tenant_id, const net::caller* who);

// The sealed token a client from jira_for_tenant(who = nullptr) uses for a Forge tenant (to forget exactly that
// one when Jira rejects it); empty for Connect tenants.
std::string stored_system_token_box(app_context& app, const std::string& tenant_id);

// Keeps the system token of a verified Forge call (never logged): sealed with the secret box, with its exp.
// `force` = the call is a Forge event delivery (always the latest); UI calls replace only an older token.
// When the stored token changed, a backfill waiting for one is made due now. Call inside the caller's transaction.
// Returns true when stored.
bool remember_system_token(pqxx::work& tx, services& svc, const net::caller& who, bool force);

}  // namespace doppel::app
