// Embedded PostgreSQL lifecycle via initdb/pg_ctl, run as "postgres" when we are root.
#include "store/embedded_pg.hpp"

#include "util/log.hpp"

#include <openssl/sha.h>
#include <grp.h>
#include <pwd.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pqxx/pqxx>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace doppel::store {
namespace fs = std::filesystem;
namespace {

struct run_result {
  int exit_code;
};

// Runs a program (no shell) optionally as another user; stdout/stderr appended to log_file when given.
int run_program(const std::vector<std::string>& argv, const std::string& run_as, const std::string& log_file) {
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (!log_file.empty()) {
      FILE* f = std::fopen(log_file.c_str(), "a");
      if (f) {
        dup2(fileno(f), 1);
        dup2(fileno(f), 2);
      }
    } else {
      FILE* devnull = std::fopen("/dev/null", "w");
      if (devnull) dup2(fileno(devnull), 1);
    }
    if (!run_as.empty()) {
      passwd* pw = getpwnam(run_as.c_str());
      if (!pw || initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
        _exit(126);
      setenv("HOME", pw->pw_dir, 1);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void chown_to(const fs::path& p, const std::string& user) {
  passwd* pw = getpwnam(user.c_str());
  if (!pw) throw std::runtime_error("user '" + user + "' not found (needed to run PostgreSQL as non-root)");
  if (chown(p.c_str(), pw->pw_uid, pw->pw_gid) != 0) throw std::runtime_error("cannot chown " + p.string());
}

std::string short_hash(const std::string& s) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), md);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 6; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

// Takes <root>/doppel.lock for this process (released when it exits, however it exits).
int lock_data_dir(const fs::path& root) {
  auto path = (root / "doppel.lock").string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot open " + path);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    throw std::runtime_error("DOPPEL_DATA_DIR " + root.string() +
                             " is in use by another running doppel; stop it, or give this one its own data dir");
  }
  return fd;
}

}  // namespace

std::string unreachable_for(const std::string& dir, const std::string& user) {
  passwd* pw = getpwnam(user.c_str());
  if (!pw) return "user '" + user + "' does not exist";
  pid_t pid = fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) _exit(2);
    _exit(access(dir.c_str(), X_OK) == 0 ? 0 : 1);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return "waitpid failed";
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  return "user '" + user + "' cannot enter it (a parent directory such as /root is closed to others)";
}

std::string find_postgres_bin_dir() {
  for (const char* dir : {"/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"})
    if (fs::exists(fs::path(dir) / "pg_ctl") && fs::exists(fs::path(dir) / "initdb")) return dir;
  return {};
}

std::unique_ptr<embedded_postgres> embedded_postgres::start(const std::string& data_dir) {
  std::unique_ptr<embedded_postgres> pg(new embedded_postgres());
  pg->bin_dir_ = find_postgres_bin_dir();
  if (pg->bin_dir_.empty())
    throw std::runtime_error("PostgreSQL server binaries not found (apt-get install postgresql-15), or set DOPPEL_DATABASE_URL");
  fs::path root = fs::absolute(data_dir);
  fs::create_directories(root);
  pg->run_as_ = geteuid() == 0 ? "postgres" : "";
  if (!pg->run_as_.empty()) {
    if (auto why = unreachable_for(root.string(), pg->run_as_); !why.empty())
      throw std::runtime_error("DOPPEL_DATA_DIR " + root.string() + ": the embedded PostgreSQL runs as '" + pg->run_as_ +
                               "' and " + why + "; use a data dir it can reach (e.g. /var/lib/doppel) or set DOPPEL_DATABASE_URL");
  }
  pg->lock_fd_ = lock_data_dir(root);
  pg->pgdata_ = (root / "pg").string();
  // Unix socket paths are limited to ~107 bytes: fall back to a short per-data-dir directory in /tmp.
  fs::path sock = root / "pg-run";
  if (sock.string().size() > 80) sock = fs::path("/tmp") / ("doppel-pg-" + short_hash(root.string()));
  pg->socket_dir_ = sock.string();
  fs::create_directories(sock);
  chmod(sock.c_str(), 0700);
  if (!pg->run_as_.empty()) chown_to(sock, pg->run_as_);
  std::string logfile = (root / "postgresql.log").string();
  if (!pg->run_as_.empty()) {
    if (!fs::exists(logfile)) std::fclose(std::fopen(logfile.c_str(), "a"));
    chown_to(logfile, pg->run_as_);
  }

  std::string initdb = pg->bin_dir_ + "/initdb", pg_ctl = pg->bin_dir_ + "/pg_ctl";
  if (!fs::exists(fs::path(pg->pgdata_) / "PG_VERSION")) {
    fs::create_directories(pg->pgdata_);
    chmod(pg->pgdata_.c_str(), 0700);
    if (!pg->run_as_.empty()) chown_to(pg->pgdata_, pg->run_as_);
    log::info("embedded postgres: creating cluster", {{"pgdata", pg->pgdata_}});
    int rc = run_program({initdb, "-D", pg->pgdata_, "-U", "doppel", "--auth=trust", "-E", "UTF8",
                          "--locale=C.UTF-8"}, pg->run_as_, logfile);
    if (rc != 0) throw std::runtime_error("initdb failed (exit " + std::to_string(rc) + "), see " + logfile);
  }
  int status = run_program({pg_ctl, "-D", pg->pgdata_, "status"}, pg->run_as_, "");
  if (status == 0) {
    // We hold the data dir's lock, so the doppel that started this cluster is gone: it is ours to stop now.
    log::info("embedded postgres: adopting running cluster", {{"pgdata", pg->pgdata_}});
    pg->owned_ = true;
  } else {
    // wal_init_zero=off: a new 16 MB WAL segment is created by writing its last byte instead of 16 MB of zeroes.
    // Zero-filling stalled every synchronous commit (webhook acknowledgements) for about 100 ms each time the
    // workers' WAL needed a new segment; fsync and synchronous_commit stay on, so durability is unchanged.
    std::string opts = "-c listen_addresses='' -k " + pg->socket_dir_ + " -c max_connections=100 -c wal_init_zero=off";
    int rc = run_program({pg_ctl, "-D", pg->pgdata_, "-o", opts, "-l", logfile, "-w", "-t", "60", "start"},
                         pg->run_as_, "");
    if (rc != 0) throw std::runtime_error("pg_ctl start failed (exit " + std::to_string(rc) + "), see " + logfile);
    pg->owned_ = true;
  }
  std::string admin = "host=" + pg->socket_dir_ + " dbname=postgres user=doppel";
  {
    pqxx::connection c(admin);
    pqxx::nontransaction tx(c);
    if (tx.exec("SELECT 1 FROM pg_database WHERE datname = 'doppel'").empty()) tx.exec0("CREATE DATABASE doppel");
  }
  pg->conninfo_ = "host=" + pg->socket_dir_ + " dbname=doppel user=doppel";
  log::info("embedded postgres: ready", {{"socket_dir", pg->socket_dir_}});
  return pg;
}

void embedded_postgres::stop() {
  if (!owned_) return;
  owned_ = false;
  int rc = run_program({bin_dir_ + "/pg_ctl", "-D", pgdata_, "-m", "fast", "-w", "-t", "30", "stop"}, run_as_, "");
  if (rc == 0) log::info("embedded postgres: stopped");
  else log::warn("embedded postgres: stop failed", {{"exit", rc}});
}

embedded_postgres::~embedded_postgres() {
  try {
    stop();
  } catch (...) {
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

}  // namespace doppel::store
