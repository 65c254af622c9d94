// admin_cache: answers remembered for the ttl (positive and negative), per tenant and account, bounded size.
#include "service/admin_cache.hpp"

#include "unit/fake_clock.hpp"

#include <doctest/doctest.h>

#include <thread>
#include <vector>

using namespace doppel;
using namespace std::chrono_literals;

using test::fake_clock;

TEST_CASE("admin cache: remembers yes and no for 60 s, then forgets") {
  fake_clock t;
  service::admin_cache cache(60s, 100, t.fn());
  CHECK_FALSE(cache.get("t1", "a").has_value());
  cache.put("t1", "a", true);
  cache.put("t1", "b", false);
  CHECK(cache.get("t1", "a") == std::optional<bool>(true));
  CHECK(cache.get("t1", "b") == std::optional<bool>(false));
  t.now += 59s;
  CHECK(cache.get("t1", "a") == std::optional<bool>(true));
  t.now += 1s;
  CHECK_FALSE(cache.get("t1", "a").has_value());
  CHECK_FALSE(cache.get("t1", "b").has_value());
  // A fresh answer replaces the old one.
  cache.put("t1", "a", false);
  CHECK(cache.get("t1", "a") == std::optional<bool>(false));
}

TEST_CASE("admin cache: keyed by tenant and account, no key collisions, forget a tenant") {
  fake_clock t;
  service::admin_cache cache(60s, 100, t.fn());
  cache.put("t1", "a", true);
  CHECK_FALSE(cache.get("t2", "a").has_value());
  CHECK_FALSE(cache.get("t1", "b").has_value());
  cache.put("t", "1a", false);  // "t"+"1a" must not meet "t1"+"a"
  CHECK(cache.get("t1", "a") == std::optional<bool>(true));
  CHECK(cache.get("t", "1a") == std::optional<bool>(false));
  cache.put("t2", "a", true);
  cache.forget_tenant("t1");
  CHECK_FALSE(cache.get("t1", "a").has_value());
  CHECK(cache.get("t2", "a") == std::optional<bool>(true));
  CHECK(cache.get("t", "1a") == std::optional<bool>(false));
}

TEST_CASE("admin cache: bounded, expired entries are dropped first") {
  fake_clock t;
  service::admin_cache cache(60s, 3, t.fn());
  cache.put("t", "old", true);
  t.now += 61s;
  cache.put("t", "a", true);
  cache.put("t", "b", true);
  cache.put("t", "c", true);  // full: the expired entry goes
  CHECK(cache.size() == 3);
  CHECK(cache.get("t", "a").has_value());
  CHECK(cache.get("t", "c").has_value());
  cache.put("t", "d", true);  // full of live entries: start over
  CHECK(cache.size() <= 3);
  CHECK(cache.get("t", "d") == std::optional<bool>(true));
}

TEST_CASE("admin cache: concurrent readers and writers") {
  service::admin_cache cache(60s, 1000);
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w)
    threads.emplace_back([&cache, w] {
      for (int i = 0; i < 2000; ++i) {
        auto account = "acc" + std::to_string(i % 50);
        cache.put("t" + std::to_string(w), account, i % 2 == 0);
        auto v = cache.get("t" + std::to_string(w), account);
        CHECK(v.has_value());
      }
    });
  for (auto& th : threads) th.join();
  CHECK(cache.size() == 200);
}
