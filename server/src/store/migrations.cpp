// Migration runner: session advisory lock → create bookkeeping table → apply each pending file in one transaction.
#include "store/migrations.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace doppel::store {
namespace {

constexpr const char* lock_sql = "SELECT pg_advisory_lock(7243571001)";
constexpr const char* unlock_sql = "SELECT pg_advisory_unlock(7243571001)";

std::set<std::string> applied_versions(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  auto exists = tx.exec1("SELECT to_regclass('public.schema_migrations') IS NOT NULL")[0].as<bool>();
  std::set<std::string> out;
  if (!exists) return out;
  for (const auto& row : tx.exec("SELECT version FROM schema_migrations")) out.insert(row[0].as<std::string>());
  return out;
}

}  // namespace

std::vector<migration> load_migrations(const std::string& dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) throw std::runtime_error("migrations directory not found: " + dir);
  std::vector<migration> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".sql") continue;
    std::ifstream in(entry.path());
    std::stringstream buf;
    buf << in.rdbuf();
    out.push_back({entry.path().stem().string(), buf.str()});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  return out;
}

std::vector<std::string> pending_migrations(pqxx::connection& conn, const std::vector<migration>& all) {
  auto done = applied_versions(conn);
  std::vector<std::string> out;
  for (const auto& m : all)
    if (!done.count(m.version)) out.push_back(m.version);
  return out;
}

std::vector<std::string> apply_migrations(pqxx::connection& conn, const std::vector<migration>& all) {
  std::vector<std::string> applied;
  {
    pqxx::nontransaction tx(conn);
    tx.exec(lock_sql);
  }
  try {
    {
      pqxx::work tx(conn);
      tx.exec0(
          "CREATE TABLE IF NOT EXISTS schema_migrations ("
          " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
      tx.commit();
    }
    auto done = applied_versions(conn);
    for (const auto& m : all) {
      if (done.count(m.version)) continue;
      pqxx::work tx(conn);
      tx.exec0(m.sql);
      tx.exec_params0("INSERT INTO schema_migrations(version) VALUES ($1)", m.version);
      tx.commit();
      applied.push_back(m.version);
    }
  } catch (...) {
    try {
      pqxx::nontransaction tx(conn);
      tx.exec(unlock_sql);
    } catch (...) {
    }
    throw;
  }
  pqxx::nontransaction tx(conn);
  tx.exec(unlock_sql);
  return applied;
}

}  // namespace doppel::store
