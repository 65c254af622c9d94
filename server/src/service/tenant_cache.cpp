// tenant_cache: a ttl_cache of tenant snapshots, filled only while LISTEN is active and no forget raced the read.
#include "service/tenant_cache.hpp"

namespace doppel::service {

tenant_cache::tenant_cache(std::chrono::seconds ttl, std::size_t max_entries, clock_fn clock)
    : entries_(ttl, max_entries, std::move(clock)) {}

std::shared_ptr<const tenant_snapshot> tenant_cache::get(const std::string& tenant_id,
                                                         const std::function<tenant_snapshot()>& load) {
  if (auto hit = entries_.get(tenant_id)) return *hit;
  std::uint64_t epoch_before;
  {
    std::lock_guard lock(epoch_mutex_);
    epoch_before = epoch_;
  }
  auto loaded = std::make_shared<const tenant_snapshot>(load());
  std::lock_guard lock(epoch_mutex_);
  if (loaded->row && listening_ && epoch_ == epoch_before) entries_.put(tenant_id, loaded);
  return loaded;
}

void tenant_cache::forget(const std::string& tenant_id) {
  std::lock_guard lock(epoch_mutex_);
  ++epoch_;
  entries_.erase(tenant_id);
}

void tenant_cache::resync(bool listening) {
  std::lock_guard lock(epoch_mutex_);
  ++epoch_;
  listening_ = listening;
  entries_.clear();
}

}  // namespace doppel::service
