// Adapts the auth policy (auth/policy) to the dispatcher: request facts in, caller out.
#pragma once

#include "app/app_context.hpp"
#include "app/services.hpp"
#include "net/dispatcher.hpp"

namespace doppel::app {

// Tenant lookup for HS256 verification: the tenant's sealed secret, opened with the secret box; served from `cache`
// when it holds the tenant (see tenant_key_cache for how it stays correct).
auth::tenant_lookup_fn make_tenant_lookup(app_context& app, const auth::secret_box& secrets,
                                          std::shared_ptr<tenant_key_cache> cache);

net::authenticator_fn make_authenticator(app_context& app, services& svc);

}  // namespace doppel::app
