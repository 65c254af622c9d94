// Lifecycle: validate the body → one store call in a transaction → 204. Only verified installs touch secrets.
#include "handlers/lifecycle.hpp"

#include "handlers/json_body.hpp"
#include "jobs/job_queue.hpp"
#include "store/backfill_store.hpp"
#include "store/tenant_store.hpp"
#include "util/log.hpp"

namespace doppel::handlers {
namespace {

constexpr std::size_t max_secret_length = 128;
constexpr std::size_t max_client_key_length = 255;

result<store::connect_install> parse_install(const app::app_context& app, const app::services& svc,
                                              std::string_view body) {
  auto obj = parse_object(body);
  if (!obj) return obj.error();
  auto key = string_member(*obj, "key");
  auto client_key = string_member(*obj, "clientKey");
  auto secret = string_member(*obj, "sharedSecret");
  auto base_url = string_member(*obj, "baseUrl");
  if (!key || !client_key || !secret || !base_url)
    return make_error(errc::bad_request, "invalid_install", "key, clientKey, sharedSecret and baseUrl are required");
  if (*key != app.cfg.app_key) return make_error(errc::bad_request, "wrong_app_key", "Install is for another app key");
  if (client_key->empty() || client_key->size() > max_client_key_length)
    return make_error(errc::bad_request, "invalid_install", "clientKey must be 1 to 255 characters");
  if (secret->empty() || secret->size() > max_secret_length)
    return make_error(errc::bad_request, "invalid_install", "sharedSecret must be 1 to 128 characters");
  if (auto s = svc.allowed_hosts.check_base_url(*base_url); !s) return s.error();
  store::connect_install in;
  in.client_key = *client_key;
  in.base_url = *base_url;
  while (!in.base_url.empty() && in.base_url.back() == '/') in.base_url.pop_back();
  in.display_url = string_member(*obj, "displayUrl").value_or("");
  if (!in.display_url.empty() && !svc.allowed_hosts.check_base_url(in.display_url)) in.display_url.clear();
  in.product_type = string_member(*obj, "productType").value_or("");
  in.oauth_client_id = string_member(*obj, "oauthClientId").value_or("");
  in.cloud_id = string_member(*obj, "cloudId").value_or("");
  in.sealed_secret = svc.secrets.seal(*secret);
  return in;
}

net::reply set_state(app::app_context& app, app::services& svc, net::request_context& ctx, const char* state) {
  const auto& who = ctx.caller_or_throw();
  bool changed = app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::work tx(c);
    bool ok = store::set_tenant_state(tx, who.tenant_id, state);
    tx.commit();
    return ok;
  });
  svc.tenant_keys->forget(who.tenant_id);  // this replica at once; the others on the trigger's NOTIFY
  log::info("tenant state", {{"tenant", who.tenant_id}, {"state", state}, {"changed", changed}});
  return net::no_content();
}

}  // namespace

net::reply installed(app::app_context& app, app::services& svc, net::request_context& ctx) {
  auto install = parse_install(app, svc, ctx.req.body());
  if (!install) return net::error_reply(install.error());
  // The policy already checked iss == body clientKey on the RS256 token.
  if (ctx.caller_or_throw().tenant_id != install->client_key)
    return net::error_reply(errc::unauthorized, "jwt_issuer_mismatch", "Token issuer does not match clientKey");
  bool first = app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::work tx(c);
    bool is_new = store::upsert_connect_install(tx, *install);
    // First install (or a site import's new clientKey): index the existing backlog.
    if (store::start_backfill(tx, install->client_key, store::backfill_jql({}), true))
      jobs::enqueue(tx, install->client_key, jobs::job_kind::backfill, "backfill", "{}");
    tx.commit();
    return is_new;
  });
  svc.tenant_keys->forget(install->client_key);  // a reinstall may bring a new secret
  if (svc.workers) svc.workers->nudge();
  log::info("tenant installed", {{"tenant", install->client_key}, {"first_install", first}});
  return net::no_content();
}

net::reply uninstalled(app::app_context& app, app::services& svc, net::request_context& ctx) {
  const auto& who = ctx.caller_or_throw();
  long retention = long(app.cfg.uninstall_retention.count());
  app.pool.with_connection([&](pqxx::connection& c) {
    pqxx::work tx(c);
    if (store::mark_uninstalled(tx, who.tenant_id, retention))
      jobs::enqueue(tx, who.tenant_id, jobs::job_kind::purge_tenant, "purge", "{}", retention);
    tx.commit();
  });
  svc.tenant_keys->forget(who.tenant_id);
  log::info("tenant uninstalled", {{"tenant", who.tenant_id}, {"retention_seconds", retention}});
  return net::no_content();
}

net::reply enabled(app::app_context& app, app::services& svc, net::request_context& ctx) {
  return set_state(app, svc, ctx, "enabled");
}

net::reply disabled(app::app_context& app, app::services& svc, net::request_context& ctx) {
  // After an uninstall Jira may call `disabled` with no token at all: acknowledge, change nothing.
  if (!ctx.who) return net::no_content();
  return set_state(app, svc, ctx, "disabled");
}

}  // namespace doppel::handlers
