// tenant_cache: snapshots kept only while LISTEN is active, forgotten on change and on resync, never refilled by a
// read that raced with a forget, never kept for an unknown tenant, and at most ttl old.
#include "service/tenant_cache.hpp"

#include "unit/fake_clock.hpp"

#include <doctest/doctest.h>

#include <functional>

using namespace doppel;
using namespace std::chrono_literals;

namespace {

using test::fake_clock;

// A loader that counts its reads and returns a tenant whose settings carry `threshold`.
struct loader {
  int reads = 0;
  double threshold = 0.5;
  bool exists = true;
  service::tenant_snapshot operator()() {
    ++reads;
    service::tenant_snapshot s;
    if (exists) s.row = store::tenant_record{"site-1", "connect", "https://a.atlassian.net"};
    s.settings.threshold = threshold;
    return s;
  }
};

// What every case starts from: a cache of 60 s and 100 entries on a fake clock, not yet listening, and its loader.
struct cache_fixture {
  fake_clock t;
  service::tenant_cache cache{60s, 100, t.fn()};
  loader db;
  std::function<service::tenant_snapshot()> load = [this] { return db(); };
};

}  // namespace

TEST_CASE_FIXTURE(cache_fixture, "tenant cache: keeps nothing until the listener reports LISTEN active, then serves from memory") {
  CHECK(cache.get("site-1", load)->settings.threshold == 0.5);
  CHECK(cache.get("site-1", load)->row->base_url == "https://a.atlassian.net");
  CHECK(db.reads == 2);  // not listening: every call reads
  cache.resync(true);
  cache.get("site-1", load);
  cache.get("site-1", load);
  cache.get("site-1", load);
  CHECK(db.reads == 3);
  CHECK(cache.size() == 1);
}

TEST_CASE_FIXTURE(cache_fixture, "tenant cache: a change (forget) is read afresh, other tenants stay") {
  cache.resync(true);
  cache.get("site-1", load);
  cache.get("site-2", load);
  db.threshold = 0.9;
  cache.forget("site-1");
  CHECK(cache.get("site-1", load)->settings.threshold == 0.9);
  CHECK(cache.get("site-2", load)->settings.threshold == 0.5);
  CHECK(db.reads == 3);
}

TEST_CASE_FIXTURE(cache_fixture, "tenant cache: a lost listener forgets everything and keeps nothing until it listens again") {
  cache.resync(true);
  cache.get("site-1", load);
  cache.resync(false);  // connection lost: notifications may be missed from here on
  CHECK(cache.size() == 0);
  db.threshold = 0.7;  // changed while nobody listened
  CHECK(cache.get("site-1", load)->settings.threshold == 0.7);
  CHECK(cache.size() == 0);
  cache.resync(true);  // LISTEN active again
  cache.get("site-1", load);
  cache.get("site-1", load);
  CHECK(db.reads == 3);
}

TEST_CASE_FIXTURE(cache_fixture, "tenant cache: a read that started before a forget does not keep its (maybe old) row") {
  cache.resync(true);
  // The change commits and is announced while this read is under way.
  auto racing = [&] {
    auto s = db();
    cache.forget("site-1");
    return s;
  };
  CHECK(cache.get("site-1", racing)->settings.threshold == 0.5);  // answered, but not kept
  CHECK(cache.size() == 0);
  cache.get("site-1", load);
  CHECK(cache.size() == 1);
}

TEST_CASE_FIXTURE(cache_fixture, "tenant cache: an unknown tenant is not kept (its install is an insert nobody announces)") {
  cache.resync(true);
  db.exists = false;
  CHECK_FALSE(cache.get("site-1", load)->row.has_value());
  db.exists = true;
  CHECK(cache.get("site-1", load)->row.has_value());
  CHECK(db.reads == 2);
}

TEST_CASE_FIXTURE(cache_fixture, "tenant cache: an entry is at most ttl old") {
  cache.resync(true);
  cache.get("site-1", load);
  t.now += 59s;
  cache.get("site-1", load);
  CHECK(db.reads == 1);
  t.now += 1s;
  cache.get("site-1", load);
  CHECK(db.reads == 2);
}
