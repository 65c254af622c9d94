// Schema migrations: ordered .sql files, each applied in its own transaction under an advisory lock.
#pragma once

#include <pqxx/pqxx>

#include <string>
#include <vector>

namespace doppel::store {

struct migration {
  std::string version;  // file name without ".sql", e.g. "0001_foundation"
  std::string sql;
};

// Reads *.sql from dir, sorted by file name. Throws std::runtime_error when the dir is unreadable.
std::vector<migration> load_migrations(const std::string& dir);

// Applies every migration not yet recorded in schema_migrations; safe when replicas race (advisory lock).
// Returns the versions applied by this call.
std::vector<std::string> apply_migrations(pqxx::connection& conn, const std::vector<migration>& all);

// Versions in `all` not yet applied (empty = schema current).
std::vector<std::string> pending_migrations(pqxx::connection& conn, const std::vector<migration>& all);

}  // namespace doppel::store
