// The service objects behind the handlers, owned by main and shared by reference.
#pragma once

#include "auth/host_allowlist.hpp"
#include "auth/policy.hpp"
#include "auth/secret_box.hpp"

namespace doppel::app {

struct services {
  auth::secret_box secrets;              // seals tenant shared secrets at rest
  auth::host_allowlist allowed_hosts;    // tenant base URL allowlist (SSRF guard)
  auth::auth_config auth;                // per-route token verification (tenants, key providers, clock)
};

}  // namespace doppel::app
