// admin_cache: a mutex-guarded map with expiry; when full, expired entries go first, then everything.
#include "app/admin_cache.hpp"

namespace doppel::app {

admin_cache::admin_cache(std::chrono::seconds ttl, std::size_t max_entries, clock_fn clock)
    : ttl_(ttl), max_entries_(max_entries == 0 ? 1 : max_entries), clock_(std::move(clock)) {}

std::string admin_cache::key_of(const std::string& tenant_id, const std::string& account_id) {
  // The separator cannot occur in a tenant id or account id (both are printable tokens).
  std::string key;
  key.reserve(tenant_id.size() + account_id.size() + 1);
  key += tenant_id;
  key += '\n';
  key += account_id;
  return key;
}

std::optional<bool> admin_cache::get(const std::string& tenant_id, const std::string& account_id) const {
  auto now = clock_();
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key_of(tenant_id, account_id));
  if (it == entries_.end() || now >= it->second.expires) return std::nullopt;
  return it->second.is_admin;
}

void admin_cache::put(const std::string& tenant_id, const std::string& account_id, bool is_admin) {
  auto now = clock_();
  std::lock_guard lock(mutex_);
  auto key = key_of(tenant_id, account_id);
  if (entries_.size() >= max_entries_ && !entries_.count(key)) {
    std::erase_if(entries_, [now](const auto& kv) { return now >= kv.second.expires; });
    if (entries_.size() >= max_entries_) entries_.clear();
  }
  entries_[key] = entry{is_admin, now + ttl_};
}

void admin_cache::forget_tenant(const std::string& tenant_id) {
  std::lock_guard lock(mutex_);
  auto prefix = tenant_id + '\n';
  std::erase_if(entries_, [&](const auto& kv) { return kv.first.compare(0, prefix.size(), prefix) == 0; });
}

std::size_t admin_cache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace doppel::app
