// Per-route policy: the positive paths and the whole negative matrix (no token, alg none, fake secret,
// algorithm confusion, expiry, cross-tenant, aud/iss, kid, context-qsh misuse, token kinds and places).
#include "auth/policy.hpp"
#include "auth/qsh.hpp"
#include "unit/auth/test_util.hpp"
#include "util/encoding.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <map>

using namespace doppel;
using namespace doppel::auth;

namespace {

constexpr std::int64_t now_s = 1'800'000'000;
const std::string base_url = "https://doppel.example/app";
const std::string app_ari = "ari:cloud:ecosystem::app/1111-2222";

const rsa_key& install_key() { static const rsa_key k = rsa_key::generate(2048); return k; }
const rsa_key& forge_key() { static const rsa_key k = rsa_key::generate(2048); return k; }
const rsa_key& rogue_key() { static const rsa_key k = rsa_key::generate(2048); return k; }

key_provider_fn provider(const rsa_key& key, std::string kid) {
  return [pub = rsa_key::from_public_pem(key.public_pem()).value(), kid](std::string_view want) -> result<rsa_key> {
    if (want == "down") return make_error(errc::unavailable, "key_server_unavailable", "key server down");
    if (want != kid) return jwt_error("jwt_unknown_kid", "no such key");
    return pub;
  };
}

auth_config config() {
  auth_config c;
  c.base_url = base_url;
  c.forge_app_id = app_ari;
  c.clock = test::fixed_clock(now_s);
  c.tenants = [](std::string_view key) -> std::optional<tenant_key> {
    static const std::map<std::string, tenant_key, std::less<>> tenants{
        {"tenant-a", {"secret-a-0123456789", tenant_state::active}},
        {"tenant-b", {"secret-b-0123456789", tenant_state::active}},
        {"tenant-off", {"secret-off-0123456", tenant_state::disabled}},
        {"tenant-gone", {"secret-gone-012345", tenant_state::uninstalled}},
    };
    auto it = tenants.find(key);
    if (it == tenants.end()) return std::nullopt;
    return it->second;
  };
  c.install_keys = provider(install_key(), "install-kid-1");
  c.forge_keys = provider(forge_key(), "forge-kid-1");
  return c;
}

std::string secret_of(std::string_view tenant) { return config().tenants(tenant)->shared_secret; }

// HS256 Connect token bound to method + target (full path as received, base path /app is stripped).
std::string connect_token(std::string_view tenant, std::string_view method, std::string_view target,
                          std::int64_t exp_in = 120, std::string qsh = {}, std::string secret = {}) {
  if (qsh.empty()) qsh = compute_qsh(method, target, base_url);
  boost::json::object c{{"iss", tenant}, {"sub", "acc-1"}, {"iat", now_s + exp_in - 180}, {"exp", now_s + exp_in}, {"qsh", qsh}};
  return sign_hs256(c, secret.empty() ? secret_of(tenant) : secret);
}

boost::json::object install_claims(std::string_view target) {
  return {{"iss", "tenant-new"}, {"sub", "acc-1"}, {"aud", boost::json::array{base_url}},
          {"iat", now_s - 5}, {"exp", now_s + 180}, {"qsh", compute_qsh("POST", target, base_url)}};
}

boost::json::object fit_claims() {
  return {{"iss", "forge/invocation-token"},
          {"aud", app_ari},
          {"iat", now_s - 5},
          {"nbf", now_s - 5},
          {"exp", now_s + 60},
          {"jti", "jti-1"},
          {"app", {{"installationId", "inst-1"},
                   {"apiBaseUrl", "https://api.atlassian.com/ex/jira/cloud-1"},
                   {"appVersion", "1.2.0"},
                   {"environment", {{"type", "PRODUCTION"}, {"id", "env-1"}}},
                   {"module", {{"type", "xen:macro"}, {"key", "events"}}}}},
          {"context", {{"cloudId", "cloud-1"}, {"siteUrl", "https://acme.atlassian.net"}}}};
}

// A UI invocation (invokeRemote from a Custom UI page): the user is the principal.
boost::json::object ui_fit_claims() {
  auto c = fit_claims();
  c["principal"] = "acc-9";
  return c;
}

std::string fit(const boost::json::object& claims, const rsa_key& key = forge_key(), std::string_view kid = "forge-kid-1") {
  return sign_rs256(claims, key, kid);
}

result<principal> run(route_auth route, std::string_view method, std::string_view target, std::string authz,
                      std::string_view client_key = {}, const auth_config& cfg = config()) {
  request_facts f{method, target, authz, route, client_key};
  return authenticate(f, cfg);
}

std::string code(const result<principal>& r) { return r.ok() ? "ok" : r.error().stable_code; }

std::string unsigned_token(std::string_view header, const boost::json::object& claims) {
  return base64url_encode(header) + "." + base64url_encode(boost::json::serialize(claims)) + ".";
}

}  // namespace

TEST_CASE("policy: accepted tokens per route class") {
  SUBCASE("public routes ignore tokens") {
    auto r = run(route_auth::public_, "GET", "/app/atlassian-connect.json", "JWT garbage");
    REQUIRE(r.ok());
    CHECK(r->kind == token_kind::none);
  }
  SUBCASE("webhook: HS256 header, computed qsh") {
    const std::string t = "/app/webhooks/jira?issueKey=ABC-1";
    auto r = run(route_auth::webhook, "POST", t, "JWT " + connect_token("tenant-a", "POST", t));
    REQUIRE(r.ok());
    CHECK(r->kind == token_kind::connect);
    CHECK(r->tenant_id == "tenant-a");
    CHECK(r->account_id == "acc-1");
    CHECK_FALSE(r->context_token);
  }
  SUBCASE("page: ?jwt= token (jwt parameter excluded from the qsh)") {
    const std::string t = "/app/pages/panel?issueKey=ABC-1&xdm_e=https%3A%2F%2Facme.atlassian.net";
    auto r = run(route_auth::page, "GET", t + "&jwt=" + connect_token("tenant-a", "GET", t), "");
    REQUIRE(r.ok());
    CHECK(r->tenant_id == "tenant-a");
  }
  SUBCASE("lifecycle enabled/disabled: HS256, also for a disabled or uninstalled tenant") {
    const std::string t = "/app/lifecycle/disabled";
    CHECK(code(run(route_auth::lifecycle, "POST", t, "JWT " + connect_token("tenant-gone", "POST", t))) == "ok");
    auto r = run(route_auth::lifecycle, "POST", t, "jwt " + connect_token("tenant-off", "POST", t));
    REQUIRE(r.ok());
    CHECK(r->state == tenant_state::disabled);
  }
  SUBCASE("api: context token") {
    auto r = run(route_auth::api, "GET", "/app/api/issues/ABC-1/similar?limit=5",
                 "JWT " + connect_token("tenant-b", "GET", "", 60, "context-qsh"));
    REQUIRE(r.ok());
    CHECK(r->tenant_id == "tenant-b");
    CHECK(r->context_token);
    CHECK(code(run(route_auth::api_admin, "PUT", "/app/api/admin/config",
                   "JWT " + connect_token("tenant-b", "GET", "", 60, "context-qsh"))) == "ok");
  }
  SUBCASE("api and forge: Forge invocation token") {
    for (auto route : {route_auth::api, route_auth::api_admin, route_auth::forge}) {
      const bool event = route == route_auth::forge;
      auto r = run(route, "POST", "/app/api/forge/events", "Bearer " + fit(event ? fit_claims() : ui_fit_claims()));
      REQUIRE(r.ok());
      CHECK(r->kind == token_kind::forge);
      CHECK(r->tenant_id == "inst-1");
      CHECK(r->installation_id == "inst-1");
      CHECK(r->api_base_url == "https://api.atlassian.com/ex/jira/cloud-1");
      CHECK(r->cloud_id == "cloud-1");
      CHECK(r->site_url == "https://acme.atlassian.net");
      CHECK(r->account_id == (event ? "" : "acc-9"));
      CHECK(r->environment_id == "env-1");
      CHECK(r->module_key == "events");
    }
    // A user's token (from a UI page) cannot deliver events.
    CHECK(code(run(route_auth::forge, "POST", "/app/api/forge/events", "Bearer " + fit(ui_fit_claims()))) == "jwt_token_kind");
    auto bare = config();
    bare.forge_app_id = "1111-2222";  // bare id: the ARI prefix is added
    CHECK(code(run(route_auth::forge, "POST", "/x", "Bearer " + fit(fit_claims()), {}, bare)) == "ok");
  }
  SUBCASE("install: RS256 signed install") {
    const std::string t = "/app/lifecycle/installed";
    auto r = run(route_auth::install, "POST", t, "JWT " + sign_rs256(install_claims(t), install_key(), "install-kid-1"),
                 "tenant-new");
    REQUIRE(r.ok());
    CHECK(r->tenant_id == "tenant-new");
    CHECK(r->key_id == "install-kid-1");
    auto claims = install_claims(t);
    claims["aud"] = base_url + "/";  // string aud, one trailing slash
    CHECK(code(run(route_auth::install, "POST", t, "JWT " + sign_rs256(claims, install_key(), "install-kid-1"),
                   "tenant-new")) == "ok");
  }
}

TEST_CASE("policy: negative matrix on every Connect route class") {
  struct route_case { route_auth route; std::string method; std::string target; };
  const std::vector<route_case> routes{
      {route_auth::lifecycle, "POST", "/app/lifecycle/enabled"},
      {route_auth::webhook, "POST", "/app/webhooks/jira"},
      {route_auth::page, "GET", "/app/pages/panel?issueKey=ABC-1"},
      {route_auth::api, "GET", "/app/api/status"},
      {route_auth::api_admin, "POST", "/app/api/admin/rescan"},
  };
  for (const auto& rc : routes) {
    CAPTURE(to_string(rc.route));
    const bool api = rc.route == route_auth::api || rc.route == route_auth::api_admin;
    auto good_qsh = api ? std::string(context_qsh) : compute_qsh(rc.method, rc.target, base_url);
    auto call = [&](std::string authz) { return code(run(rc.route, rc.method, rc.target, std::move(authz))); };

    CHECK(call("JWT " + connect_token("tenant-a", rc.method, rc.target, 120, good_qsh)) == "ok");
    CHECK(call("") == "jwt_missing");
    CHECK(call("JWT") == "jwt_malformed");
    CHECK(call("Basic dXNlcjpwYXNz") == "jwt_malformed");
    CHECK(call("JWT not.a.token") == "jwt_malformed");
    // alg none, unsigned.
    boost::json::object claims{{"iss", "tenant-a"}, {"exp", now_s + 60}, {"qsh", good_qsh}};
    CHECK(call("JWT " + unsigned_token(R"({"alg":"none","typ":"JWT"})", claims)) == "jwt_alg");
    CHECK(call("JWT " + unsigned_token(R"({"alg":"None"})", claims)) == "jwt_alg");
    // Atlassian scanner: HS256 signed with "fake-jwt-secret".
    CHECK(call("JWT " + connect_token("tenant-a", rc.method, rc.target, 120, good_qsh, "fake-jwt-secret")) == "jwt_signature");
    // Algorithm confusion: HS256 keyed with the install public key PEM; and an RS256 token.
    CHECK(call("JWT " + connect_token("tenant-a", rc.method, rc.target, 120, good_qsh, install_key().public_pem())) ==
          "jwt_signature");
    CHECK(call("JWT " + sign_rs256(claims, install_key(), "install-kid-1")) == "jwt_alg");
    // Expired (beyond the 3 s leeway) but within leeway is fine.
    CHECK(call("JWT " + connect_token("tenant-a", rc.method, rc.target, -4, good_qsh)) == "jwt_expired");
    CHECK(call("JWT " + connect_token("tenant-a", rc.method, rc.target, -2, good_qsh)) == "ok");
    // Token of another tenant: claims tenant-a, signed with tenant-b's secret.
    CHECK(call("JWT " + connect_token("tenant-a", rc.method, rc.target, 120, good_qsh, secret_of("tenant-b"))) ==
          "jwt_signature");
    // Unknown issuer, missing issuer.
    CHECK(call("JWT " + connect_token("tenant-zzz", rc.method, rc.target, 120, good_qsh, "whatever")) == "jwt_unknown_issuer");
    CHECK(call("JWT " + sign_hs256({{"exp", now_s + 60}, {"qsh", good_qsh}}, secret_of("tenant-a"))) == "jwt_unknown_issuer");
    // Missing exp / qsh.
    CHECK(call("JWT " + sign_hs256({{"iss", "tenant-a"}, {"qsh", good_qsh}}, secret_of("tenant-a"))) == "jwt_claims");
    CHECK(call("JWT " + sign_hs256({{"iss", "tenant-a"}, {"exp", now_s + 60}}, secret_of("tenant-a"))) == "jwt_claims");
    // qsh rules: context-qsh only on api routes; computed qsh refused on api routes; wrong qsh refused.
    if (api) {
      CHECK(call("JWT " + connect_token("tenant-a", rc.method, rc.target)) == "jwt_qsh");
    } else {
      CHECK(call("JWT " + connect_token("tenant-a", rc.method, rc.target, 120, "context-qsh")) == "jwt_qsh");
      CHECK(call("JWT " + connect_token("tenant-a", "GET", "/app/other")) == "jwt_qsh");
      CHECK(call("JWT " + connect_token("tenant-a", rc.method == "GET" ? "POST" : "GET", rc.target)) == "jwt_qsh");
    }
    // Uninstalled tenant: only lifecycle routes still verify.
    CHECK(call("JWT " + connect_token("tenant-gone", rc.method, rc.target, 120, good_qsh)) ==
          (rc.route == route_auth::lifecycle ? "ok" : "jwt_tenant_uninstalled"));
    // A Forge token on a Connect-only route; a Forge token is fine on api routes.
    CHECK(call("Bearer " + fit(fit_claims())) == (api ? "ok" : "jwt_token_kind"));
    // Both places.
    std::string tok = connect_token("tenant-a", rc.method, rc.target, 120, good_qsh);
    std::string sep = rc.target.find('?') == std::string::npos ? "?" : "&";
    CHECK(code(run(rc.route, rc.method, rc.target + sep + "jwt=" + tok, "JWT " + tok)) == "jwt_both_places");
    // Query tokens only on pages.
    CHECK(code(run(rc.route, rc.method, rc.target + sep + "jwt=" + tok, "")) ==
          (rc.route == route_auth::page ? "ok" : "jwt_place"));
  }
}

TEST_CASE("policy: signed install negative matrix") {
  const std::string t = "/app/lifecycle/installed";
  auto call = [&](std::string authz, std::string_view client_key = "tenant-new", const auth_config& cfg = config()) {
    return code(run(route_auth::install, "POST", t, std::move(authz), client_key, cfg));
  };
  auto signed_install = [&](const boost::json::object& c, const rsa_key& k = install_key(), std::string_view kid = "install-kid-1") {
    return "JWT " + sign_rs256(c, k, kid);
  };
  CHECK(call(signed_install(install_claims(t))) == "ok");
  CHECK(call("") == "jwt_missing");
  CHECK(call("JWT " + unsigned_token(R"({"alg":"none","kid":"install-kid-1"})", install_claims(t))) == "jwt_alg");
  // HS256 installs (including one keyed with the public key PEM, and the scanner's fake secret) are refused.
  CHECK(call("JWT " + sign_hs256(install_claims(t), install_key().public_pem())) == "jwt_alg");
  CHECK(call("JWT " + sign_hs256(install_claims(t), "fake-jwt-secret")) == "jwt_alg");
  // Signed by someone else's key under the right kid.
  CHECK(call(signed_install(install_claims(t), rogue_key())) == "jwt_signature");
  // kid rules.
  CHECK(call(signed_install(install_claims(t), install_key(), "")) == "jwt_unknown_kid");
  CHECK(call(signed_install(install_claims(t), install_key(), "../evil")) == "jwt_unknown_kid");
  CHECK(call(signed_install(install_claims(t), install_key(), "other-kid")) == "jwt_unknown_kid");
  CHECK(call(signed_install(install_claims(t), install_key(), "down")) == "key_server_unavailable");
  {
    auto r = run(route_auth::install, "POST", t, signed_install(install_claims(t), install_key(), "down"), "tenant-new");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == errc::unavailable);
  }
  // iss must equal the body clientKey.
  CHECK(call(signed_install(install_claims(t)), "tenant-other") == "jwt_issuer_mismatch");
  CHECK(call(signed_install(install_claims(t)), "") == "jwt_issuer_mismatch");
  // aud.
  auto c = install_claims(t);
  c["aud"] = "https://evil.example/app";
  CHECK(call(signed_install(c)) == "jwt_audience");
  c.erase("aud");
  CHECK(call(signed_install(c)) == "jwt_audience");
  // exp.
  c = install_claims(t);
  c["exp"] = now_s - 60;
  CHECK(call(signed_install(c)) == "jwt_expired");
  // qsh: context-qsh and a qsh of another path are refused.
  c = install_claims(t);
  c["qsh"] = "context-qsh";
  CHECK(call(signed_install(c)) == "jwt_qsh");
  c["qsh"] = compute_qsh("POST", "/app/lifecycle/uninstalled", base_url);
  CHECK(call(signed_install(c)) == "jwt_qsh");
  // Forge token on the install route; ?jwt= on the install route.
  CHECK(call("Bearer " + fit(fit_claims())) == "jwt_token_kind");
  CHECK(code(run(route_auth::install, "POST", t + "?jwt=" + sign_rs256(install_claims(t), install_key(), "install-kid-1"),
                 "", "tenant-new")) == "jwt_place");
}

TEST_CASE("policy: Forge invocation token negative matrix") {
  auto call = [&](std::string authz, route_auth route = route_auth::forge, const auth_config& cfg = config()) {
    return code(run(route, "POST", "/app/api/forge/events", std::move(authz), {}, cfg));
  };
  CHECK(call("Bearer " + fit(fit_claims())) == "ok");
  CHECK(call("") == "jwt_missing");
  // A Connect token on a forge route.
  CHECK(call("JWT " + connect_token("tenant-a", "POST", "/app/api/forge/events")) == "jwt_token_kind");
  CHECK(call("Bearer " + connect_token("tenant-a", "POST", "/app/api/forge/events")) == "jwt_alg");
  CHECK(call("Bearer " + unsigned_token(R"({"alg":"none","kid":"forge-kid-1"})", fit_claims())) == "jwt_alg");
  CHECK(call("Bearer " + sign_hs256(fit_claims(), forge_key().public_pem())) == "jwt_alg");
  CHECK(call("Bearer " + fit(fit_claims(), rogue_key())) == "jwt_signature");
  CHECK(call("Bearer " + fit(fit_claims(), forge_key(), "unknown-kid")) == "jwt_unknown_kid");
  CHECK(call("Bearer " + fit(fit_claims(), forge_key(), "")) == "jwt_unknown_kid");
  CHECK(call("Bearer " + fit(fit_claims(), forge_key(), "down")) == "key_server_unavailable");
  auto with = [&](std::string_view name, boost::json::value v) {
    auto c = fit_claims();
    c[name] = std::move(v);
    return "Bearer " + fit(c);
  };
  auto without = [&](std::string_view name) {
    auto c = fit_claims();
    c.erase(name);
    return "Bearer " + fit(c);
  };
  CHECK(call(with("iss", "forge/other")) == "jwt_unknown_issuer");
  CHECK(call(with("aud", "ari:cloud:ecosystem::app/9999")) == "jwt_audience");
  CHECK(call(with("aud", boost::json::array{app_ari})) == "ok");
  CHECK(call(with("exp", now_s - 60)) == "jwt_expired");
  CHECK(call(with("nbf", now_s + 60)) == "jwt_not_yet_valid");
  CHECK(call(without("nbf")) == "jwt_claims");
  CHECK(call(without("iat")) == "jwt_claims");
  CHECK(call(without("jti")) == "jwt_claims");
  CHECK(call(without("app")) == "jwt_claims");
  // Forge not configured: FITs refused everywhere.
  auto no_forge = config();
  no_forge.forge_app_id.clear();
  CHECK(call("Bearer " + fit(fit_claims()), route_auth::forge, no_forge) == "jwt_token_kind");
  CHECK(call("Bearer " + fit(fit_claims()), route_auth::api, no_forge) == "jwt_token_kind");
}

TEST_CASE("policy: disabled without token is distinguishable, leeway clamp, helpers") {
  auto r = run(route_auth::lifecycle, "POST", "/app/lifecycle/disabled", "");
  REQUIRE_FALSE(r.ok());
  CHECK(is_missing_token(r.error()));
  CHECK(r.error().code == errc::unauthorized);
  auto r2 = run(route_auth::lifecycle, "POST", "/app/lifecycle/disabled", "JWT x.y.z");
  REQUIRE_FALSE(r2.ok());
  CHECK_FALSE(is_missing_token(r2.error()));

  auto lax = config();
  lax.leeway = std::chrono::seconds(3600);  // clamped to 30 s
  const std::string t = "/app/webhooks/jira";
  CHECK(code(run(route_auth::webhook, "POST", t, "JWT " + connect_token("tenant-a", "POST", t, -29), {}, lax)) == "ok");
  CHECK(code(run(route_auth::webhook, "POST", t, "JWT " + connect_token("tenant-a", "POST", t, -31), {}, lax)) == "jwt_expired");

  CHECK(forge_audience("abc") == "ari:cloud:ecosystem::app/abc");
  CHECK(forge_audience(app_ari) == app_ari);
  CHECK(valid_install_kid("0f3a-b_C.9"));
  CHECK_FALSE(valid_install_kid(".."));
  CHECK_FALSE(valid_install_kid("a/b"));
  CHECK_FALSE(valid_install_kid("a%2Fb"));
  CHECK_FALSE(valid_install_kid(std::string(129, 'a')));
}
