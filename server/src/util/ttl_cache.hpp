// A small thread-safe map whose entries expire after a ttl. Bounded: when full, expired entries go first, then
// everything (a cache, so losing entries only costs a refill). Shared by admin_cache and tenant_key_cache.
#pragma once

#include "util/clock.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace doppel {

template <class Value>
class ttl_cache {
 public:
  ttl_cache(std::chrono::seconds ttl, std::size_t max_entries, clock_fn clock)
      : ttl_(ttl), max_entries_(max_entries == 0 ? 1 : max_entries), clock_(std::move(clock)) {}

  // The remembered value, or nullopt when unknown or older than the ttl.
  std::optional<Value> get(const std::string& key) const {
    auto now = clock_();
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end() || now >= it->second.expires) return std::nullopt;
    return it->second.value;
  }

  void put(const std::string& key, Value value) {
    auto now = clock_();
    std::lock_guard lock(mutex_);
    if (entries_.size() >= max_entries_ && !entries_.count(key)) {
      std::erase_if(entries_, [now](const auto& kv) { return now >= kv.second.expires; });
      if (entries_.size() >= max_entries_) entries_.clear();
    }
    entries_[key] = entry{std::move(value), now + ttl_};
  }

  void erase(const std::string& key) {
    std::lock_guard lock(mutex_);
    entries_.erase(key);
  }

  // Erases every entry whose key satisfies pred(key).
  template <class Pred>
  void erase_if(Pred pred) {
    std::lock_guard lock(mutex_);
    std::erase_if(entries_, [&](const auto& kv) { return pred(kv.first); });
  }

  void clear() {
    std::lock_guard lock(mutex_);
    entries_.clear();
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
  }

 private:
  struct entry {
    Value value;
    std::chrono::system_clock::time_point expires;
  };
  std::chrono::seconds ttl_;
  std::size_t max_entries_;
  clock_fn clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;
};

}  // namespace doppel
