// Per-route authentication policy: one function turns request facts into a principal or a stable 401/503 error.
#pragma once

#include "auth/context_claims.hpp"
#include "auth/jwt.hpp"
#include "auth/rsa_key.hpp"
#include "util/clock.hpp"
#include "util/result.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace doppel::auth {

// Route auth classes (platform doc §3, docs/http-api.md).
enum class route_auth {
  public_,    // no token looked at
  install,    // POST /lifecycle/installed|uninstalled: RS256 signed install, iss == body clientKey, aud, qsh
  lifecycle,  // POST /lifecycle/enabled|disabled: HS256 header, computed qsh (no token -> jwt_missing)
  webhook,    // HS256 header, computed qsh
  page,       // HS256 ?jwt= (or header), computed qsh
  api,        // HS256 context token (qsh == "context-qsh") in the header, or a Forge FIT (Bearer)
  api_admin,  // as api; the caller also checks Jira admin rights
  forge,      // Forge Invocation Token only
};

enum class token_kind { none, connect, forge };

enum class tenant_state { active, disabled, uninstalled };

// What the tenant store knows about a clientKey.
struct tenant_key {
  std::string shared_secret;
  tenant_state state = tenant_state::active;
};

using tenant_lookup_fn = std::function<std::optional<tenant_key>(std::string_view client_key)>;
// Public key by kid. Expected errors: errc::unauthorized "jwt_unknown_kid" (key server says no such key),
// errc::unavailable "key_server_unavailable" (-> 503). May block: call authenticate() off the network threads.
using key_provider_fn = std::function<result<rsa_key>(std::string_view kid)>;

struct auth_config {
  std::string base_url;         // our public base URL: aud of signed installs, base path stripped for qsh
  std::string forge_app_id;     // "ari:cloud:ecosystem::app/<id>" or the bare id; empty = FITs refused
  std::chrono::seconds leeway = default_leeway;  // clamped to max_leeway (30 s)
  tenant_lookup_fn tenants;
  key_provider_fn install_keys;
  key_provider_fn forge_keys;
  clock_fn clock;
};

struct request_facts {
  std::string_view method;
  std::string_view raw_target;          // request-target as received: "/path?query", still percent-encoded
  std::string_view authorization;       // Authorization header value, empty when absent
  route_auth route = route_auth::public_;
  std::string_view install_client_key;  // install route: "clientKey" of the (parsed) body; must equal iss
};

struct principal {
  token_kind kind = token_kind::none;
  std::string tenant_id;         // Connect clientKey, or Forge app.installationId
  std::string account_id;        // Connect "sub" / Forge "principal"; may be empty (e.g. webhooks, events)
  bool context_token = false;    // Connect token with qsh "context-qsh"
  context_issue context;         // Connect: the issue of the `context` claim (context.jira.issue), if named
  tenant_state state = tenant_state::active;  // Connect HS256 only
  std::string key_id;            // kid of an RS256 token
  // Forge Invocation Token claims.
  std::string installation_id;
  std::string api_base_url;      // app.apiBaseUrl: call Jira here with the x-forge-oauth-system token
  std::string cloud_id;          // context.cloudId
  std::string site_url;          // context.siteUrl
  std::string app_version;       // app.appVersion
  std::string environment_id;    // app.environment.id
  std::string module_key;        // app.module.key
};

// Authenticates one request for its route class. Never throws for bad input; provider/store exceptions
// propagate (infrastructure failures). Stable codes (all errc::unauthorized → 401 unless noted):
//   jwt_missing        no token (a `disabled` lifecycle call without token: answer 204, change nothing)
//   jwt_malformed      not three base64url JSON segments, oversized, bad claim types, bad Authorization
//   jwt_both_places    token in both the Authorization header and ?jwt=
//   jwt_place          token in a place this route does not accept (e.g. ?jwt= on a webhook)
//   jwt_token_kind     Connect token on a forge route, FIT on a Connect-only route, FIT with Forge unconfigured
//   jwt_alg            header alg not the one pinned for the route (incl. "none", RS256/HS256 confusion)
//   jwt_unknown_issuer iss missing / unknown clientKey / FIT iss not "forge/invocation-token"
//   jwt_issuer_mismatch signed install whose iss != body clientKey
//   jwt_unknown_kid    kid missing, malformed or unknown to the key server / JWKS
//   jwt_signature      signature does not verify
//   jwt_expired, jwt_not_yet_valid, jwt_claims (required claim missing: exp, qsh, jti, nbf, iat, installationId)
//   jwt_audience       aud does not contain our base URL / the Forge app ARI
//   jwt_qsh            qsh mismatch, context-qsh off api routes, or a computed qsh on api routes
//   jwt_tenant_uninstalled  HS256 token of an uninstalled tenant on a non-lifecycle route
//   key_server_unavailable  (errc::unavailable → 503) from the key providers
result<principal> authenticate(const request_facts& request, const auth_config& config);

// True for the "no token at all" error (lets the `disabled` handler answer 204 without changes).
bool is_missing_token(const error& e);

// The Forge audience for an app id ("ari:cloud:ecosystem::app/<id>"; an id already in ARI form is kept).
std::string forge_audience(std::string_view forge_app_id);

// kid charset check for install keys (they end up in a URL path): [A-Za-z0-9._-], 1..128, not "." / "..".
bool valid_install_kid(std::string_view kid);

std::string_view to_string(route_auth r);

}  // namespace doppel::auth
