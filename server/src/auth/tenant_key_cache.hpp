// Remembers the opened Connect shared secret and state of each tenant for a short time, so that verifying a
// webhook's HS256 token does not read PostgreSQL on every request.
//
// Correctness across replicas: migration 0006's trigger announces every change of a tenant's secret, state or kind
// (and its deletion) on NOTIFY doppel_tenant; each replica's listener forgets the entry, and forgets everything when
// its listening connection drops. This replica's lifecycle handlers also forget right after their commit. What is
// left is the NOTIFY delivery delay (milliseconds) on other replicas; the ttl bounds any entry's age regardless.
// A fill races with a forget (read the old row, forget, store the old row): put() only stores when no forget
// happened since the caller took epoch() before its read.
#pragma once

#include "util/ttl_cache.hpp"
#include "auth/policy.hpp"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace doppel::auth {

class tenant_key_cache {
 public:
  explicit tenant_key_cache(std::chrono::seconds ttl = std::chrono::seconds(30), std::size_t max_entries = 10000,
                            clock_fn clock = system_clock_fn());

  std::optional<auth::tenant_key> get(const std::string& client_key) const { return keys_.get(client_key); }
  // Take before reading the tenant row; pass to put().
  std::uint64_t epoch() const;
  void put(const std::string& client_key, auth::tenant_key key, std::uint64_t epoch_before_read);
  void forget(const std::string& client_key);
  void clear();
  std::size_t size() const { return keys_.size(); }

 private:
  ttl_cache<auth::tenant_key> keys_;
  mutable std::mutex epoch_mutex_;  // orders forgets against puts (taken before keys_' own lock)
  std::uint64_t epoch_ = 0;         // forgets so far
};

}  // namespace doppel::auth
