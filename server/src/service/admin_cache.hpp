// Remembers Jira admin checks per (tenant, account) for a short time: positive and negative answers alike.
#pragma once

#include "util/ttl_cache.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace doppel::service {

class admin_cache {
 public:
  explicit admin_cache(std::chrono::seconds ttl = std::chrono::seconds(60), std::size_t max_entries = 10000,
                       clock_fn clock = system_clock_fn());

  // The remembered answer, or nullopt when unknown or older than the ttl.
  std::optional<bool> get(const std::string& tenant_id, const std::string& account_id) const;
  void put(const std::string& tenant_id, const std::string& account_id, bool is_admin);
  // Forgets every answer of the tenant (uninstall, data deletion).
  void forget_tenant(const std::string& tenant_id);
  std::size_t size() const { return answers_.size(); }

 private:
  static std::string key_of(const std::string& tenant_id, const std::string& account_id);

  ttl_cache<bool> answers_;
};

}  // namespace doppel::service
