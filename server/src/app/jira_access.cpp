// Builds jira_client instances per call (they are cheap; the HTTP client is shared).
#include "app/jira_access.hpp"

#include "store/tenant_store.hpp"

namespace doppel::app {

result<std::shared_ptr<jira::jira_client>> jira_for_tenant(app_context& app, services& svc,
                                                          const std::string& tenant_id, const net::caller* who) {
  jira::jira_client_deps deps;
  deps.http = svc.http;
  if (who && who->forge) {
    if (who->forge_system_token.empty() || who->forge_api_base_url.empty())
      return make_error(errc::unavailable, "jira_unreachable", "No Forge system token on this call");
    return std::make_shared<jira::jira_client>(
        jira::forge_credentials{who->forge_api_base_url, who->forge_system_token}, std::move(deps));
  }
  auto tenant = app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return store::find_tenant(tx, tenant_id);
  });
  if (!tenant || tenant->state == "uninstalled") return make_error(errc::not_found, "unknown_tenant", "Unknown tenant");
  if (tenant->kind != "connect")
    return make_error(errc::unavailable, "jira_unreachable", "Forge tenants are reached only during a Forge call");
  auto secret = svc.secrets.open(tenant->secret_box);
  if (!secret) return make_error(errc::internal, "secret_unavailable", "Tenant secret cannot be opened");
  return std::make_shared<jira::jira_client>(
      jira::connect_credentials{tenant->base_url, app.cfg.app_key, std::move(*secret)}, std::move(deps));
}

}  // namespace doppel::app
