// What every use-case needs, built once by the wiring (app/serve_command.cpp) and passed by reference.
#pragma once

#include "auth/caller.hpp"
#include "auth/host_allowlist.hpp"
#include "auth/secret_box.hpp"
#include "auth/tenant_key_cache.hpp"
#include "jira/call_gate.hpp"
#include "jira/http_client.hpp"
#include "service/admin_cache.hpp"
#include "service/permissions.hpp"
#include "service/tenant_cache.hpp"
#include "store/database.hpp"
#include "store/inbox_batcher.hpp"
#include "store/index_cache.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace doppel::service {

using auth::caller;

struct context {
  store::database& db;
  store::index_cache& index;                       // per-tenant memory-resident index copies
  std::shared_ptr<const jira::http_client> http;   // outgoing calls to Jira (TLS verified, timeouts)
  const auth::secret_box& secrets;                 // seals tenant secrets and tokens at rest
  const auth::host_allowlist& allowed_hosts;       // tenant base URL allowlist (SSRF guard)
  auth::tenant_key_cache& tenant_keys;             // opened Connect secrets, forgotten on every tenant change
  admin_cache& admins;                             // Jira admin answers, 60 s
  std::string app_key;                             // Connect app key (issue property names)
  std::chrono::seconds uninstall_retention{30 * 24 * 3600};
  // Viewers' project-level Jira permissions, 60 s (service/permissions.hpp).
  std::shared_ptr<permission_cache> permissions = std::make_shared<permission_cache>();
  // Per-site limits on outgoing Jira calls (concurrency, Retry-After), shared by every client jira_for_tenant makes.
  std::shared_ptr<jira::call_gates> jira_gates = std::make_shared<jira::call_gates>();
  // Webhook acknowledgements: concurrent events share one inbox commit (group commit, store/inbox_batcher.hpp).
  std::shared_ptr<store::inbox_batcher> inbox = std::make_shared<store::inbox_batcher>(store::inbox_flush(db));
  // Tenant rows and settings requests read, kept current by the listener (service/tenant_cache.hpp); until serve's
  // listener reports LISTEN active it keeps nothing, so every read goes to the database.
  std::shared_ptr<tenant_cache> tenants = std::make_shared<tenant_cache>();
};

}  // namespace doppel::service
