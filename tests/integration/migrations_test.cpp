// Migrations: applied once, recorded, idempotent, and safe when several replicas start at the same time.
#include "integration/test_db.hpp"
#include "store/migrations.hpp"

#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include <thread>
#include <vector>

using namespace doppel;

namespace {
std::vector<store::migration> repo_migrations() {
  return store::load_migrations(std::string(DOPPEL_SOURCE_DIR) + "/migrations");
}
}  // namespace

TEST_CASE("migrations apply in order and a second run applies nothing") {
  auto url = test::empty_database_url();
  auto all = repo_migrations();
  REQUIRE(all.size() >= 2);
  for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i - 1].version < all[i].version);
  pqxx::connection c(url);
  CHECK(store::pending_migrations(c, all).size() == all.size());
  auto first = store::apply_migrations(c, all);
  CHECK(first.size() == all.size());
  CHECK(store::pending_migrations(c, all).empty());
  auto second = store::apply_migrations(c, all);
  CHECK(second.empty());
  pqxx::nontransaction tx(c);
  CHECK(tx.exec1("SELECT count(*) FROM schema_migrations")[0].as<std::size_t>() == all.size());
}

TEST_CASE("four replicas migrating the same database at once: no error, each migration applied exactly once") {
  auto url = test::empty_database_url();
  auto all = repo_migrations();
  std::vector<std::thread> threads;
  std::vector<std::size_t> applied(4, 0);
  std::vector<std::string> errors(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      try {
        pqxx::connection c(url);
        applied[i] = store::apply_migrations(c, all).size();
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  std::size_t total = 0;
  for (int i = 0; i < 4; ++i) {
    CHECK_MESSAGE(errors[i].empty(), errors[i]);
    total += applied[i];
  }
  CHECK(total == all.size());
}

TEST_CASE("a failing migration rolls back entirely and is not recorded") {
  auto url = test::empty_database_url();
  std::vector<store::migration> bad{{"0001_ok", "CREATE TABLE t_ok (x int)"},
                                    {"0002_bad", "CREATE TABLE t_half (x int); SELECT no_such_function()"}};
  pqxx::connection c(url);
  CHECK_THROWS(store::apply_migrations(c, bad));
  pqxx::nontransaction tx(c);
  CHECK(tx.exec1("SELECT to_regclass('t_ok') IS NOT NULL")[0].as<bool>());
  CHECK_FALSE(tx.exec1("SELECT to_regclass('t_half') IS NOT NULL")[0].as<bool>());
  CHECK(tx.exec1("SELECT count(*) FROM schema_migrations")[0].as<int>() == 1);
}
