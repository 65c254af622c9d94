// Tenant rows and settings kept in memory (service/tenant_cache) against a real PostgreSQL: two replicas, each with
// its own listener; a change written on one is read afresh on the other at its NOTIFY, and a listener that lost its
// connection resyncs so that a change it never heard of is not served from memory.
#include "integration/test_db.hpp"
#include "service/settings.hpp"
#include "service/tenant_cache.hpp"
#include "store/database.hpp"
#include "store/index_cache.hpp"
#include "store/index_listener.hpp"
#include "store/tenant_store.hpp"

#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

using namespace doppel;
using namespace std::chrono_literals;

namespace {

// Polls until pred() holds (NOTIFY is asynchronous); false after 10 s.
bool eventually(const std::function<bool()>& pred) {
  for (auto until = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < until;) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

// One replica's tenant cache, wired to its own listener the way `serve` wires it; counts its reads.
struct replica {
  std::string url;
  service::tenant_cache cache;
  std::atomic<int> reads{0}, listening{0};
  store::index_cache index{[](const std::string&, std::int64_t&) { return core::search_index(core::model_options{}); }};
  store::index_listener listener{url, index,
                                 store::tenant_change_handlers{[this](const std::string& id) { cache.forget(id); },
                                                               [this](bool on) {
                                                                 cache.resync(on);
                                                                 if (on) ++listening;
                                                               }}};
  explicit replica(std::string u) : url(std::move(u)) {
    listener.start();
    REQUIRE(eventually([&] { return listening.load() > 0; }));
  }
  std::shared_ptr<const service::tenant_snapshot> get(const std::string& tenant_id) {
    return cache.get(tenant_id, [&] {
      ++reads;
      pqxx::connection c(url);
      pqxx::nontransaction tx(c);
      return service::tenant_snapshot{store::find_tenant(tx, tenant_id), service::load_settings(tx, tenant_id)};
    });
  }
};

void write(const std::string& url, const std::function<void(store::write_tx&)>& fn) {
  pqxx::connection c(url);
  store::write_tx tx(c);
  fn(tx);
  tx.commit();
}

service::tenant_settings with_threshold(double t) {
  service::tenant_settings s;
  s.threshold = t;
  s.rescan_schedule = "off";
  return s;
}

}  // namespace

TEST_CASE("tenant cache: a change written on one replica is read afresh on the other at its NOTIFY") {
  const auto url = test::fresh_database_url();
  write(url, [](store::write_tx& tx) {
    tx.exec0("INSERT INTO tenants (tenant_id, kind, base_url, state) VALUES ('site-1', 'connect', 'https://a.example', 'enabled')");
    tx.exec0("INSERT INTO tenants (tenant_id, kind, base_url, state) VALUES ('forge-1', 'forge', 'https://api.example', 'enabled')");
  });
  replica a(url), b(url);
  CHECK(b.get("site-1")->settings.threshold == service::tenant_settings{}.threshold);
  b.get("site-1");
  CHECK(b.reads == 1);  // kept

  // Settings saved on replica a (store::write_settings announces them).
  write(url, [](store::write_tx& tx) { service::save_settings(tx, "site-1", with_threshold(0.91)); });
  CHECK(eventually([&] { return b.get("site-1")->settings.threshold == 0.91; }));
  const int after_settings = b.reads;
  b.get("site-1");
  CHECK(b.reads == after_settings);  // kept again

  // A state change (migration 0006's trigger), a Forge system token and a Forge base URL change (store writes).
  write(url, [](store::write_tx& tx) { store::set_tenant_state(tx, "site-1", "disabled"); });
  CHECK(eventually([&] { return b.get("site-1")->row->state == "disabled"; }));
  CHECK(b.get("forge-1")->row->system_token_box.empty());
  write(url, [](store::write_tx& tx) { store::save_system_token(tx, "forge-1", "sealed-token", std::nullopt, true); });
  CHECK(eventually([&] { return b.get("forge-1")->row->system_token_box == "sealed-token"; }));
  write(url, [](store::write_tx& tx) { store::upsert_forge_install(tx, "forge-1", "https://api2.example", "", "", /*reinstall=*/false); });
  CHECK(eventually([&] { return b.get("forge-1")->row->base_url == "https://api2.example"; }));

  // A Forge event that changes nothing announces nothing: the kept row stays.
  b.get("forge-1");
  const int before_same = b.reads;
  write(url, [](store::write_tx& tx) { store::upsert_forge_install(tx, "forge-1", "https://api2.example", "", "", /*reinstall=*/false); });
  write(url, [](store::write_tx& tx) { service::save_settings(tx, "site-1", with_threshold(0.92)); });
  CHECK(eventually([&] { return b.get("site-1")->settings.threshold == 0.92; }));  // the later NOTIFY has arrived
  b.get("forge-1");
  CHECK(b.reads == before_same + 1);  // only site-1 was read again
}

TEST_CASE("tenant cache: a listener that lost its connection resyncs, so a change it never heard of is read afresh") {
  const auto url = test::fresh_database_url();
  write(url, [](store::write_tx& tx) {
    tx.exec0("INSERT INTO tenants (tenant_id, kind, base_url, state) VALUES ('site-1', 'connect', 'https://a.example', 'enabled')");
  });
  replica b(url);
  b.get("site-1");
  b.get("site-1");
  CHECK(b.reads == 1);
  // The listening connection is cut, and a change is made that announces nothing (as if its NOTIFY were missed).
  write(url, [](store::write_tx& tx) {
    tx.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
             " AND query LIKE 'LISTEN%'");
    tx.exec0("INSERT INTO tenant_settings (tenant_id, settings) VALUES ('site-1', '{\"threshold\": 0.33}')");
  });
  CHECK(eventually([&] { return b.listening.load() >= 2; }));  // reconnected and listening again
  CHECK(b.get("site-1")->settings.threshold == 0.33);
  b.get("site-1");
  CHECK(b.reads == 2);
}
