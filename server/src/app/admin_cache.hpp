// Remembers Jira admin checks per (tenant, account) for a short time: positive and negative answers alike.
#pragma once

#include "util/clock.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace doppel::app {

class admin_cache {
 public:
  explicit admin_cache(std::chrono::seconds ttl = std::chrono::seconds(60), std::size_t max_entries = 10000,
                       clock_fn clock = system_clock_fn());

  // The remembered answer, or nullopt when unknown or older than the ttl.
  std::optional<bool> get(const std::string& tenant_id, const std::string& account_id) const;
  void put(const std::string& tenant_id, const std::string& account_id, bool is_admin);
  // Forgets every answer of the tenant (uninstall, data deletion).
  void forget_tenant(const std::string& tenant_id);
  std::size_t size() const;

 private:
  struct entry {
    bool is_admin = false;
    std::chrono::system_clock::time_point expires;
  };
  static std::string key_of(const std::string& tenant_id, const std::string& account_id);

  std::chrono::seconds ttl_;
  std::size_t max_entries_;
  clock_fn clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;
};

}  // namespace doppel::app
