// The database handle use-cases own their transactions through: read, snapshot and write units over the pool.
// A write commits once and then runs its after-commit hooks (index copies, waking the workers for queued jobs).
// Reads may have a pool of their own (serve gives request reads one), so that they never wait for connections
// that writes, webhook acknowledgements or workers hold.
#pragma once

#include "store/db_pool.hpp"

#include <pqxx/pqxx>

#include <functional>
#include <type_traits>
#include <utility>
#include <vector>

namespace doppel::store {

// Any of the transactions below (store functions that only read take this).
using tx_base = pqxx::transaction_base;

// (libpqxx 6 transactions share a virtual base, pqxx::internal::namedclass, that the most derived class names.)

// Read committed reads: each statement in autocommit (under read committed every statement takes its own snapshot
// anyway, so BEGIN and COMMIT would only add two round trips). Read-only on a read pool's connections (their
// default_transaction_read_only is on); reads that must agree with each other use snapshot_tx.
class read_tx : public pqxx::nontransaction {
 public:
  explicit read_tx(pqxx::connection& c) : namedclass("read_tx"), pqxx::nontransaction(c) {}
};

// Repeatable read, read-only: several reads that must agree with each other (a count and its page).
class snapshot_tx : public pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only> {
 public:
  explicit snapshot_tx(pqxx::connection& c) : namedclass("snapshot_tx"), transaction(c) {}
};

// Read committed, read-write, with hooks that run only once the transaction has committed.
class write_tx : public pqxx::work {
 public:
  explicit write_tx(pqxx::connection& c) : namedclass("write_tx"), pqxx::work(c) {}
  // fn runs after the commit (never after a rollback), in the order registered.
  void after_commit(std::function<void()> fn) { hooks_.push_back(std::move(fn)); }
  // A job row was written: idle workers are woken once this transaction is durable (called by store::enqueue).
  void job_queued() { job_queued_ = true; }
  bool queued_jobs() const { return job_queued_; }
  std::vector<std::function<void()>> take_hooks() { return std::exchange(hooks_, {}); }

 private:
  std::vector<std::function<void()>> hooks_;
  bool job_queued_ = false;
};

class database {
 public:
  // read_pool (optional): where read() takes its connections; else the pool.
  explicit database(db_pool& pool, db_pool* read_pool = nullptr) : pool_(pool), read_pool_(read_pool ? *read_pool : pool) {}
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  // Wiring sets who is woken after a commit that queued jobs (the worker pool's nudge).
  void on_job_queued(std::function<void()> wake) { wake_ = std::move(wake); }

  template <class Fn>
  auto read(Fn&& fn) {
    return read_pool_.with_connection([&](pqxx::connection& c) {
      read_tx tx(c);
      return fn(tx);
    });
  }

  template <class Fn>
  auto snapshot(Fn&& fn) {
    return pool_.with_connection([&](pqxx::connection& c) {
      snapshot_tx tx(c);
      return fn(tx);
    });
  }

  // fn(write_tx&) then commit, then the transaction's hooks; an exception from fn rolls back and runs none.
  template <class Fn>
  auto write(Fn&& fn) {
    std::vector<std::function<void()>> hooks;
    bool queued = false;
    auto finish = [&](write_tx& tx) {
      tx.commit();
      hooks = tx.take_hooks();
      queued = tx.queued_jobs();
    };
    if constexpr (std::is_void_v<decltype(fn(std::declval<write_tx&>()))>) {
      pool_.with_connection([&](pqxx::connection& c) {
        write_tx tx(c);
        fn(tx);
        finish(tx);
      });
      run_after_commit(hooks, queued);
    } else {
      auto out = pool_.with_connection([&](pqxx::connection& c) {
        write_tx tx(c);
        auto r = fn(tx);
        finish(tx);
        return r;
      });
      run_after_commit(hooks, queued);
      return out;
    }
  }

  // Statements in autocommit: each commits on its own, synchronously (the webhook's one-statement accept).
  template <class Fn>
  auto autocommit(Fn&& fn) {
    return pool_.with_connection([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      return fn(tx);
    });
  }

  // After a transaction committed elsewhere (the worker loop): its hooks, then the wake-up when it queued jobs.
  void run_after_commit(std::vector<std::function<void()>>& hooks, bool queued_jobs) const {
    for (auto& h : hooks) h();
    if (queued_jobs && wake_) wake_();
  }

  // Jobs were queued by a statement committed outside write() (the inbox's group commit): wake the workers.
  void wake_workers() const {
    if (wake_) wake_();
  }

  bool healthy() { return pool_.healthy(); }
  db_pool& pool() { return pool_; }

 private:
  db_pool& pool_;
  db_pool& read_pool_;
  std::function<void()> wake_;
};

}  // namespace doppel::store
