// The per-route authentication policy: token extraction, alg pinning, issuer/key lookup, claims and qsh rules.
#include "auth/policy.hpp"

#include "auth/qsh.hpp"

#include <algorithm>

namespace doppel::auth {
namespace {

constexpr std::string_view forge_issuer = "forge/invocation-token";
constexpr std::string_view forge_ari_prefix = "ari:cloud:ecosystem::app/";

enum class scheme { none, jwt, bearer };

struct extracted {
  scheme header_scheme = scheme::none;
  std::string header_token;
  std::optional<std::string> query_token;
};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

result<extracted> extract_tokens(const request_facts& req) {
  extracted out;
  std::string_view auth = trim(req.authorization);
  if (!auth.empty()) {
    if (auth.size() > max_token_bytes + 16) return jwt_error("jwt_malformed", "Authorization header too long");
    auto sp = auth.find(' ');
    if (sp == std::string_view::npos) return jwt_error("jwt_malformed", "Authorization header has no scheme");
    std::string_view name = auth.substr(0, sp);
    std::string_view token = trim(auth.substr(sp + 1));
    if (iequals(name, "JWT")) out.header_scheme = scheme::jwt;
    else if (iequals(name, "Bearer")) out.header_scheme = scheme::bearer;
    else return jwt_error("jwt_malformed", "unsupported Authorization scheme");
    if (token.empty()) return jwt_error("jwt_malformed", "empty token");
    out.header_token = std::string(token);
  }
  std::string_view target = req.raw_target;
  if (auto hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  if (auto q = target.find('?'); q != std::string_view::npos) {
    std::string_view query = target.substr(q + 1);
    std::size_t pos = 0;
    while (pos <= query.size()) {
      auto amp = std::min(query.find('&', pos), query.size());
      std::string_view pair = query.substr(pos, amp - pos);
      pos = amp + 1;
      auto eq = pair.find('=');
      if (form_decode(pair.substr(0, eq)) != "jwt") continue;
      if (out.query_token) return jwt_error("jwt_malformed", "more than one jwt parameter");
      out.query_token = eq == std::string_view::npos ? std::string() : form_decode(pair.substr(eq + 1));
    }
  }
  return out;
}

std::chrono::seconds effective_leeway(const auth_config& cfg) {
  return std::clamp(cfg.leeway, std::chrono::seconds(0), max_leeway);
}

std::chrono::system_clock::time_point now_of(const auth_config& cfg) {
  return cfg.clock ? cfg.clock() : std::chrono::system_clock::now();
}

const boost::json::object* sub_object(const boost::json::object& o, std::string_view name) {
  auto it = o.find(name);
  return it != o.end() && it->value().is_object() ? &it->value().get_object() : nullptr;
}

bool valid_forge_kid(std::string_view kid) {
  if (kid.empty() || kid.size() > 256) return false;
  return std::all_of(kid.begin(), kid.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

// Route classes on which a Connect HS256 token may appear, and where.
bool query_token_allowed(route_auth r) { return r == route_auth::page; }

result<principal> verify_connect(const request_facts& req, const auth_config& cfg, std::string_view token) {
  auto jwt = decode_jwt(token);
  if (!jwt) return jwt.error();
  if (jwt->alg != "HS256") return jwt_error("jwt_alg", "algorithm not accepted on this route");
  std::string iss = claim_string(jwt->claims, "iss");
  if (iss.empty()) return jwt_error("jwt_unknown_issuer", "token has no issuer");
  std::optional<tenant_key> tenant = cfg.tenants ? cfg.tenants(iss) : std::nullopt;
  if (!tenant || tenant->shared_secret.empty()) return jwt_error("jwt_unknown_issuer", "unknown issuer");
  if (!verify_hs256(*jwt, tenant->shared_secret)) return jwt_error("jwt_signature", "signature does not verify");
  if (auto t = check_times(jwt->claims, now_of(cfg), {effective_leeway(cfg)}); !t) return t.error();
  auto qsh_it = jwt->claims.find("qsh");
  if (qsh_it == jwt->claims.end() || !qsh_it->value().is_string()) return jwt_error("jwt_claims", "qsh claim missing");
  std::string_view qsh(qsh_it->value().get_string().data(), qsh_it->value().get_string().size());
  const bool is_context = qsh == context_qsh;
  if (req.route == route_auth::api || req.route == route_auth::api_admin) {
    if (!is_context) return jwt_error("jwt_qsh", "api routes take context tokens only");
  } else {
    if (is_context) return jwt_error("jwt_qsh", "context token not accepted on this route");
    if (!qsh_matches(qsh, req.method, req.raw_target, cfg.base_url)) return jwt_error("jwt_qsh", "qsh does not match the request");
  }
  if (tenant->state == tenant_state::uninstalled && req.route != route_auth::lifecycle)
    return jwt_error("jwt_tenant_uninstalled", "app is not installed for this tenant");
  principal p;
  p.kind = token_kind::connect;
  p.tenant_id = std::move(iss);
  p.account_id = claim_string(jwt->claims, "sub");
  p.context_token = is_context;
  p.context = context_issue_of(jwt->claims);
  p.state = tenant->state;
  return p;
}

result<principal> verify_install(const request_facts& req, const auth_config& cfg, std::string_view token) {
  auto jwt = decode_jwt(token);
  if (!jwt) return jwt.error();
  if (jwt->alg != "RS256") return jwt_error("jwt_alg", "signed install requires RS256");
  if (!valid_install_kid(jwt->kid)) return jwt_error("jwt_unknown_kid", "kid missing or malformed");
  if (req.install_client_key.empty()) return jwt_error("jwt_issuer_mismatch", "install body has no clientKey");
  if (!cfg.install_keys) return make_error(errc::unavailable, "key_server_unavailable", "no install key provider");
  auto key = cfg.install_keys(jwt->kid);
  if (!key) return key.error();
  if (!verify_rs256(*jwt, *key)) return jwt_error("jwt_signature", "signature does not verify");
  if (auto t = check_times(jwt->claims, now_of(cfg), {effective_leeway(cfg)}); !t) return t.error();
  std::string iss = claim_string(jwt->claims, "iss");
  if (iss.empty() || iss != req.install_client_key) return jwt_error("jwt_issuer_mismatch", "iss does not match clientKey");
  if (!audience_contains(jwt->claims, cfg.base_url)) return jwt_error("jwt_audience", "aud does not name this app");
  std::string qsh = claim_string(jwt->claims, "qsh");
  if (qsh.empty()) return jwt_error("jwt_claims", "qsh claim missing");
  if (qsh == context_qsh || !qsh_matches(qsh, req.method, req.raw_target, cfg.base_url))
    return jwt_error("jwt_qsh", "qsh does not match the request");
  principal p;
  p.kind = token_kind::connect;
  p.tenant_id = std::move(iss);
  p.account_id = claim_string(jwt->claims, "sub");
  p.key_id = jwt->kid;
  return p;
}

result<principal> verify_forge(const auth_config& cfg, std::string_view token) {
  auto jwt = decode_jwt(token);
  if (!jwt) return jwt.error();
  if (jwt->alg != "RS256") return jwt_error("jwt_alg", "Forge tokens are RS256");
  if (!valid_forge_kid(jwt->kid)) return jwt_error("jwt_unknown_kid", "kid missing or malformed");
  if (!cfg.forge_keys) return make_error(errc::unavailable, "key_server_unavailable", "no Forge key provider");
  auto key = cfg.forge_keys(jwt->kid);
  if (!key) return key.error();
  if (!verify_rs256(*jwt, *key)) return jwt_error("jwt_signature", "signature does not verify");
  time_rules rules{effective_leeway(cfg), true, true};
  if (auto t = check_times(jwt->claims, now_of(cfg), rules); !t) return t.error();
  if (claim_string(jwt->claims, "iss") != forge_issuer) return jwt_error("jwt_unknown_issuer", "not a Forge invocation token");
  if (!audience_contains(jwt->claims, forge_audience(cfg.forge_app_id))) return jwt_error("jwt_audience", "aud is not this app");
  if (claim_string(jwt->claims, "jti").empty()) return jwt_error("jwt_claims", "jti claim missing");
  const boost::json::object* app = sub_object(jwt->claims, "app");
  principal p;
  p.kind = token_kind::forge;
  p.key_id = jwt->kid;
  if (app) {
    p.installation_id = claim_string(*app, "installationId");
    p.api_base_url = claim_string(*app, "apiBaseUrl");
    p.app_version = claim_string(*app, "appVersion");
    if (auto env = sub_object(*app, "environment")) p.environment_id = claim_string(*env, "id");
    if (auto mod = sub_object(*app, "module")) p.module_key = claim_string(*mod, "key");
  }
  if (p.installation_id.empty()) return jwt_error("jwt_claims", "app.installationId missing");
  if (auto ctx = sub_object(jwt->claims, "context")) {
    p.cloud_id = claim_string(*ctx, "cloudId");
    p.site_url = claim_string(*ctx, "siteUrl");
  }
  p.tenant_id = p.installation_id;
  p.account_id = claim_string(jwt->claims, "principal");
  return p;
}

}  // namespace

std::string forge_audience(std::string_view forge_app_id) {
  if (forge_app_id.empty()) return {};
  if (forge_app_id.substr(0, forge_ari_prefix.size()) == forge_ari_prefix) return std::string(forge_app_id);
  return std::string(forge_ari_prefix) + std::string(forge_app_id);
}

bool valid_install_kid(std::string_view kid) {
  if (kid.empty() || kid.size() > 128 || kid == "." || kid == "..") return false;
  return std::all_of(kid.begin(), kid.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

bool is_missing_token(const error& e) { return e.stable_code == "jwt_missing"; }

std::string_view to_string(route_auth r) {
  switch (r) {
    case route_auth::public_: return "public";
    case route_auth::install: return "install";
    case route_auth::lifecycle: return "lifecycle";
    case route_auth::webhook: return "webhook";
    case route_auth::page: return "page";
    case route_auth::api: return "api";
    case route_auth::api_admin: return "api_admin";
    case route_auth::forge: return "forge";
  }
  return "unknown";
}

result<principal> authenticate(const request_facts& req, const auth_config& cfg) {
  if (req.route == route_auth::public_) return principal{};
  auto tokens = extract_tokens(req);
  if (!tokens) return tokens.error();
  const bool in_header = tokens->header_scheme != scheme::none;
  if (in_header && tokens->query_token) return jwt_error("jwt_both_places", "token in both header and query");
  if (!in_header && !tokens->query_token) return jwt_error("jwt_missing", "no token");

  if (tokens->header_scheme == scheme::bearer) {
    const bool fit_route = req.route == route_auth::forge || req.route == route_auth::api || req.route == route_auth::api_admin;
    if (!fit_route || cfg.forge_app_id.empty()) return jwt_error("jwt_token_kind", "Forge token not accepted on this route");
    auto p = verify_forge(cfg, tokens->header_token);
    // Product and lifecycle events are invoked by the platform, not by a user: a token with a principal comes
    // from a UI call (invokeRemote from a page a site user controls) and must not post events.
    if (p && req.route == route_auth::forge && !p->account_id.empty())
      return jwt_error("jwt_token_kind", "a user's invocation token cannot deliver events");
    return p;
  }
  if (req.route == route_auth::forge) return jwt_error("jwt_token_kind", "Forge routes take Forge invocation tokens only");
  if (tokens->query_token && !query_token_allowed(req.route)) return jwt_error("jwt_place", "token not accepted in the query here");
  const std::string& token = in_header ? tokens->header_token : *tokens->query_token;
  if (token.empty()) return jwt_error("jwt_malformed", "empty token");
  if (req.route == route_auth::install) return verify_install(req, cfg, token);
  return verify_connect(req, cfg, token);
}

}  // namespace doppel::auth
