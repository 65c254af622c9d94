// Typed service configuration built once from DOPPEL_* environment variables and validated (fail fast).
#pragma once

#include "util/log.hpp"
#include "util/result.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace doppel::app {

struct config {
  std::uint16_t port = 8080;
  std::string bind = "127.0.0.1";
  std::string base_url;                      // no trailing slash
  std::optional<std::string> database_url;   // unset = embedded PostgreSQL
  std::string data_dir = "./var";
  std::optional<std::string> secret_key;     // 32 raw bytes (from 64 hex chars); unset = generated in data dir
  std::string app_key = "io.doppel.jira";
  std::string install_keys_url = "https://connect-install-keys.atlassian.com";
  std::string allowed_hosts = "*.atlassian.net,*.jira-dev.com,*.jira.com";  // validated by auth::host_allowlist
  std::optional<std::string> forge_app_id;   // full ARI: ari:cloud:ecosystem::app/<uuid>
  std::string forge_jwks_url = "https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json";
  log::level log_level = log::level::info;
  std::optional<std::string> tls_cert_file;  // both set = serve HTTPS natively (TLS 1.2+)
  std::optional<std::string> tls_key_file;
  std::string static_dir;                    // built frontend (frontend/dist)
  std::string descriptor_dir;                // connect-descriptor/
  std::string migrations_dir;                // migrations/
  int http_threads = 2;
  int worker_threads = 2;                    // background job workers
  int worker_nice = 10;                      // their CPU priority below request handling (0 = same)
  int db_pool_size = 8;
  std::size_t index_memory_mb = 1024;        // budget of the in-memory index copies (LRU eviction beyond it)
  std::chrono::seconds drain_timeout{10};
  std::chrono::seconds read_timeout{15};     // a request (header + body) must arrive within this
  std::chrono::seconds request_timeout{30};
  std::chrono::seconds uninstall_retention{30 * 24 * 3600};
  std::chrono::hours inbox_retention{72};    // processed inbox rows (full issue text) are deleted after this
};

using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;

// Reads and validates every DOPPEL_* variable; the error message names the variable and the problem.
result<config> load_config(const env_lookup& getenv);

// The process environment as an env_lookup.
env_lookup process_env();

}  // namespace doppel::app
