// admin_cache: a ttl_cache keyed by "tenant\naccount".
#include "service/admin_cache.hpp"

namespace doppel::service {

admin_cache::admin_cache(std::chrono::seconds ttl, std::size_t max_entries, clock_fn clock)
    : answers_(ttl, max_entries, std::move(clock)) {}

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
  return answers_.get(key_of(tenant_id, account_id));
}

void admin_cache::put(const std::string& tenant_id, const std::string& account_id, bool is_admin) {
  answers_.put(key_of(tenant_id, account_id), is_admin);
}

void admin_cache::forget_tenant(const std::string& tenant_id) {
  const auto prefix = tenant_id + '\n';
  answers_.erase_if([&](const std::string& key) { return key.compare(0, prefix.size(), prefix) == 0; });
}

}  // namespace doppel::service
