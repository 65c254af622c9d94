// A bounded PostgreSQL connection pool (libpqxx); blocking calls belong on worker threads only.
#pragma once

#include <pqxx/pqxx>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace doppel::store {

// read_only: every transaction on the pool's connections is read-only (default_transaction_read_only), a guard for
// a pool that serves only reads.
enum class pool_access { read_write, read_only };

class db_pool {
 public:
  db_pool(std::string conninfo, std::size_t size, std::chrono::milliseconds acquire_timeout = std::chrono::seconds(5),
          pool_access access = pool_access::read_write);
  ~db_pool();
  db_pool(const db_pool&) = delete;
  db_pool& operator=(const db_pool&) = delete;

  // Runs fn with a pooled connection. Connection failures (at connect or mid-query) surface as
  // doppel::unavailable_error so the request boundary answers 503; the broken connection is dropped.
  template <class Fn>
  auto with_connection(Fn&& fn) -> decltype(fn(std::declval<pqxx::connection&>())) {
    auto conn = acquire();
    try {
      if constexpr (std::is_void_v<decltype(fn(*conn))>) {
        fn(*conn);
        release(std::move(conn));
      } else {
        auto out = fn(*conn);
        release(std::move(conn));
        return out;
      }
    } catch (const pqxx::broken_connection& e) {
      discard();
      throw_unavailable(e.what());
    } catch (...) {
      release_checked(std::move(conn));
      throw;
    }
  }

  // Pings the database with a fresh or pooled connection; false when unreachable.
  bool healthy();
  std::size_t size() const { return size_; }
  std::size_t idle() const;
  // Opens connections until the pool is full (best effort; returns how many are idle now). Called once at start-up so
  // that the first requests after a (re)start do not each pay for a new database connection.
  std::size_t warm();
  const std::string& conninfo() const { return conninfo_; }

 private:
  std::unique_ptr<pqxx::connection> acquire();
  void release(std::unique_ptr<pqxx::connection> conn);
  void release_checked(std::unique_ptr<pqxx::connection> conn);
  void discard();
  [[noreturn]] static void throw_unavailable(const std::string& what);

  std::string conninfo_;
  std::size_t size_;
  std::chrono::milliseconds acquire_timeout_;
  pool_access access_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::size_t open_ = 0;  // connections handed out or idle
};

}  // namespace doppel::store
