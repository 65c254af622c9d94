// Public-key providers for the auth policy: Connect signed-install keys by kid and the Forge JWKS.
#pragma once

#include "auth/policy.hpp"
#include "auth/rsa_key.hpp"
#include "jira/http_client.hpp"
#include "util/clock.hpp"

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace doppel::jira {

// Bounds on install-key fetches, so that unauthenticated install requests with made-up kids cannot turn into
// unbounded outgoing requests: fetches for kids not in a cache draw from a token bucket (`burst` tokens, one more
// every `refill_interval`); unknown kids are remembered for negative_ttl, at most max_unknown of them (the oldest
// go first, never the whole set at once).
struct install_key_limits {
  std::size_t burst = 20;
  std::chrono::milliseconds refill_interval{3000};
  std::chrono::seconds negative_ttl{300};
  std::size_t max_unknown = 4096;
};

// GET <keys_base_url>/<kid> -> PEM, cached by kid (keys rotate by new kid, a kid's key never changes).
// Unknown kids (404/403 from the key server) are remembered (negative cache); fetches are rate-limited
// (install_key_limits). Thread-safe.
class install_key_provider {
 public:
  install_key_provider(std::shared_ptr<const http_client> client, std::string keys_base_url,
                       clock_fn clock = system_clock_fn(), install_key_limits limits = {});

  // Errors: jwt_unknown_kid (errc::unauthorized: bad charset, 404/403, not an RSA PEM),
  // key_server_unavailable (errc::unavailable: transport failure, timeout, other status),
  // key_fetch_throttled (errc::unavailable: too many fetches for unknown kids lately; nothing was fetched).
  result<auth::rsa_key> get(std::string_view kid);

  std::size_t fetch_count() const;
  std::size_t unknown_count() const;

 private:
  bool take_fetch_token(std::chrono::system_clock::time_point now);  // call with mutex_ held
  void remember_unknown(std::string kid, std::chrono::system_clock::time_point now);  // mutex_ held

  std::shared_ptr<const http_client> client_;
  std::string base_url_;
  clock_fn clock_;
  install_key_limits limits_;
  mutable std::mutex mutex_;
  std::map<std::string, auth::rsa_key, std::less<>> keys_;
  std::map<std::string, std::chrono::system_clock::time_point, std::less<>> unknown_;
  std::deque<std::pair<std::string, std::chrono::system_clock::time_point>> unknown_order_;  // oldest first
  double tokens_ = 0;
  std::optional<std::chrono::system_clock::time_point> refilled_at_;
  std::size_t fetches_ = 0;
  bool throttled_ = false;
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
