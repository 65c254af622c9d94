// The process-level facts `serve` builds once: configuration, the secret key, the database, metrics, readiness.
#pragma once

#include "app/config.hpp"
#include "net/metrics.hpp"
#include "store/database.hpp"

#include <atomic>
#include <memory>
#include <string>

namespace doppel::app {

struct app_context {
  config cfg;
  std::string secret_key;            // 32 raw bytes: AES-256 key for secrets at rest
  store::database& db;
  net::metrics& stats;
  std::atomic<bool> ready{false};    // migrations applied and listening; false while draining
  std::string descriptor_template;   // connect-descriptor/atlassian-connect.json, loaded at start
};

}  // namespace doppel::app
