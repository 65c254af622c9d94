// Retry-After parsing (delta-seconds and HTTP dates) and the jittered backoff schedule.
#include "jira/retry.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

namespace doppel::jira {

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty() || value.size() > 64) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::uint64_t secs = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
    if (ec != std::errc() || secs > 86400ull * 365) return std::nullopt;
    return std::chrono::milliseconds(secs * 1000);
  }
  std::string text(value);
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  const std::time_t when = timegm(&tm);
  if (when == std::time_t(-1)) return std::nullopt;
  auto diff = std::chrono::system_clock::from_time_t(when) - now;
  if (diff <= std::chrono::system_clock::duration::zero()) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(diff);
}

std::chrono::milliseconds backoff_delay(int attempt, const retry_policy& policy, double unit_random) {
  const double r = std::clamp(unit_random, 0.0, 1.0);
  const double cap = double(policy.max_delay.count());
  const double base = std::min(cap, double(policy.initial_delay.count()) * std::pow(2.0, std::clamp(attempt, 0, 30)));
  const double jitter = policy.jitter_min + r * (policy.jitter_max - policy.jitter_min);
  return std::chrono::milliseconds(std::int64_t(std::min(cap, base * jitter)));
}

std::chrono::milliseconds retry_delay(int attempt, const retry_policy& policy, double unit_random,
                                      std::optional<std::chrono::milliseconds> retry_after) {
  auto d = backoff_delay(attempt, policy, unit_random);
  return retry_after ? std::max(d, *retry_after) : d;
}

retry_policy interactive_retry_policy() {
  retry_policy p;
  p.max_retries = 2;
  p.initial_delay = std::chrono::milliseconds(250);
  p.max_delay = std::chrono::milliseconds(1000);
  p.max_retry_after = std::chrono::milliseconds(0);  // any Retry-After: answer at once, never slept out
  return p;
}

retry_policy background_retry_policy() {
  retry_policy p;
  p.max_retries = 0;
  return p;
}

sleep_fn real_sleeper() {
  return [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
}

random_fn real_random() {
  auto state = std::make_shared<std::pair<std::mutex, std::mt19937_64>>();
  state->second.seed(std::random_device{}());
  return [state] {
    std::lock_guard lock(state->first);
    return std::uniform_real_distribution<double>(0.0, 1.0)(state->second);
  };
}

}  // namespace doppel::jira
