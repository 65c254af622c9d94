// What the request path reads of a tenant on every call, kept in memory per replica: its row and its settings.
//
// Kept current by NOTIFY doppel_tenant: migration 0006's trigger (secret, state, kind, deletion) and the store writes
// of the other columns and of the settings (store::notify_tenant_changed) announce every change at commit, and each
// replica's listener forgets that tenant (store/index_listener). A missed notification cannot leave an entry stale:
// when the listening connection drops, everything is forgotten and nothing is kept until LISTEN is active again, and
// then everything read before is forgotten once more. A fill that raced with a forget (read the old row, forget,
// store it) is refused by the forget epoch, as in auth/tenant_key_cache. The ttl bounds any entry's age regardless
// (a change made outside Doppel's writes). Unknown tenants are never kept (an install is an INSERT).
#pragma once

#include "service/settings.hpp"
#include "store/tenant_store.hpp"
#include "util/ttl_cache.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace doppel::service {

struct tenant_snapshot {
  std::optional<store::tenant_record> row;  // nullopt: no such tenant
  tenant_settings settings;                 // stored, or the defaults
};

class tenant_cache {
 public:
  explicit tenant_cache(std::chrono::seconds ttl = std::chrono::seconds(60), std::size_t max_entries = 10000,
                        clock_fn clock = system_clock_fn());

  // The kept snapshot, else load()'s (one read), kept when the tenant exists, LISTEN is active and no forget came
  // in between.
  std::shared_ptr<const tenant_snapshot> get(const std::string& tenant_id, const std::function<tenant_snapshot()>& load);
  void forget(const std::string& tenant_id);
  // The listener's resync: forgets everything; `listening` = whether changes are heard from now on.
  void resync(bool listening);
  std::size_t size() const { return entries_.size(); }

 private:
  ttl_cache<std::shared_ptr<const tenant_snapshot>> entries_;
  mutable std::mutex epoch_mutex_;  // orders forgets against fills (taken before entries_' own lock)
  std::uint64_t epoch_ = 0;         // forgets so far
  bool listening_ = false;
};

}  // namespace doppel::service
