// libFuzzer target: JWT decoding, signature/time/claim checks and the per-route policy on arbitrary tokens.
#include "auth/jwt.hpp"
#include "auth/policy.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

const doppel::auth::auth_config& config() {
  static const doppel::auth::auth_config cfg = [] {
    doppel::auth::auth_config c;
    c.base_url = "https://doppel.example/app";
    c.forge_app_id = "ari:cloud:ecosystem::app/fuzz";
    c.clock = [] { return std::chrono::system_clock::time_point(std::chrono::seconds(1'400'000'000)); };
    c.tenants = [](std::string_view) -> std::optional<doppel::auth::tenant_key> {
      return doppel::auth::tenant_key{"fuzz-secret", doppel::auth::tenant_state::active};
    };
    auto no_key = [](std::string_view) -> doppel::result<doppel::auth::rsa_key> {
      return doppel::auth::jwt_error("jwt_unknown_kid", "fuzz");
    };
    c.install_keys = no_key;
    c.forge_keys = no_key;
    return c;
  }();
  return cfg;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto token = doppel::auth::decode_jwt(input);
  if (token) {
    (void)doppel::auth::verify_hs256(*token, "fuzz-secret");
    (void)doppel::auth::check_times(token->claims, std::chrono::system_clock::time_point{}, {});
    (void)doppel::auth::claim_string(token->claims, "iss");
    (void)doppel::auth::audience_contains(token->claims, "https://doppel.example/app");
    // Every decoded token has a header alg and the signing input is the token's prefix.
    if (!token->header.contains("alg")) __builtin_trap();
    if (input.substr(0, token->signing_input.size()) != token->signing_input) __builtin_trap();
  }
  using doppel::auth::route_auth;
  const std::string header = "JWT " + std::string(input);
  for (auto route : {route_auth::webhook, route_auth::page, route_auth::api, route_auth::install}) {
    doppel::auth::request_facts facts{"POST", "/app/webhooks/jira?x=1", header, route, "client"};
    auto r = doppel::auth::authenticate(facts, config());
    // No signing key is known for anything but HS256 "fuzz-secret"; an accepted token must be HS256.
    if (r && (route == route_auth::install || !token || token->alg != "HS256")) __builtin_trap();
  }
  const std::string query_target = "/app/pages/panel?jwt=" + std::string(input);
  doppel::auth::request_facts query_facts{"GET", query_target, "", route_auth::page, {}};
  (void)doppel::auth::authenticate(query_facts, config());
  return 0;
}
