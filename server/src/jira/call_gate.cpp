// Per-site slots (counted under one mutex), the site's Retry-After and its recent timeouts.
#include "jira/call_gate.hpp"

#include <algorithm>

namespace doppel::jira {
namespace {

using std::chrono::milliseconds;

milliseconds until(std::chrono::system_clock::time_point t, std::chrono::system_clock::time_point now) {
  return t > now ? std::chrono::duration_cast<milliseconds>(t - now) : milliseconds(0);
}

}  // namespace

call_slot::~call_slot() {
  if (gate_) gate_->release(mode_);
}

bool tenant_gate::slow_locked(std::chrono::system_clock::time_point now) const {
  return last_timeout_ != std::chrono::system_clock::time_point{} && now - last_timeout_ < limits_.slow_window;
}

result<call_slot> tenant_gate::acquire(call_mode mode, std::optional<std::chrono::system_clock::time_point> deadline) {
  std::unique_lock lock(mutex_);
  const auto now = clock_();
  if (now < throttled_until_)
    return make_error(errc::rate_limited, "jira_rate_limited",
                      "This site's Jira asked us to wait " + std::to_string(until(throttled_until_, now).count() / 1000 + 1) +
                          " s more before calling it again");
  const bool request = mode == call_mode::request;
  int& in_use = request ? request_in_use_ : background_in_use_;
  const int slots = std::max(1, request ? limits_.request_slots : limits_.background_slots);
  if (in_use >= slots && !slow_locked(now)) {
    auto wait = request ? limits_.request_wait : limits_.background_wait;
    if (deadline) wait = std::min(wait, until(*deadline, now));
    freed_.wait_for(lock, wait, [&] { return in_use < slots; });
  }
  if (in_use >= slots)
    return make_error(errc::unavailable, "jira_busy",
                      "This site's Jira is busy answering earlier calls (" + std::to_string(slots) +
                          " at a time); try again shortly");
  ++in_use;
  return call_slot(this, mode);
}

void tenant_gate::release(call_mode mode) {
  {
    std::lock_guard lock(mutex_);
    --(mode == call_mode::request ? request_in_use_ : background_in_use_);
  }
  freed_.notify_all();
}

void tenant_gate::throttled(std::optional<milliseconds> retry_after) {
  auto wait = std::clamp(retry_after.value_or(limits_.default_retry_after), milliseconds(0), limits_.max_retry_after);
  if (!retry_after || *retry_after <= milliseconds(0)) wait = std::max(wait, milliseconds(1000));
  std::lock_guard lock(mutex_);
  throttled_until_ = std::max(throttled_until_, clock_() + wait);
}

void tenant_gate::timed_out() {
  std::lock_guard lock(mutex_);
  last_timeout_ = clock_();
}

void tenant_gate::answered() {
  std::lock_guard lock(mutex_);
  last_timeout_ = {};
}

bool tenant_gate::slow() const {
  std::lock_guard lock(mutex_);
  return slow_locked(clock_());
}

milliseconds tenant_gate::retry_in(double jitter_unit) const {
  std::lock_guard lock(mutex_);
  const auto now = clock_();
  if (now < throttled_until_) return until(throttled_until_, now);
  const auto base = slow_locked(now) ? limits_.slow_retry : limits_.busy_retry;
  return milliseconds(std::int64_t(double(base.count()) * (1.0 + 0.5 * std::clamp(jitter_unit, 0.0, 0.999))));
}

call_gates::call_gates(call_limits limits, clock_fn clock)
    : limits_(limits), clock_(clock ? std::move(clock) : system_clock_fn()) {}

std::shared_ptr<tenant_gate> call_gates::gate_for(const std::string& tenant_id) {
  std::lock_guard lock(mutex_);
  auto& gate = gates_[tenant_id];
  if (!gate) gate = std::make_shared<tenant_gate>(limits_, clock_);
  return gate;
}

}  // namespace doppel::jira
