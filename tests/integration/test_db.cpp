// Fresh-database helper for integration tests.
#include "integration/test_db.hpp"

#include "store/migrations.hpp"

#include <pqxx/pqxx>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <unistd.h>

namespace doppel::test {
namespace {

std::string with_database(const std::string& admin_url, const std::string& db) {
  // postgresql://user@host:port/dbname[?params] → replace the dbname segment.
  auto scheme_end = admin_url.find("://");
  auto slash = admin_url.find('/', scheme_end + 3);
  auto query = admin_url.find('?', scheme_end + 3);
  std::string base = admin_url.substr(0, slash == std::string::npos ? query : slash);
  std::string params = query == std::string::npos ? "" : admin_url.substr(query);
  return base + "/" + db + params;
}

std::string new_name() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return "doppel_t_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(rd() % 100000);
}

}  // namespace

std::string admin_database_url() {
  const char* url = std::getenv("DOPPEL_TEST_DATABASE_URL");
  if (!url || !*url)
    throw std::runtime_error("DOPPEL_TEST_DATABASE_URL is not set: run the suite with deploy/test.sh");
  return url;
}

std::string empty_database_url() {
  auto admin = admin_database_url();
  auto name = new_name();
  pqxx::connection c(admin);
  pqxx::nontransaction tx(c);
  tx.exec0("CREATE DATABASE " + tx.quote_name(name));
  return with_database(admin, name);
}

std::string fresh_database_url() {
  auto url = empty_database_url();
  pqxx::connection c(url);
  store::apply_migrations(c, store::load_migrations(std::string(DOPPEL_SOURCE_DIR) + "/migrations"));
  return url;
}

}  // namespace doppel::test
