// Worker loop: claim → process in a transaction → complete in that transaction → commit → after_commit.
#include "store/worker_pool.hpp"

#include "util/errors.hpp"
#include "util/log.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace doppel::store {
namespace {

// Linux: a thread id given to setpriority(PRIO_PROCESS) sets that thread's nice value only.
void lower_priority(pid_t id, int nice, const char* what) {
  if (nice <= 0 || id <= 0) return;
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(id), nice) != 0)
    log::warn("worker: cannot lower CPU priority", {{"of", what}, {"nice", nice}, {"what", std::strerror(errno)}});
}

}  // namespace

worker_pool::worker_pool(store::db_pool& pool, worker_options options) : pool_(pool), options_(options) {}

worker_pool::~worker_pool() { stop(std::chrono::milliseconds(0)); }

void worker_pool::set_processor(job_kind kind, processor_fn fn) { processors_[kind] = std::move(fn); }

void worker_pool::add_periodic(std::string name, std::chrono::milliseconds first, std::chrono::milliseconds every,
                               std::function<void()> fn) {
  periodic_.push_back({std::move(name), first, every, std::move(fn), {}, false});
}

void worker_pool::start() {
  const auto now = std::chrono::steady_clock::now();
  for (auto& t : periodic_) t.next_due = now + t.first;
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

template <class Fn>
auto worker_pool::on_connection(std::unique_ptr<pqxx::connection>& own, Fn&& fn)
    -> decltype(fn(std::declval<pqxx::connection&>())) {
  if (!options_.nice_backends) return pool_.with_connection(std::forward<Fn>(fn));
  if (!own || !own->is_open()) {
    own = std::make_unique<pqxx::connection>(pool_.conninfo());
    lower_priority(own->backendpid(), options_.nice, "database backend");
  }
  try {
    return fn(*own);
  } catch (const pqxx::broken_connection&) {
    own.reset();  // reconnect on next use
    throw;
  }
}

void worker_pool::run() {
  lower_priority(static_cast<pid_t>(syscall(SYS_gettid)), options_.nice, "worker thread");
  std::unique_ptr<pqxx::connection> own;
  while (!stopping_.load()) {
    bool did_work = false;
    run_due_periodic();
    try {
      did_work = run_one(own);
    } catch (const std::exception& e) {
      own.reset();
      log::warn("worker: queue unavailable", {{"what", e.what()}});
    }
    if (!did_work && !stopping_.load()) {
      std::unique_lock lock(wake_mutex_);
      wake_.wait_for(lock, options_.idle_poll);
    }
  }
}

void worker_pool::run_due_periodic() {
  for (auto& t : periodic_) {
    {
      std::lock_guard lock(periodic_mutex_);
      if (t.running || std::chrono::steady_clock::now() < t.next_due) continue;
      t.running = true;
    }
    try {
      t.fn();
    } catch (const std::exception& e) {
      log::warn("worker: periodic task failed", {{"task", t.name}, {"what", e.what()}});
    }
    std::lock_guard lock(periodic_mutex_);
    t.running = false;
    t.next_due = std::chrono::steady_clock::now() + t.every;
  }
}

bool worker_pool::run_one(std::unique_ptr<pqxx::connection>& own) {
  auto j = on_connection(own, [&](pqxx::connection& c) { return claim(c, options_.lease); });
  if (!j) return false;
  ++busy_;
  struct busy_guard {
    std::atomic<std::size_t>& n;
    ~busy_guard() { --n; }
  } guard{busy_};
  auto it = processors_.find(j->kind);
  try {
    if (it == processors_.end()) throw std::runtime_error("no processor for job kind " + std::string(to_string(j->kind)));
    std::vector<std::function<void()>> hooks;
    bool queued = false;
    on_connection(own, [&](pqxx::connection& c) {
      write_tx tx(c);
      it->second(tx, *j);
      complete(tx, *j);
      tx.commit();
      hooks = tx.take_hooks();
      queued = tx.queued_jobs();
    });
    ++completed_;
    for (auto& h : hooks) h();
    if (queued) nudge();
  } catch (const lease_lost& e) {
    log::warn("worker: lease lost", {{"job", j->job_id}, {"tenant", j->tenant_id}});
  } catch (const std::exception& e) {
    ++failed_;
    bool dead = false;
    try {
      dead = on_connection(own, [&](pqxx::connection& c) { return fail(c, *j, e.what(), options_.max_attempts); });
    } catch (const std::exception& e2) {
      log::warn("worker: could not record failure; the lease will expire", {{"job", j->job_id}, {"what", e2.what()}});
    }
    log::warn(dead ? "worker: job dead-lettered" : "worker: job failed, will retry",
              {{"job", j->job_id}, {"tenant", j->tenant_id}, {"kind", std::string(to_string(j->kind))},
               {"attempt", j->attempts}, {"what", e.what()}});
  }
  return true;
}

}  // namespace doppel::store
