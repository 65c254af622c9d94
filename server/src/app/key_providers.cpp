// Key provider wiring. Until the fetching providers are linked in, every signed-install and FIT check fails closed.
#include "app/key_providers.hpp"

namespace doppel::app {

auth::key_provider_fn make_install_key_provider(const config&) {
  return [](std::string_view) -> result<auth::rsa_key> {
    return make_error(errc::unavailable, "key_server_unavailable", "Install key provider not available");
  };
}

auth::key_provider_fn make_forge_key_provider(const config&) {
  return [](std::string_view) -> result<auth::rsa_key> {
    return make_error(errc::unavailable, "key_server_unavailable", "Forge key provider not available");
  };
}

}  // namespace doppel::app
