// tenant_key_cache: a ttl_cache plus a forget epoch, so that a read racing with a forget does not store its row.
#include "auth/tenant_key_cache.hpp"

namespace doppel::auth {

tenant_key_cache::tenant_key_cache(std::chrono::seconds ttl, std::size_t max_entries, clock_fn clock)
    : keys_(ttl, max_entries, std::move(clock)) {}

std::uint64_t tenant_key_cache::epoch() const {
  std::lock_guard lock(epoch_mutex_);
  return epoch_;
}

void tenant_key_cache::put(const std::string& client_key, auth::tenant_key key, std::uint64_t epoch_before_read) {
  std::lock_guard lock(epoch_mutex_);
  if (epoch_ != epoch_before_read) return;  // forgotten while the caller was reading: its row may be the old one
  keys_.put(client_key, std::move(key));
}

void tenant_key_cache::forget(const std::string& client_key) {
  std::lock_guard lock(epoch_mutex_);
  ++epoch_;
  keys_.erase(client_key);
}

void tenant_key_cache::clear() {
  std::lock_guard lock(epoch_mutex_);
  ++epoch_;
  keys_.clear();
}

}  // namespace doppel::auth
