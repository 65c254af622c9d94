// Builds request facts for the auth policy and maps its principal to net::caller (verification only, no writes).
#include "app/authenticator.hpp"


#include "handlers/json_body.hpp"
#include "store/tenant_store.hpp"
#include "util/log.hpp"

namespace doppel::app {

auth::tenant_lookup_fn make_tenant_lookup(store::database& db, const auth::secret_box& secrets,
                                          std::shared_ptr<auth::tenant_key_cache> cache) {
  return [&db, &secrets, cache](std::string_view client_key) -> std::optional<auth::tenant_key> {
    if (client_key.empty() || client_key.size() > 255) return std::nullopt;
    const std::string id(client_key);
    if (auto hit = cache->get(id)) return hit;
    const auto epoch = cache->epoch();
    auto record = db.read([&](store::read_tx& tx) { return store::find_tenant(tx, id); });
    if (!record || record->kind != "connect" || record->secret_box.empty()) return std::nullopt;
    auto secret = secrets.open(record->secret_box);
    if (!secret) {
      log::error("tenant secret cannot be opened (wrong DOPPEL_SECRET_KEY?)", {{"tenant", record->tenant_id}});
      return std::nullopt;
    }
    auth::tenant_key key;
    key.shared_secret = std::move(*secret);
    key.state = record->state == "uninstalled" ? auth::tenant_state::uninstalled
                : record->state == "disabled"  ? auth::tenant_state::disabled
                                               : auth::tenant_state::active;
    cache->put(id, key, epoch);
    return key;
  };
}

net::authenticator_fn make_authenticator(const auth::auth_config& auth) {
  return [&auth](const net::request& req, const net::route& r, std::string_view,
                std::string_view) -> result<std::optional<net::caller>> {
    if (r.auth == net::route_auth::public_) return std::optional<net::caller>{};
    std::string client_key;
    if (r.auth == net::route_auth::install) {
      auto body = handlers::parse_object(req.body());
      if (body) client_key = handlers::string_member(*body, "clientKey").value_or("");
    }
    auth::request_facts facts;
    facts.method = net::http::to_string(req.method());
    facts.raw_target = req.target();
    facts.authorization = req[net::http::field::authorization];
    facts.route = r.auth;
    facts.install_client_key = client_key;
    auto p = auth::authenticate(facts, auth);
    if (!p) {
      // Jira may call `disabled` without a token after an uninstall: the handler answers 204 and changes nothing.
      if (r.name == "lifecycle.disabled" && auth::is_missing_token(p.error())) return std::optional<net::caller>{};
      return p.error();
    }
    net::caller who;
    who.tenant_id = p->tenant_id;
    who.account_id = p->account_id;
    who.context = p->context;
    who.forge = p->kind == auth::token_kind::forge;
    if (who.forge) {
      who.forge_api_base_url = p->api_base_url;
      who.forge_cloud_id = p->cloud_id;
      who.forge_site_url = p->site_url;
      who.forge_module_key = p->module_key;
      who.forge_system_token = std::string(req["x-forge-oauth-system"]);
    }
    return std::optional<net::caller>(std::move(who));
  };
}

}  // namespace doppel::app
