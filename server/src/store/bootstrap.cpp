// Database bootstrap: embedded or external PostgreSQL, migrations with connection retry.
#include "store/bootstrap.hpp"

#include "store/migrations.hpp"
#include "util/log.hpp"

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace doppel::store {

database_handle open_database(const std::optional<std::string>& database_url, const std::string& data_dir) {
  database_handle h;
  if (database_url) {
    h.conninfo = *database_url;
  } else {
    h.embedded = store::embedded_postgres::start(data_dir);
    h.conninfo = h.embedded->conninfo();
  }
  return h;
}

void migrate_database(const std::string& conninfo, const std::string& migrations_dir, std::chrono::seconds wait) {
  auto all = store::load_migrations(migrations_dir);
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    try {
      pqxx::connection conn(conninfo);
      auto applied = store::apply_migrations(conn, all);
      boost::json::array versions;
      for (const auto& v : applied) versions.emplace_back(v);
      log::info("migrations current", {{"applied_now", versions}, {"total", all.size()}});
      return;
    } catch (const pqxx::broken_connection& e) {
      if (std::chrono::steady_clock::now() >= deadline) throw std::runtime_error("database unreachable");
      log::warn("database not reachable yet; retrying");
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
}

}  // namespace doppel::store
