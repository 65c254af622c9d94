// Key providers against a loopback key server: caching by kid, negative cache, JWKS refetch interval,
// unavailability mapping, and end-to-end use through the auth policy.
#include "auth/policy.hpp"
#include "auth/qsh.hpp"
#include "jira/key_providers.hpp"
#include "unit/jira/loopback_server.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <atomic>

using namespace doppel;
using namespace doppel::jira;

namespace {

const auth::rsa_key& signing_key() { static const auth::rsa_key k = auth::rsa_key::generate(2048); return k; }

struct manual_clock {
  std::shared_ptr<std::atomic<std::int64_t>> now = std::make_shared<std::atomic<std::int64_t>>(1'800'000'000);
  clock_fn fn() const {
    return [n = now] { return std::chrono::system_clock::time_point(std::chrono::seconds(n->load())); };
  }
  void advance(std::int64_t s) { *now += s; }
};

std::string target_path(const test::server_request& r) { return std::string(r.target()); }

}  // namespace

TEST_CASE("install_key_provider: fetches PEM by kid, caches, remembers unknown kids, maps failures") {
  std::atomic<int> status{200};
  test::loopback_server server([&](const test::server_request& req) {
    if (req.target() == "/keys/kid-1") return test::text_response(unsigned(status.load()), signing_key().public_pem());
    if (req.target() == "/keys/not-a-key") return test::text_response(200, "hello");
    return test::text_response(404, "no");
  });
  manual_clock clock;
  auto client = std::make_shared<http_client>(key_server_client_options());
  CHECK(client->options().request_timeout == std::chrono::milliseconds(5000));
  auto provider = std::make_shared<install_key_provider>(client, server.url("/keys/"), clock.fn());

  auto k = provider->get("kid-1");
  REQUIRE(k.ok());
  CHECK(k->public_pem() == signing_key().public_pem());
  CHECK(provider->get("kid-1").ok());
  CHECK(server.request_count() == 1);  // cached
  CHECK(target_path(server.requests()[0]) == "/keys/kid-1");

  CHECK(provider->get("kid-2").error().stable_code == "jwt_unknown_kid");
  CHECK(provider->get("kid-2").error().stable_code == "jwt_unknown_kid");
  CHECK(server.request_count() == 2);  // negative cache
  clock.advance(301);
  CHECK(provider->get("kid-2").error().stable_code == "jwt_unknown_kid");
  CHECK(server.request_count() == 3);  // negative entry expired

  // kid charset is checked before any request is made.
  for (std::string_view bad : {"../admin", "a/b", "a%2Fb", "", "a b", "?x"}) CHECK(provider->get(bad).error().stable_code == "jwt_unknown_kid");
  CHECK(server.request_count() == 3);

  CHECK(provider->get("not-a-key").error().stable_code == "jwt_unknown_kid");

  auto fresh = std::make_shared<install_key_provider>(client, server.url("/keys"), clock.fn());
  status = 500;
  auto down = fresh->get("kid-1");
  REQUIRE_FALSE(down.ok());
  CHECK(down.error().stable_code == "key_server_unavailable");
  CHECK(down.error().code == errc::unavailable);
  server.stop();
  CHECK(fresh->get("kid-1").error().code == errc::unavailable);  // connection refused
  CHECK(provider->get("kid-1").ok());                           // still cached
}

TEST_CASE("forge_jwks_provider: refetch on unknown kid, at most once per interval, rotation") {
  std::atomic<int> version{1};
  auto key_a = auth::rsa_key::generate(2048);
  test::loopback_server server([&](const test::server_request&) {
    boost::json::array keys;
    keys.push_back(signing_key().public_jwk("kid-a"));
    if (version >= 2) keys.push_back(key_a.public_jwk("kid-b"));
    keys.push_back(boost::json::object{{"kid", "ec-key"}, {"kty", "EC"}});
    return test::text_response(200, boost::json::serialize(boost::json::object{{"keys", keys}}), "application/json");
  });
  manual_clock clock;
  auto provider = std::make_shared<forge_jwks_provider>(std::make_shared<http_client>(), server.url("/.well-known/jwks.json"),
                                                        clock.fn(), std::chrono::seconds(60));
  CHECK(provider->get("kid-a").ok());
  CHECK(provider->fetch_count() == 1);
  CHECK(provider->get("kid-a").ok());
  CHECK(provider->fetch_count() == 1);
  CHECK(provider->get("kid-b").error().stable_code == "jwt_unknown_kid");  // within the interval: no refetch
  CHECK(provider->get("ec-key").error().stable_code == "jwt_unknown_kid");
  CHECK(provider->fetch_count() == 1);
  version = 2;
  CHECK(provider->get("kid-b").error().stable_code == "jwt_unknown_kid");
  clock.advance(61);
  auto b = provider->get("kid-b");
  REQUIRE(b.ok());
  CHECK(b->public_pem() == key_a.public_pem());
  CHECK(provider->fetch_count() == 2);
  server.stop();
  clock.advance(61);
  CHECK(provider->get("kid-a").ok());  // cached keys keep working while the JWKS host is down
  auto gone = provider->get("kid-zzz");
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().stable_code == "key_server_unavailable");
}

TEST_CASE("key providers plug into the policy: signed install verified with a fetched key") {
  test::loopback_server server([&](const test::server_request& req) {
    if (req.target() == "/kid-7") return test::text_response(200, signing_key().public_pem());
    return test::text_response(404, "");
  });
  manual_clock clock;
  auth::auth_config cfg;
  cfg.base_url = "https://doppel.example";
  cfg.clock = clock.fn();
  cfg.install_keys = as_key_provider(std::make_shared<install_key_provider>(std::make_shared<http_client>(), server.url(""), clock.fn()));
  const std::int64_t now = 1'800'000'000;
  boost::json::object claims{{"iss", "client-9"}, {"aud", "https://doppel.example/"}, {"iat", now}, {"exp", now + 180},
                             {"qsh", auth::compute_qsh("POST", "/lifecycle/installed", cfg.base_url)}};
  std::string authz = "JWT " + auth::sign_rs256(claims, signing_key(), "kid-7");
  auto r = auth::authenticate({"POST", "/lifecycle/installed", authz, auth::route_auth::install, "client-9"}, cfg);
  REQUIRE(r.ok());
  CHECK(r->tenant_id == "client-9");
  std::string other = "JWT " + auth::sign_rs256(claims, signing_key(), "kid-8");
  CHECK(auth::authenticate({"POST", "/lifecycle/installed", other, auth::route_auth::install, "client-9"}, cfg)
            .error().stable_code == "jwt_unknown_kid");
}

TEST_CASE("install_key_provider: a flood of made-up kids is bounded by the fetch bucket, the negative cache ages out oldest-first") {
  test::loopback_server server([&](const test::server_request& req) {
    if (req.target() == "/kid-good") return test::text_response(200, signing_key().public_pem());
    return test::text_response(404, "no");
  });
  manual_clock clock;
  install_key_limits limits;
  limits.burst = 5;
  limits.refill_interval = std::chrono::milliseconds(2000);
  limits.negative_ttl = std::chrono::seconds(300);
  limits.max_unknown = 8;
  auto provider = std::make_shared<install_key_provider>(std::make_shared<http_client>(), server.url(""), clock.fn(), limits);

  // 200 random kids at one instant: only the 5-token burst reaches the key server.
  int throttled = 0, unknown = 0;
  for (int i = 0; i < 200; ++i) {
    auto r = provider->get("flood-" + std::to_string(i));
    REQUIRE_FALSE(r.ok());
    if (r.error().stable_code == "key_fetch_throttled") {
      ++throttled;
      CHECK(r.error().code == errc::unavailable);
    }
    if (r.error().stable_code == "jwt_unknown_kid") ++unknown;
  }
  CHECK(unknown == 5);
  CHECK(throttled == 195);
  CHECK(server.request_count() == 5);
  CHECK(provider->fetch_count() == 5);

  // One token per 2 s afterwards: 10 s of flood buys 5 more fetches.
  for (int s = 0; s < 10; ++s) {
    clock.advance(1);
    for (int i = 0; i < 20; ++i) (void)provider->get("later-" + std::to_string(s) + "-" + std::to_string(i));
  }
  CHECK(server.request_count() == 10);

  // The negative cache holds at most 8 kids, dropping the oldest first (flood-0 went, later ones stay remembered).
  CHECK(provider->unknown_count() == 8);
  clock.advance(10);  // refill: tokens for the checks below
  const auto before = server.request_count();
  auto recent = provider->get("later-9-0");  // among the newest unknown kids: answered from the cache
  CHECK(recent.error().stable_code == "jwt_unknown_kid");
  CHECK(server.request_count() == before);
  auto oldest = provider->get("flood-0");  // evicted: asked again
  CHECK(oldest.error().stable_code == "jwt_unknown_kid");
  CHECK(server.request_count() == before + 1);

  // A real kid still works once tokens are back, and stays cached without drawing tokens.
  CHECK(provider->get("kid-good").ok());
  for (int i = 0; i < 50; ++i) CHECK(provider->get("kid-good").ok());
  CHECK(server.request_count() == before + 2);
}
