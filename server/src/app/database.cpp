// Database bootstrap: embedded or external PostgreSQL, migrations with connection retry, secret key file.
#include "app/database.hpp"

#include "store/migrations.hpp"
#include "util/encoding.hpp"
#include "util/log.hpp"

#include <boost/json.hpp>
#include <openssl/rand.h>
#include <pqxx/pqxx>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace doppel::app {

database_handle open_database(const config& cfg) {
  database_handle h;
  if (cfg.database_url) {
    h.conninfo = *cfg.database_url;
  } else {
    h.embedded = store::embedded_postgres::start(cfg.data_dir);
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

std::string load_or_create_secret_key(const config& cfg) {
  if (cfg.secret_key) return *cfg.secret_key;
  namespace fs = std::filesystem;
  fs::create_directories(cfg.data_dir);
  fs::path p = fs::path(cfg.data_dir) / "secret.key";
  if (fs::exists(p)) {
    std::ifstream in(p);
    std::string hex;
    in >> hex;
    auto raw = hex_decode(hex);
    if (!raw || raw->size() != 32) throw std::runtime_error("corrupt key file " + p.string());
    log::warn("DOPPEL_SECRET_KEY unset: using the development key stored in the data dir");
    return *raw;
  }
  unsigned char key[32];
  if (RAND_bytes(key, sizeof key) != 1) throw std::runtime_error("RAND_bytes failed");
  std::string raw(reinterpret_cast<const char*>(key), sizeof key);
  {
    std::ofstream out(p, std::ios::trunc);
    out << hex_encode(raw) << "\n";
  }
  chmod(p.c_str(), 0600);
  log::warn("DOPPEL_SECRET_KEY unset: generated a development key into the data dir (set it in production)");
  return raw;
}

}  // namespace doppel::app
