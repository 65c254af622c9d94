// tenant_key_cache: a mutex-guarded map with expiry and a forget epoch; when full, expired entries go first.
#include "app/tenant_key_cache.hpp"

namespace doppel::app {

tenant_key_cache::tenant_key_cache(std::chrono::seconds ttl, std::size_t max_entries, clock_fn clock)
    : ttl_(ttl), max_entries_(max_entries == 0 ? 1 : max_entries), clock_(std::move(clock)) {}

std::optional<auth::tenant_key> tenant_key_cache::get(const std::string& client_key) const {
  auto now = clock_();
  std::lock_guard lock(mutex_);
  auto it = entries_.find(client_key);
  if (it == entries_.end() || now >= it->second.expires) return std::nullopt;
  return it->second.key;
}

std::uint64_t tenant_key_cache::epoch() const {
  std::lock_guard lock(mutex_);
  return epoch_;
}

void tenant_key_cache::put(const std::string& client_key, auth::tenant_key key, std::uint64_t epoch_before_read) {
  auto now = clock_();
  std::lock_guard lock(mutex_);
  if (epoch_ != epoch_before_read) return;  // forgotten while the caller was reading: its row may be the old one
  if (entries_.size() >= max_entries_ && !entries_.count(client_key)) {
    std::erase_if(entries_, [now](const auto& kv) { return now >= kv.second.expires; });
    if (entries_.size() >= max_entries_) entries_.clear();
  }
  entries_[client_key] = entry{std::move(key), now + ttl_};
}

void tenant_key_cache::forget(const std::string& client_key) {
  std::lock_guard lock(mutex_);
  ++epoch_;
  entries_.erase(client_key);
}

void tenant_key_cache::clear() {
  std::lock_guard lock(mutex_);
  ++epoch_;
  entries_.clear();
}

std::size_t tenant_key_cache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace doppel::app
