// Background workers (the job queue's consumer): claim jobs from the queue, run the processor for their kind, complete or
// retry; one heartbeat thread keeps the leases of this process's running jobs alive.
#pragma once

#include "store/job_queue.hpp"
#include "store/db_pool.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace doppel::store {

// A processor does the job's work in `tx` and must not commit it: the pool completes the job in the same
// transaction and commits, then runs the hooks the processor registered with tx.after_commit (cache updates).
using processor_fn = std::function<void(write_tx& tx, const job& j)>;

struct worker_options {
  int threads = 2;
  // A claimed job's lease; the heartbeat renews it every `heartbeat` while the job runs. Short, so that the jobs of a
  // process that died (kill -9, lost host) are taken over within seconds; several heartbeats fit in one lease, so a
  // slow round trip does not lose a live job.
  std::chrono::seconds lease{10};
  std::chrono::milliseconds heartbeat{3000};
  int max_attempts = 8;
  std::chrono::milliseconds idle_poll{250};
  // Background work yields the CPU to request handling: each worker thread runs at this nice value (0 = unchanged).
  int nice = 0;
  // Also lower the PostgreSQL backend serving each worker (the workers then keep one connection each instead of
  // borrowing the pool's, so that no request ever runs on a lowered backend). Only for a database server on this
  // machine that we may renice, i.e. the embedded cluster: a remote backend's pid means nothing here.
  bool nice_backends = false;
};

class worker_pool {
 public:
  worker_pool(store::db_pool& pool, worker_options options);
  ~worker_pool();

  void set_processor(job_kind kind, processor_fn fn);
  // Janitor work that belongs to no tenant (inbox retention): fn runs on one worker thread between jobs, first
  // `first` after start(), then every `every`; one run at a time per task; an exception is logged, the task stays.
  // Every replica runs its own (the work must be safe to repeat: bounded, idempotent deletes).
  void add_periodic(std::string name, std::chrono::milliseconds first, std::chrono::milliseconds every,
                    std::function<void()> fn);
  void start();
  // Wakes idle workers now (after an enqueue in this process).
  void nudge();
  // Stops claiming; waits up to `deadline` for running jobs to finish. Unfinished jobs keep their lease
  // and are taken over by another replica (or this one after restart) when it expires.
  void stop(std::chrono::milliseconds deadline);

  std::uint64_t completed() const { return completed_.load(); }
  std::uint64_t failed() const { return failed_.load(); }
  std::uint64_t deferred() const { return deferred_.load(); }
  std::size_t busy() const { return busy_.load(); }

 private:
  // A running job as the heartbeat sees it; `lost` is set when a renewal finds another worker took it over.
  struct held_job {
    lease_key key;
    bool lost = false;
  };

  void run();
  bool run_one(std::unique_ptr<pqxx::connection>& own);
  // Every `heartbeat`: renews the leases of the held jobs and ends those of abandoned ones, in one round trip on its
  // own connection (reopened after a failure, e.g. a PostgreSQL restart).
  void run_heartbeat();
  void beat(std::unique_ptr<pqxx::connection>& conn);
  std::uint64_t hold(const job& j);
  // Forgets a held job; `abandon` = its transaction broke off unrecorded, so the heartbeat ends its lease.
  void release(std::uint64_t token, bool abandon);
  bool lost(std::uint64_t token);
  void run_due_periodic();
  // fn(connection&) on the worker's own connection (nice_backends) or a pooled one.
  template <class Fn>
  auto on_connection(std::unique_ptr<pqxx::connection>& own, Fn&& fn) -> decltype(fn(std::declval<pqxx::connection&>()));

  store::db_pool& pool_;
  worker_options options_;
  std::map<job_kind, processor_fn> processors_;
  struct periodic_task {
    std::string name;
    std::chrono::milliseconds first, every;
    std::function<void()> fn;
    std::chrono::steady_clock::time_point next_due;
    bool running = false;
  };
  std::vector<periodic_task> periodic_;  // fixed before start(); next_due/running guarded by periodic_mutex_
  std::mutex periodic_mutex_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> completed_{0}, failed_{0}, deferred_{0};
  std::atomic<std::size_t> busy_{0};
  std::mutex wake_mutex_;
  std::condition_variable wake_;

  std::thread heartbeat_;
  std::atomic<bool> heartbeat_stopping_{false};  // set once the workers have joined
  std::mutex held_mutex_;
  std::condition_variable heartbeat_wake_;
  std::map<std::uint64_t, held_job> held_;
  std::vector<lease_key> abandoned_;
  std::uint64_t next_token_ = 0;
};

}  // namespace doppel::store
