// Lifecycle: read the body → one tenants use-case → 204. Only verified installs touch secrets.
#include "handlers/lifecycle.hpp"

#include "handlers/json_body.hpp"
#include "service/tenants.hpp"

namespace doppel::handlers {

net::reply installed(env& e, net::request_context& ctx) {
  auto obj = parse_object(ctx.req.body());
  if (!obj) return net::error_reply(obj.error());
  auto key = string_member(*obj, "key");
  auto client_key = string_member(*obj, "clientKey");
  auto secret = string_member(*obj, "sharedSecret");
  auto base_url = string_member(*obj, "baseUrl");
  if (!key || !client_key || !secret || !base_url)
    return net::error_reply(errc::bad_request, "invalid_install", "key, clientKey, sharedSecret and baseUrl are required");
  // The policy already checked iss == body clientKey on the RS256 token.
  if (ctx.caller_or_throw().tenant_id != *client_key)
    return net::error_reply(errc::unauthorized, "jwt_issuer_mismatch", "Token issuer does not match clientKey");
  service::connect_install_request in{*key, *client_key, *secret, *base_url,
                                      string_member(*obj, "displayUrl").value_or(""),
                                      string_member(*obj, "productType").value_or(""),
                                      string_member(*obj, "oauthClientId").value_or(""),
                                      string_member(*obj, "cloudId").value_or("")};
  auto done = service::install_connect(e.svc, in);
  if (!done) return net::error_reply(done.error());
  return net::no_content();
}

net::reply uninstalled(env& e, net::request_context& ctx) {
  service::uninstall(e.svc, ctx.caller_or_throw().tenant_id);
  return net::no_content();
}

net::reply enabled(env& e, net::request_context& ctx) {
  service::set_tenant_state(e.svc, ctx.caller_or_throw().tenant_id, "enabled");
  return net::no_content();
}

net::reply disabled(env& e, net::request_context& ctx) {
  // After an uninstall Jira may call `disabled` with no token at all: acknowledge, change nothing.
  if (!ctx.who) return net::no_content();
  service::set_tenant_state(e.svc, ctx.who->tenant_id, "disabled");
  return net::no_content();
}

}  // namespace doppel::handlers
