// Public-key providers for the auth policy: Connect signed-install keys by kid and the Forge JWKS.
#pragma once

#include "auth/policy.hpp"
#include "auth/rsa_key.hpp"
#include "jira/http_client.hpp"
#include "util/clock.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace doppel::jira {

// GET <keys_base_url>/<kid> -> PEM, cached by kid (keys rotate by new kid, a kid's key never changes).
// Unknown kids (404/403 from the key server) are remembered for negative_ttl so a flood of made-up kids
// does not turn into a flood of outgoing requests. Thread-safe.
class install_key_provider {
 public:
  install_key_provider(std::shared_ptr<const http_client> client, std::string keys_base_url,
                       clock_fn clock = system_clock_fn(), std::chrono::seconds negative_ttl = std::chrono::seconds(300));

  // Errors: jwt_unknown_kid (errc::unauthorized: bad charset, 404/403, not an RSA PEM),
  // key_server_unavailable (errc::unavailable: transport failure, timeout, other status).
  result<auth::rsa_key> get(std::string_view kid);

 private:
  std::shared_ptr<const http_client> client_;
  std::string base_url_;
  clock_fn clock_;
  std::chrono::seconds negative_ttl_;
  std::mutex mutex_;
  std::map<std::string, auth::rsa_key, std::less<>> keys_;
  std::map<std::string, std::chrono::system_clock::time_point, std::less<>> unknown_;
};

// Atlassian's Forge JWKS (DOPPEL_FORGE_JWKS_URL), cached by kid; an unknown kid triggers a refetch of the
// whole set, at most once per min_refetch_interval. Thread-safe; only one fetch runs at a time.
class forge_jwks_provider {
 public:
  forge_jwks_provider(std::shared_ptr<const http_client> client, std::string jwks_url, clock_fn clock = system_clock_fn(),
                      std::chrono::seconds min_refetch_interval = std::chrono::seconds(60));

  // Errors: jwt_unknown_kid (not in a fresh set), key_server_unavailable (JWKS unreachable or unusable
  // and no cached key for the kid).
  result<auth::rsa_key> get(std::string_view kid);

  std::size_t fetch_count() const;

 private:
  status refresh();

  std::shared_ptr<const http_client> client_;
  std::string url_;
  clock_fn clock_;
  std::chrono::seconds min_interval_;
  mutable std::mutex mutex_;   // guards keys_, last_fetch_, fetches_, last_ok_
  std::mutex fetch_mutex_;     // serialises refetches
  std::map<std::string, auth::rsa_key, std::less<>> keys_;
  std::optional<std::chrono::system_clock::time_point> last_fetch_;
  bool last_ok_ = false;
  std::size_t fetches_ = 0;
};

// Client options for key servers: 3 s connect, 5 s whole request, 256 KiB body (auth waits on these).
http_client_options key_server_client_options(std::string extra_ca_file = {});

// Adapters for auth::auth_config (the provider must outlive nothing: the function keeps it alive).
auth::key_provider_fn as_key_provider(std::shared_ptr<install_key_provider> p);
auth::key_provider_fn as_key_provider(std::shared_ptr<forge_jwks_provider> p);

}  // namespace doppel::jira
