// Embedded PostgreSQL: a private cluster under the data dir (Debian's server binaries, Unix socket only).
#pragma once

#include <memory>
#include <string>

namespace doppel::store {

class embedded_postgres {
 public:
  // Creates the cluster on first use (initdb), starts it (or adopts one left running on the same data dir by a
  // doppel that died, e.g. kill -9: this process then owns it and stops it like one it started), and ensures the
  // "doppel" database exists. A data dir is used by one doppel at a time (a lock file held while running).
  // As root the cluster runs as the unprivileged user "postgres", which must be able to reach the data dir: that
  // is checked first. Throws std::runtime_error with one line saying what to do.
  static std::unique_ptr<embedded_postgres> start(const std::string& data_dir);
  ~embedded_postgres();

  // libpq keyword conninfo for the "doppel" database over the Unix socket.
  const std::string& conninfo() const { return conninfo_; }
  // Stops the cluster (fast shutdown) if this process started or adopted it. Idempotent.
  void stop();

 private:
  embedded_postgres() = default;
  std::string bin_dir_, pgdata_, socket_dir_, conninfo_, run_as_;
  bool owned_ = false;   // started or adopted by this process: stopped with it
  int lock_fd_ = -1;     // <data dir>/doppel.lock, flock'ed while this process uses the data dir
};

// Why `user` cannot enter `dir` (it or a parent not searchable for that user), or empty when it can. Checked by a
// child process that takes the user's identity.
std::string unreachable_for(const std::string& dir, const std::string& user);

// The directory holding initdb/pg_ctl (PostgreSQL 15 preferred); empty when none is installed.
std::string find_postgres_bin_dir();

}  // namespace doppel::store
