// Opening the database: the embedded cluster or an external URL, and applying the migrations.
#pragma once

#include "store/embedded_pg.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace doppel::store {

struct database_handle {
  std::unique_ptr<store::embedded_postgres> embedded;  // null when DOPPEL_DATABASE_URL is set
  std::string conninfo;
};

// The external database at database_url, else the embedded cluster under data_dir (started now).
// Throws std::runtime_error with a clear message.
database_handle open_database(const std::optional<std::string>& database_url, const std::string& data_dir);

// Applies pending migrations, retrying the connection for up to `wait` while the server comes up.
void migrate_database(const std::string& conninfo, const std::string& migrations_dir, std::chrono::seconds wait);

}  // namespace doppel::store
