// Worker loop: claim → process in a transaction → complete in that transaction → commit → after_commit; and the
// heartbeat that renews the leases of the jobs running meanwhile.
#include "store/worker_pool.hpp"

#include "util/errors.hpp"
#include "util/log.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

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
  // Leases exist only while workers run; stop() joins the heartbeat with them (no workers: no heartbeat thread).
  if (!threads_.empty()) heartbeat_ = std::thread([this] { run_heartbeat(); });
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
  {
    std::lock_guard lock(held_mutex_);
    heartbeat_stopping_.store(true);
  }
  heartbeat_wake_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
}

std::uint64_t worker_pool::hold(const job& j) {
  std::lock_guard lock(held_mutex_);
  held_.emplace(++next_token_, held_job{{j.tenant_id, j.job_id, j.attempts}, false});
  return next_token_;
}

void worker_pool::release(std::uint64_t token, bool abandon) {
  std::lock_guard lock(held_mutex_);
  auto it = held_.find(token);
  if (it == held_.end()) return;
  if (abandon) abandoned_.push_back(it->second.key);
  held_.erase(it);
}

bool worker_pool::lost(std::uint64_t token) {
  std::lock_guard lock(held_mutex_);
  auto it = held_.find(token);
  return it != held_.end() && it->second.lost;
}

void worker_pool::run_heartbeat() {
  std::unique_ptr<pqxx::connection> conn;
  bool failing = false;  // log the first failure of an outage only, and its end
  while (!heartbeat_stopping_.load()) {
    {
      std::unique_lock lock(held_mutex_);
      // Abandoned jobs wait for the database to answer again: try as often as the workers poll, to hand them back
      // as soon as it does.
      auto interval = abandoned_.empty() ? options_.heartbeat : std::min(options_.heartbeat, options_.idle_poll);
      heartbeat_wake_.wait_for(lock, interval, [this] { return heartbeat_stopping_.load(); });
      if (heartbeat_stopping_.load()) return;
      if (held_.empty() && abandoned_.empty()) continue;
    }
    try {
      beat(conn);
      if (std::exchange(failing, false)) log::info("worker: lease heartbeat reaches the database again");
    } catch (const std::exception& e) {
      conn.reset();  // reconnect at the next beat
      if (!std::exchange(failing, true)) log::warn("worker: lease heartbeat failed", {{"what", e.what()}});
    }
  }
}

void worker_pool::beat(std::unique_ptr<pqxx::connection>& conn) {
  std::vector<lease_key> held, abandoned;
  {
    std::lock_guard lock(held_mutex_);
    for (const auto& [token, h] : held_) held.push_back(h.key);
    abandoned = abandoned_;
  }
  std::vector<std::int64_t> renewed;
  // A connection that broke since the last beat (a PostgreSQL restart) is only found out by using it: reconnect and
  // retry at once, rather than one interval later.
  for (int attempt = 0;; ++attempt) {
    try {
      if (!conn || !conn->is_open()) {
        conn = std::make_unique<pqxx::connection>(pool_.conninfo());
        // A job whose completion is committing holds its row for a moment; never wait long for one.
        pqxx::nontransaction(*conn).exec0("SET lock_timeout = '2s'");
      }
      renewed = renew_leases(*conn, held, abandoned, options_.lease);
      break;
    } catch (const pqxx::broken_connection&) {
      conn.reset();
      if (attempt > 0) throw;
    }
  }
  std::size_t lost_now = 0;
  {
    std::lock_guard lock(held_mutex_);
    // Only what this beat sent: a job held or abandoned since is handled at the next beat.
    abandoned_.erase(abandoned_.begin(), abandoned_.begin() + std::ptrdiff_t(abandoned.size()));
    for (auto& [token, h] : held_) {
      bool sent = std::any_of(held.begin(), held.end(), [&](const lease_key& k) { return k.job_id == h.key.job_id; });
      bool kept = std::find(renewed.begin(), renewed.end(), h.key.job_id) != renewed.end();
      if (sent && !kept && !h.lost) {
        h.lost = true;
        ++lost_now;
      }
    }
  }
  if (lost_now > 0) log::warn("worker: leases taken over by another worker", {{"jobs", lost_now}});
  if (!abandoned.empty()) nudge();  // their jobs are claimable now
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
  // Released (abandoned when the failure could not be recorded) before the busy count drops, so stop() sees it.
  struct held_guard {
    worker_pool& pool;
    std::uint64_t token;
    bool abandon = false;
    ~held_guard() { pool.release(token, abandon); }
  } held{*this, hold(*j)};
  auto it = processors_.find(j->kind);
  try {
    if (it == processors_.end()) throw std::runtime_error("no processor for job kind " + std::string(to_string(j->kind)));
    std::vector<std::function<void()>> hooks;
    bool queued = false;
    on_connection(own, [&](pqxx::connection& c) {
      write_tx tx(c);
      it->second(tx, *j);
      // A heartbeat that found the job taken over: stop before completing (complete() checks it again in SQL).
      if (lost(held.token)) throw lease_lost("job lease lost: " + std::to_string(j->job_id));
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
  } catch (const job_deferred& e) {
    ++deferred_;
    try {
      on_connection(own, [&](pqxx::connection& c) { defer(c, *j, e.delay, e.what()); });
    } catch (const std::exception& e2) {
      log::warn("worker: could not defer the job; the lease will expire", {{"job", j->job_id}, {"what", e2.what()}});
    }
    log::info("worker: job deferred", {{"job", j->job_id}, {"tenant", j->tenant_id},
                                       {"kind", std::string(to_string(j->kind))}, {"delay_ms", std::int64_t(e.delay.count())},
                                       {"why", e.what()}});
  } catch (const std::exception& e) {
    ++failed_;
    bool dead = false;
    try {
      dead = on_connection(own, [&](pqxx::connection& c) { return fail(c, *j, e.what(), options_.max_attempts); });
    } catch (const std::exception& e2) {
      held.abandon = true;
      log::warn("worker: could not record failure; the heartbeat ends the lease once the database answers",
                {{"job", j->job_id}, {"what", e2.what()}});
    }
    log::warn(dead ? "worker: job dead-lettered" : "worker: job failed, will retry",
              {{"job", j->job_id}, {"tenant", j->tenant_id}, {"kind", std::string(to_string(j->kind))},
               {"attempt", j->attempts}, {"what", e.what()}});
  }
  return true;
}

}  // namespace doppel::store
