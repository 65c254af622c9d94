// Everything handlers and workers share, built once in main and passed by reference (no singletons).
#pragma once

#include "app/config.hpp"
#include "net/metrics.hpp"
#include "store/db_pool.hpp"

#include <atomic>
#include <memory>
#include <string>

namespace doppel::app {

struct app_context {
  config cfg;
  std::string secret_key;            // 32 raw bytes: AES-256 key for secrets at rest
  store::db_pool& pool;
  net::metrics& stats;
  std::atomic<bool> ready{false};    // migrations applied and listening; false while draining
  std::string descriptor_template;   // connect-descriptor/atlassian-connect.json, loaded at start
};

}  // namespace doppel::app
