// Background workers (the job queue's consumer): claim jobs from the queue, run the processor for their kind, complete or retry.
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
  std::chrono::seconds lease{60};
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
  std::size_t busy() const { return busy_.load(); }

 private:
  void run();
  bool run_one(std::unique_ptr<pqxx::connection>& own);
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
  std::atomic<std::uint64_t> completed_{0}, failed_{0};
  std::atomic<std::size_t> busy_{0};
  std::mutex wake_mutex_;
  std::condition_variable wake_;
};

}  // namespace doppel::store
