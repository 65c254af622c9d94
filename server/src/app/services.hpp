// The long-lived objects behind the use-cases, owned by `serve` and lent to service::context by reference.
#pragma once

#include "auth/host_allowlist.hpp"
#include "auth/policy.hpp"
#include "auth/secret_box.hpp"
#include "auth/tenant_key_cache.hpp"
#include "jira/http_client.hpp"
#include "service/admin_cache.hpp"
#include "store/database.hpp"
#include "store/index_cache.hpp"

#include <memory>

namespace doppel::app {

struct services {
  auth::secret_box secrets;              // seals tenant shared secrets at rest
  auth::host_allowlist allowed_hosts;    // tenant base URL allowlist (SSRF guard)
  auth::auth_config auth;                // per-route token verification (tenants, key providers, clock)
  std::shared_ptr<const jira::http_client> http;  // outgoing calls to Jira (TLS verified, timeouts)
  std::unique_ptr<store::index_cache> index;      // per-tenant memory-resident index copies
  std::unique_ptr<service::admin_cache> admins = std::make_unique<service::admin_cache>();  // Jira admin checks, 60 s
  std::shared_ptr<auth::tenant_key_cache> tenant_keys = std::make_shared<auth::tenant_key_cache>();  // 30 s
};

// Loads a tenant's index copy in one repeatable-read snapshot with the tenant's model settings (serve's loader).
store::index_cache::loader_fn index_loader(store::database& db);

}  // namespace doppel::app
