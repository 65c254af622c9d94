// Opening the configured database: embedded cluster or DOPPEL_DATABASE_URL, with migrations applied.
#pragma once

#include "app/config.hpp"
#include "store/embedded_pg.hpp"

#include <memory>
#include <string>

namespace doppel::app {

struct database_handle {
  std::unique_ptr<store::embedded_postgres> embedded;  // null when DOPPEL_DATABASE_URL is set
  std::string conninfo;
};

// Starts the embedded cluster when needed. Throws std::runtime_error with a clear message.
database_handle open_database(const config& cfg);

// Applies pending migrations, retrying the connection for up to `wait` while the server comes up.
void migrate_database(const std::string& conninfo, const std::string& migrations_dir, std::chrono::seconds wait);

// DOPPEL_SECRET_KEY, or a key generated once into <data dir>/secret.key (mode 0600) with a warning.
std::string load_or_create_secret_key(const config& cfg);

}  // namespace doppel::app
