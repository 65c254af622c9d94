// Adapts the auth policy (auth/policy) to the dispatcher: request facts in, caller out.
#pragma once

#include "auth/policy.hpp"
#include "auth/secret_box.hpp"
#include "auth/tenant_key_cache.hpp"
#include "net/dispatcher.hpp"
#include "store/database.hpp"

namespace doppel::app {

// Tenant lookup for HS256 verification: the tenant's sealed secret, opened with the secret box; served from `cache`
// when it holds the tenant (see tenant_key_cache for how it stays correct).
auth::tenant_lookup_fn make_tenant_lookup(store::database& db, const auth::secret_box& secrets,
                                          std::shared_ptr<auth::tenant_key_cache> cache);

// Verifies each request with the auth policy.
net::authenticator_fn make_authenticator(const auth::auth_config& auth);

}  // namespace doppel::app
