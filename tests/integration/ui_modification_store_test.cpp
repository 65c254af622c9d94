// The create-dialog hints' state rows against a real PostgreSQL: lock-or-create, writes, pending marks, and
// migration 0011 queueing a sync for Forge sites installed before it.
#include "integration/test_db.hpp"
#include "store/migrations.hpp"
#include "store/ui_modification_store.hpp"

#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include <string>
#include <vector>

using namespace doppel;

namespace {

void add_tenant(pqxx::connection& c, const std::string& tenant_id, const std::string& kind, const std::string& state) {
  pqxx::work tx(c);
  tx.exec_params0("INSERT INTO tenants (tenant_id, kind, base_url, state) VALUES ($1, $2, 'https://x.example', $3)",
                  tenant_id, kind, state);
  tx.commit();
}

std::string state_of(pqxx::connection& c, const std::string& tenant_id) {
  pqxx::work tx(c);
  auto row = store::read_ui_modification(tx, tenant_id);
  return row ? row->state : "none";
}

}  // namespace

TEST_CASE("ui modification rows: made pending on first lock, written, and only re-marked pending when not active") {
  pqxx::connection c(test::fresh_database_url());
  add_tenant(c, "f1", "forge", "installed");
  CHECK(state_of(c, "f1") == "none");
  {
    pqxx::work tx(c);
    auto row = store::lock_ui_modification(tx, "f1");
    CHECK(row.state == "pending");
    CHECK(row.entity_id.empty());
    CHECK_FALSE(row.synced);
    row.entity_id = "uim-1";
    row.state = "active";
    row.scope = "projects";
    row.projects = 2;
    row.contexts = 2;
    row.synced = true;
    store::write_ui_modification(tx, "f1", row);
    tx.commit();
  }
  {
    pqxx::work tx(c);
    auto row = store::read_ui_modification(tx, "f1");
    REQUIRE(row);
    CHECK(row->entity_id == "uim-1");
    CHECK(row->scope == "projects");
    CHECK(row->projects == 2);
    CHECK(row->contexts == 2);
    CHECK(row->reason.empty());
    CHECK(row->synced);
    store::mark_ui_modification_pending(tx, "f1");  // an active entity stays active while a sync is queued
    tx.commit();
  }
  CHECK(state_of(c, "f1") == "active");
  {
    pqxx::work tx(c);
    auto row = store::lock_ui_modification(tx, "f1");  // the existing row, not a new one
    CHECK(row.entity_id == "uim-1");
    row = {};
    row.state = "removed";
    store::write_ui_modification(tx, "f1", row);
    store::mark_ui_modification_pending(tx, "f1");  // a reinstall
    tx.commit();
  }
  CHECK(state_of(c, "f1") == "pending");
  {
    pqxx::work tx(c);
    CHECK_THROWS(tx.exec0("UPDATE ui_modifications SET state = 'bogus' WHERE tenant_id = 'f1'"));
  }
  {
    pqxx::work tx(c);
    tx.exec0("DELETE FROM tenants WHERE tenant_id = 'f1'");
    tx.commit();
  }
  CHECK(state_of(c, "f1") == "none");  // cascades with the tenant
}

TEST_CASE("migration 0011 queues one sync for each live Forge site, none for Connect or uninstalled sites") {
  const auto url = test::empty_database_url();
  pqxx::connection c(url);
  auto all = store::load_migrations(std::string(DOPPEL_SOURCE_DIR) + "/migrations");
  std::vector<store::migration> before;
  for (const auto& m : all)
    if (m.version < "0011") before.push_back(m);
  REQUIRE(before.size() < all.size());
  store::apply_migrations(c, before);
  add_tenant(c, "forge-live", "forge", "installed");
  add_tenant(c, "forge-gone", "forge", "uninstalled");
  add_tenant(c, "connect-1", "connect", "enabled");
  store::apply_migrations(c, all);
  pqxx::work tx(c);
  auto jobs = tx.exec(
      "SELECT tenant_id, unique_key, state FROM jobs WHERE kind = 'sync_ui_modification' ORDER BY tenant_id");
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0][0].as<std::string>() == "forge-live");
  CHECK(jobs[0][1].as<std::string>() == "uim");
  CHECK(jobs[0][2].as<std::string>() == "queued");
  CHECK(tx.exec1("SELECT count(*) FROM ui_modifications")[0].as<int>() == 1);
  CHECK(store::read_ui_modification(tx, "forge-live")->state == "pending");
}
