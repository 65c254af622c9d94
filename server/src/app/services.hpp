// The service objects behind the handlers, owned by main and shared by reference.
#pragma once

#include "app/admin_cache.hpp"
#include "app/tenant_key_cache.hpp"
#include "auth/host_allowlist.hpp"
#include "auth/policy.hpp"
#include "auth/secret_box.hpp"
#include "jira/http_client.hpp"
#include "jobs/worker_pool.hpp"
#include "store/index_cache.hpp"

#include <memory>

namespace doppel::app {

struct services {
  auth::secret_box secrets;              // seals tenant shared secrets at rest
  auth::host_allowlist allowed_hosts;    // tenant base URL allowlist (SSRF guard)
  auth::auth_config auth;                // per-route token verification (tenants, key providers, clock)
  std::shared_ptr<const jira::http_client> http;  // outgoing calls to Jira (TLS verified, timeouts)
  std::unique_ptr<store::index_cache> index;      // per-tenant memory-resident index copies
  jobs::worker_pool* workers = nullptr;           // to nudge after enqueueing (null in tools)
  std::shared_ptr<admin_cache> admins = std::make_shared<admin_cache>();  // Jira admin checks, 60 s
  std::shared_ptr<tenant_key_cache> tenant_keys = std::make_shared<tenant_key_cache>();  // opened secrets, 30 s
};

}  // namespace doppel::app
