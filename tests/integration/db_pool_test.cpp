// db_pool against a real PostgreSQL: warm() opens the whole pool up front (best effort).
#include "integration/test_db.hpp"
#include "store/db_pool.hpp"

#include <doctest/doctest.h>
#include <pqxx/pqxx>

using namespace doppel;

TEST_CASE("db pool: warm opens every connection once, and the pool then serves from them") {
  const auto url = test::fresh_database_url();
  store::db_pool pool(url, 3);
  CHECK(pool.idle() == 0);
  CHECK(pool.warm() == 3);
  CHECK(pool.idle() == 3);
  pqxx::connection probe(url);
  auto backends = [&] {
    pqxx::nontransaction tx(probe);
    return tx.exec1("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")[0]
        .as<long>();
  };
  CHECK(backends() == 3);
  pool.with_connection([](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    CHECK(tx.exec1("SHOW statement_timeout")[0].as<std::string>() == "30s");  // set up like any pooled connection
  });
  CHECK(pool.warm() == 3);  // already full: nothing new opened
  CHECK(backends() == 3);
}

TEST_CASE("db pool: warm against an unreachable database opens nothing and does not throw") {
  store::db_pool pool("postgresql://doppel@127.0.0.1:1/none?connect_timeout=2", 2, std::chrono::milliseconds(200));
  CHECK(pool.warm() == 0);
}
