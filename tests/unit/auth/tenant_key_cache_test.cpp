// tenant_key_cache: opened tenant secrets remembered for the ttl, forgotten on change, never refilled by a read
// that raced with a forget.
#include "auth/tenant_key_cache.hpp"

#include "unit/fake_clock.hpp"

#include <doctest/doctest.h>

using namespace doppel;
using namespace std::chrono_literals;

namespace {

using test::fake_clock;

auth::tenant_key key(const std::string& secret, auth::tenant_state state = auth::tenant_state::active) {
  return {secret, state};
}

}  // namespace

TEST_CASE("tenant key cache: remembers a tenant's secret and state for the ttl") {
  fake_clock t;
  auth::tenant_key_cache cache(30s, 100, t.fn());
  CHECK_FALSE(cache.get("site-1").has_value());
  cache.put("site-1", key("s1"), cache.epoch());
  cache.put("site-2", key("s2", auth::tenant_state::uninstalled), cache.epoch());
  REQUIRE(cache.get("site-1").has_value());
  CHECK(cache.get("site-1")->shared_secret == "s1");
  CHECK(cache.get("site-2")->state == auth::tenant_state::uninstalled);
  t.now += 29s;
  CHECK(cache.get("site-1").has_value());
  t.now += 1s;
  CHECK_FALSE(cache.get("site-1").has_value());
}

TEST_CASE("tenant key cache: forget drops one tenant, clear drops all") {
  fake_clock t;
  auth::tenant_key_cache cache(30s, 100, t.fn());
  cache.put("site-1", key("s1"), cache.epoch());
  cache.put("site-2", key("s2"), cache.epoch());
  cache.forget("site-1");
  CHECK_FALSE(cache.get("site-1").has_value());
  CHECK(cache.get("site-2").has_value());
  cache.clear();
  CHECK_FALSE(cache.get("site-2").has_value());
  CHECK(cache.size() == 0);
}

TEST_CASE("tenant key cache: a read that started before a forget does not store its (maybe old) row") {
  fake_clock t;
  auth::tenant_key_cache cache(30s, 100, t.fn());
  auto before_read = cache.epoch();
  cache.forget("site-1");  // the secret changed while the row was being read
  cache.put("site-1", key("old-secret"), before_read);
  CHECK_FALSE(cache.get("site-1").has_value());
  cache.put("site-1", key("new-secret"), cache.epoch());  // the next read stores
  CHECK(cache.get("site-1")->shared_secret == "new-secret");
  auto racing = cache.epoch();
  cache.clear();  // the listener reconnected
  cache.put("site-2", key("s2"), racing);
  CHECK_FALSE(cache.get("site-2").has_value());
}

TEST_CASE("tenant key cache: bounded size") {
  fake_clock t;
  auth::tenant_key_cache cache(30s, 2, t.fn());
  cache.put("a", key("1"), cache.epoch());
  cache.put("b", key("2"), cache.epoch());
  cache.put("c", key("3"), cache.epoch());
  CHECK(cache.size() <= 2);
  CHECK(cache.get("c").has_value());
}
