// Retry timing for Jira calls: Retry-After parsing and Atlassian's jittered exponential backoff.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

namespace doppel::jira {

struct retry_policy {
  int max_retries = 4;                              // retries after the first attempt
  std::chrono::milliseconds initial_delay{5000};
  std::chrono::milliseconds max_delay{30000};        // cap on the backoff delay
  std::chrono::milliseconds max_retry_after{60000};  // a longer Retry-After ends the retries (caller requeues)
  double jitter_min = 0.7;
  double jitter_max = 1.3;
};

// For calls a user waits on: two quick retries (250 ms, 500 ms) of a 429/503 without a Retry-After, and any
// Retry-After fails at once (never slept out on a request thread; the caller answers "try again" instead).
retry_policy interactive_retry_policy();
// For background jobs: no retry in the call at all (nothing is slept out on a worker); a 429/503 is returned and the
// job is rescheduled by the queue, after the site's Retry-After (call_gate.hpp).
retry_policy background_retry_policy();

using sleep_fn = std::function<void(std::chrono::milliseconds)>;
using random_fn = std::function<double()>;  // uniform in [0, 1)

// "120" (delta seconds) or an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); a past date gives 0.
// nullopt when absent or unparseable.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

// Delay before retry number `attempt` (0-based): min(cap, initial * 2^attempt) * jitter, capped at
// max_delay, where jitter = jitter_min + unit_random * (jitter_max - jitter_min).
std::chrono::milliseconds backoff_delay(int attempt, const retry_policy& policy, double unit_random);

// The wait actually used: max(backoff, Retry-After) so Retry-After is always honoured.
std::chrono::milliseconds retry_delay(int attempt, const retry_policy& policy, double unit_random,
                                      std::optional<std::chrono::milliseconds> retry_after);

sleep_fn real_sleeper();   // std::this_thread::sleep_for
random_fn real_random();   // per-call std::random_device seeded engine, thread-safe

}  // namespace doppel::jira
