// Embedded PostgreSQL: a private cluster under the data dir (Debian's server binaries, Unix socket only).
#pragma once

#include <memory>
#include <string>

namespace doppel::store {

class embedded_postgres {
 public:
  // Creates the cluster on first use (initdb), starts it (or adopts one already running on the same
  // data dir, e.g. after a crash of a previous doppel), and ensures the "doppel" database exists.
  // As root the cluster runs as the unprivileged user "postgres". Throws std::runtime_error on failure.
  static std::unique_ptr<embedded_postgres> start(const std::string& data_dir);
  ~embedded_postgres();

  // libpq keyword conninfo for the "doppel" database over the Unix socket.
  const std::string& conninfo() const { return conninfo_; }
  // Stops the cluster (fast shutdown) if this process started it. Idempotent.
  void stop();

 private:
  embedded_postgres() = default;
  std::string bin_dir_, pgdata_, socket_dir_, conninfo_, run_as_;
  bool started_by_us_ = false;
};

// The directory holding initdb/pg_ctl (PostgreSQL 15 preferred); empty when none is installed.
std::string find_postgres_bin_dir();

}  // namespace doppel::store
