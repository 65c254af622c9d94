// Worker loop: claim → process in a transaction → complete in that transaction → commit → after_commit.
#include "jobs/worker_pool.hpp"

#include "util/errors.hpp"
#include "util/log.hpp"

namespace doppel::jobs {

worker_pool::worker_pool(store::db_pool& pool, worker_options options) : pool_(pool), options_(options) {}

worker_pool::~worker_pool() { stop(std::chrono::milliseconds(0)); }

void worker_pool::set_processor(job_kind kind, processor_fn fn) { processors_[kind] = std::move(fn); }

void worker_pool::start() {
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { run(); });
}

void worker_pool::nudge() { wake_.notify_all(); }

void worker_pool::stop(std::chrono::milliseconds deadline) {
  stopping_.store(true);
  if (threads_.empty()) return;
  wake_.notify_all();
  auto until = std::chrono::steady_clock::now() + deadline;
  while (busy_.load() > 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (busy_.load() > 0) log::warn("worker: drain deadline passed; waiting for running jobs", {{"busy", busy_.load()}});
  for (auto& t : threads_) t.join();  // a running job is bounded by statement and HTTP timeouts
  threads_.clear();
}

void worker_pool::run() {
  while (!stopping_.load()) {
    bool did_work = false;
    try {
      did_work = run_one();
    } catch (const std::exception& e) {
      log::warn("worker: queue unavailable", {{"what", e.what()}});
    }
    if (!did_work && !stopping_.load()) {
      std::unique_lock lock(wake_mutex_);
      wake_.wait_for(lock, options_.idle_poll);
    }
  }
}

bool worker_pool::run_one() {
  auto j = pool_.with_connection([&](pqxx::connection& c) { return claim(c, options_.lease); });
  if (!j) return false;
  ++busy_;
  struct busy_guard {
    std::atomic<std::size_t>& n;
    ~busy_guard() { --n; }
  } guard{busy_};
  auto it = processors_.find(j->kind);
  try {
    if (it == processors_.end()) throw std::runtime_error("no processor for job kind " + std::string(to_string(j->kind)));
    job_outcome outcome = pool_.with_connection([&](pqxx::connection& c) {
      pqxx::work tx(c);
      auto out = it->second(tx, *j);
      complete(tx, *j);
      tx.commit();
      return out;
    });
    ++completed_;
    if (outcome.after_commit) outcome.after_commit();
  } catch (const lease_lost& e) {
    log::warn("worker: lease lost", {{"job", j->job_id}, {"tenant", j->tenant_id}});
  } catch (const std::exception& e) {
    ++failed_;
    bool dead = false;
    try {
      dead = pool_.with_connection([&](pqxx::connection& c) { return fail(c, *j, e.what(), options_.max_attempts); });
    } catch (const std::exception& e2) {
      log::warn("worker: could not record failure; the lease will expire", {{"job", j->job_id}, {"what", e2.what()}});
    }
    log::warn(dead ? "worker: job dead-lettered" : "worker: job failed, will retry",
              {{"job", j->job_id}, {"tenant", j->tenant_id}, {"kind", std::string(to_string(j->kind))},
               {"attempt", j->attempts}, {"what", e.what()}});
  }
  return true;
}

}  // namespace doppel::jobs
