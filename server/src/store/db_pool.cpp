// Bounded pool: at most `size` connections; acquire waits up to the timeout, then fails as unavailable.
#include "store/db_pool.hpp"

#include "util/errors.hpp"

namespace doppel::store {

db_pool::db_pool(std::string conninfo, std::size_t size, std::chrono::milliseconds acquire_timeout, pool_access access)
    : conninfo_(std::move(conninfo)), size_(size), acquire_timeout_(acquire_timeout), access_(access) {}

db_pool::~db_pool() = default;

void db_pool::throw_unavailable(const std::string& what) {
  throw unavailable_error("database unavailable: " + what.substr(0, what.find('\n')));
}

std::unique_ptr<pqxx::connection> db_pool::acquire() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      if (conn->is_open()) return conn;
      --open_;
      continue;
    }
    if (open_ < size_) {
      ++open_;
      lock.unlock();
      try {
        auto conn = std::make_unique<pqxx::connection>(conninfo_);
        pqxx::nontransaction tx(*conn);
        tx.exec0(access_ == pool_access::read_only
                     ? "SET statement_timeout = '30s'; SET lock_timeout = '10s'; SET default_transaction_read_only = on"
                     : "SET statement_timeout = '30s'; SET lock_timeout = '10s'");
        return conn;
      } catch (const std::exception& e) {
        lock.lock();
        --open_;
        available_.notify_one();
        throw_unavailable(e.what());
      }
    }
    if (available_.wait_for(lock, acquire_timeout_) == std::cv_status::timeout && idle_.empty() && open_ >= size_)
      throw unavailable_error("database pool exhausted");
  }
}

void db_pool::release(std::unique_ptr<pqxx::connection> conn) {
  std::lock_guard lock(mutex_);
  if (conn && conn->is_open()) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  available_.notify_one();
}

void db_pool::release_checked(std::unique_ptr<pqxx::connection> conn) { release(std::move(conn)); }

void db_pool::discard() {
  std::lock_guard lock(mutex_);
  --open_;
  // A broken connection usually means the server went away: drop the idle ones too.
  open_ -= idle_.size();
  idle_.clear();
  available_.notify_all();
}

std::size_t db_pool::warm() {
  std::vector<std::unique_ptr<pqxx::connection>> held;
  try {
    while (held.size() < size_) held.push_back(acquire());
  } catch (const std::exception&) {
    // Unreachable or exhausted: requests open connections on demand, as without warming.
  }
  for (auto& c : held) release(std::move(c));
  return idle();
}

bool db_pool::healthy() {
  try {
    return with_connection([](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      tx.exec1("SELECT 1");
      return true;
    });
  } catch (const std::exception&) {
    return false;
  }
}

std::size_t db_pool::idle() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

}  // namespace doppel::store
