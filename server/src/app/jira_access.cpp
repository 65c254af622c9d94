// Builds jira_client instances per call (they are cheap; the HTTP client is shared).
#include "app/jira_access.hpp"

#include "auth/forge_token.hpp"
#include "store/tenant_store.hpp"
#include "util/clock.hpp"

namespace doppel::app {
namespace {

std::int64_t now_s() { return unix_seconds(std::chrono::system_clock::now()); }

}  // namespace

result<std::shared_ptr<jira::jira_client>> jira_for_tenant(app_context& app, services& svc,
                                                          const std::string& tenant_id, const net::caller* who) {
  jira::jira_client_deps deps;
  deps.http = svc.http;
  if (who && who->forge && !who->forge_api_base_url.empty() && auth::plausible_system_token(who->forge_system_token))
    return std::make_shared<jira::jira_client>(
        jira::forge_credentials{who->forge_api_base_url, who->forge_system_token}, std::move(deps));
  auto tenant = app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return store::find_tenant(tx, tenant_id);
  });
  if (!tenant || tenant->state == "uninstalled") return make_error(errc::not_found, "unknown_tenant", "Unknown tenant");
  if (tenant->kind == "forge") {
    auto problem = auth::system_token_problem(!tenant->system_token_box.empty(), tenant->system_token_expires, now_s());
    if (!problem.empty())
      return make_error(errc::unavailable, problem, problem == "forge_token_missing"
                                                        ? "No Forge app system token stored for this site yet"
                                                        : "The stored Forge app system token has expired");
    auto token = svc.secrets.open(tenant->system_token_box);
    if (!token) return make_error(errc::internal, "secret_unavailable", "Stored system token cannot be opened");
    // For a Forge tenant base_url is the FIT's app.apiBaseUrl (see store::upsert_forge_install).
    return std::make_shared<jira::jira_client>(jira::forge_credentials{tenant->base_url, std::move(*token)},
                                               std::move(deps));
  }
  auto secret = svc.secrets.open(tenant->secret_box);
  if (!secret) return make_error(errc::internal, "secret_unavailable", "Tenant secret cannot be opened");
  return std::make_shared<jira::jira_client>(
      jira::connect_credentials{tenant->base_url, app.cfg.app_key, std::move(*secret)}, std::move(deps));
}

std::string stored_system_token_box(app_context& app, const std::string& tenant_id) {
  auto tenant = app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return store::find_tenant(tx, tenant_id);
  });
  return tenant && tenant->kind == "forge" ? tenant->system_token_box : std::string();
}

bool remember_system_token(pqxx::work& tx, services& svc, const net::caller& who, bool force) {
  if (!who.forge || !auth::plausible_system_token(who.forge_system_token)) return false;
  auto expires = auth::system_token_expiry(who.forge_system_token, now_s());
  if (expires && *expires <= now_s()) return false;  // already expired: keep whatever is stored
  if (!store::save_system_token(tx, who.tenant_id, svc.secrets.seal(who.forge_system_token), expires, force))
    return false;
  // A backfill waiting for a token (delayed retry) runs now.
  tx.exec_params0(
      "UPDATE jobs SET run_at = now(), updated_at = now()"
      " WHERE tenant_id = $1 AND kind = 'backfill' AND state = 'queued' AND run_at > now()",
      who.tenant_id);
  return true;
}

}  // namespace doppel::app
