// Per-tenant limits on outgoing Jira calls: a few concurrent calls per site for request threads and for background
// jobs, and the site's Retry-After (no call to a site that asked us to wait), so one slow or throttling site cannot
// take the threads that serve the others.
#pragma once

#include "util/clock.hpp"
#include "util/result.hpp"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace doppel::jira {

// Who waits on the call: a user request (waits briefly for a slot) or a background job.
enum class call_mode { request, background };

struct call_limits {
  int request_slots = 4;     // concurrent calls per site from request threads
  int background_slots = 1;  // concurrent calls per site from job workers
  // A request (or a worker) waits this long for a busy slot, never past its deadline, and not at all when the site is
  // slow (a call timed out within slow_window): several viewers of one site opening panels at once queue for a
  // moment behind its permission checks instead of failing, while a stalled site fails them at once.
  std::chrono::milliseconds request_wait{1000};
  std::chrono::milliseconds background_wait{250};
  std::chrono::milliseconds slow_window{30000};
  std::chrono::milliseconds default_retry_after{5000};  // a 429 or 503 without a usable Retry-After
  std::chrono::milliseconds max_retry_after{std::chrono::minutes(10)};
  // When a job that found no slot tries again: busy_retry normally, slow_retry for a slow site (with jitter).
  std::chrono::milliseconds busy_retry{1000};
  std::chrono::milliseconds slow_retry{10000};
};

class tenant_gate;

// One call's slot, given back when destroyed.
class call_slot {
 public:
  call_slot(tenant_gate* gate, call_mode mode) : gate_(gate), mode_(mode) {}
  call_slot(call_slot&& other) noexcept : gate_(std::exchange(other.gate_, nullptr)), mode_(other.mode_) {}
  call_slot& operator=(call_slot&&) = delete;
  ~call_slot();

 private:
  tenant_gate* gate_;
  call_mode mode_;
};

// One site's state. Thread-safe.
class tenant_gate {
 public:
  tenant_gate(call_limits limits, clock_fn clock) : limits_(limits), clock_(std::move(clock)) {}

  // A slot for one call. Errors: errc::rate_limited "jira_rate_limited" (the site's Retry-After has not passed);
  // errc::unavailable "jira_busy" (every slot of the site for this mode is still in use after request_wait for a
  // request or background_wait for a job; at once when the site is slow; never waiting past `deadline`).
  result<call_slot> acquire(call_mode mode, std::optional<std::chrono::system_clock::time_point> deadline);

  // What the call learnt: a 429/503 (its Retry-After, nullopt when absent: default_retry_after), a timeout, an answer.
  void throttled(std::optional<std::chrono::milliseconds> retry_after);
  void timed_out();
  void answered();

  // How long a job that could not call should wait before it tries again: the rest of the Retry-After when the site
  // throttles, else slow_retry or busy_retry (times jitter_unit in [1, 1.5) so deferred jobs spread out).
  std::chrono::milliseconds retry_in(double jitter_unit = 0.0) const;
  bool slow() const;

 private:
  friend class call_slot;
  void release(call_mode mode);
  bool slow_locked(std::chrono::system_clock::time_point now) const;

  call_limits limits_;
  clock_fn clock_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  int request_in_use_ = 0, background_in_use_ = 0;
  std::chrono::system_clock::time_point throttled_until_{}, last_timeout_{};
};

// Every site's gate, by tenant id (one per process; entries live as long as the process: one small object per site).
class call_gates {
 public:
  explicit call_gates(call_limits limits = {}, clock_fn clock = system_clock_fn());
  std::shared_ptr<tenant_gate> gate_for(const std::string& tenant_id);
  const call_limits& limits() const { return limits_; }

 private:
  call_limits limits_;
  clock_fn clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<tenant_gate>> gates_;
};

}  // namespace doppel::jira
