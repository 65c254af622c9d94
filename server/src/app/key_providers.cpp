// Key provider wiring: install keys (DOPPEL_INSTALL_KEYS_URL/<kid>) and Forge JWKS, each cached by kid.
#include "app/key_providers.hpp"

#include "jira/key_providers.hpp"

#include <memory>

namespace doppel::app {
namespace {

std::shared_ptr<const jira::http_client> key_client() {
  return std::make_shared<const jira::http_client>(jira::key_server_client_options());
}

}  // namespace

auth::key_provider_fn make_install_key_provider(const config& cfg) {
  return jira::as_key_provider(std::make_shared<jira::install_key_provider>(key_client(), cfg.install_keys_url));
}

auth::key_provider_fn make_forge_key_provider(const config& cfg) {
  return jira::as_key_provider(std::make_shared<jira::forge_jwks_provider>(key_client(), cfg.forge_jwks_url));
}

}  // namespace doppel::app
