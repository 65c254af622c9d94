// Builds the install-key and Forge JWKS providers the auth policy uses, from configuration.
#pragma once

#include "app/config.hpp"
#include "auth/policy.hpp"

namespace doppel::app {

auth::key_provider_fn make_install_key_provider(const config& cfg);
auth::key_provider_fn make_forge_key_provider(const config& cfg);

}  // namespace doppel::app
