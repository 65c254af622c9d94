// Configuration: defaults, every variable's good and bad values, one clear error naming the variable.
#include "app/config.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace doppel;

namespace {
result<app::config> load(std::map<std::string, std::string> env) {
  return app::load_config([env](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    if (it == env.end()) return std::nullopt;
    return it->second;
  });
}
void expect_bad(const std::string& var, const std::string& value) {
  auto c = load({{var, value}});
  REQUIRE_MESSAGE(!c, var << "=" << value << " accepted");
  CHECK_MESSAGE(c.error().message.rfind(var + ":", 0) == 0, c.error().message);
}
}  // namespace

TEST_CASE("defaults follow the contract") {
  auto c = load({});
  REQUIRE(c);
  CHECK(c->port == 8080);
  CHECK(c->bind == "127.0.0.1");
  CHECK(c->base_url == "http://localhost:8080");
  CHECK_FALSE(c->database_url.has_value());
  CHECK(c->data_dir == "./var");
  CHECK_FALSE(c->secret_key.has_value());
  CHECK(c->app_key == "io.doppel.jira");
  CHECK(c->install_keys_url == "https://connect-install-keys.atlassian.com");
  CHECK(c->allowed_hosts == "*.atlassian.net,*.jira-dev.com,*.jira.com");
  CHECK_FALSE(c->forge_app_id.has_value());
  CHECK(c->forge_jwks_url == "https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json");
  CHECK(c->log_level == log::level::info);
}

TEST_CASE("good values are taken") {
  auto c = load({{"DOPPEL_PORT", "0"},
                 {"DOPPEL_BIND", "::1"},
                 {"DOPPEL_BASE_URL", "https://doppel.example.com/app/"},
                 {"DOPPEL_DATABASE_URL", "postgresql://u@db:5432/doppel"},
                 {"DOPPEL_DATA_DIR", "/var/lib/doppel"},
                 {"DOPPEL_SECRET_KEY", std::string(64, 'a')},
                 {"DOPPEL_APP_KEY", "com.example.doppel-dev"},
                 {"DOPPEL_INSTALL_KEYS_URL", "http://127.0.0.1:9999/keys/"},
                 {"DOPPEL_ALLOWED_HOSTS", "*.atlassian.net, 127.0.0.1:*"},
                 {"DOPPEL_FORGE_APP_ID", "0b6c1e2a-1111-2222-3333-444455556666"},
                 {"DOPPEL_FORGE_JWKS_URL", "http://127.0.0.1:9998/jwks.json"},
                 {"DOPPEL_LOG_LEVEL", "debug"}});
  REQUIRE_MESSAGE(c, (c ? "" : c.error().message));
  CHECK(c->port == 0);
  CHECK(c->bind == "::1");
  CHECK(c->base_url == "https://doppel.example.com/app");
  CHECK(c->database_url == std::optional<std::string>("postgresql://u@db:5432/doppel"));
  CHECK(c->secret_key->size() == 32);
  CHECK(c->install_keys_url == "http://127.0.0.1:9999/keys");
  CHECK(c->forge_app_id == std::optional<std::string>("ari:cloud:ecosystem::app/0b6c1e2a-1111-2222-3333-444455556666"));
  CHECK(c->log_level == log::level::debug);
}

TEST_CASE("empty values mean unset") {
  auto c = load({{"DOPPEL_PORT", ""}, {"DOPPEL_DATABASE_URL", ""}});
  REQUIRE(c);
  CHECK(c->port == 8080);
  CHECK_FALSE(c->database_url.has_value());
}

TEST_CASE("bad values are refused with the variable named") {
  expect_bad("DOPPEL_PORT", "65536");
  expect_bad("DOPPEL_PORT", "80a");
  expect_bad("DOPPEL_PORT", "-1");
  expect_bad("DOPPEL_BIND", "localhost");
  expect_bad("DOPPEL_BIND", "300.1.1.1");
  expect_bad("DOPPEL_BASE_URL", "ftp://x.example.com");
  expect_bad("DOPPEL_BASE_URL", "not a url");
  expect_bad("DOPPEL_BASE_URL", "https://user:pw@x.example.com");
  expect_bad("DOPPEL_BASE_URL", "https://x.example.com/?a=b");
  expect_bad("DOPPEL_BASE_URL", "https://x.example.com/" + std::string(200, 'a'));
  expect_bad("DOPPEL_DATABASE_URL", "mysql://x");
  expect_bad("DOPPEL_SECRET_KEY", "abc");
  expect_bad("DOPPEL_SECRET_KEY", std::string(64, 'g'));
  expect_bad("DOPPEL_APP_KEY", "bad key!");
  expect_bad("DOPPEL_APP_KEY", std::string(65, 'a'));
  expect_bad("DOPPEL_INSTALL_KEYS_URL", "keys.example.com");
  expect_bad("DOPPEL_ALLOWED_HOSTS", "*.atlassian.net,bad host");
  expect_bad("DOPPEL_FORGE_APP_ID", "ari:cloud:ecosystem::app/");
  expect_bad("DOPPEL_FORGE_APP_ID", "not/an/id");
  expect_bad("DOPPEL_FORGE_JWKS_URL", "jwks");
  expect_bad("DOPPEL_LOG_LEVEL", "verbose");
  expect_bad("DOPPEL_TLS_CERT_FILE", "/nonexistent/cert.pem");
  expect_bad("DOPPEL_DB_POOL_SIZE", "1");
  expect_bad("DOPPEL_WORKERS", "999");
  expect_bad("DOPPEL_WORKER_NICE", "20");
  expect_bad("DOPPEL_WORKER_NICE", "-5");
  expect_bad("DOPPEL_INDEX_MEMORY_MB", "0");
  expect_bad("DOPPEL_INDEX_MEMORY_MB", "512MB");
  expect_bad("DOPPEL_INDEX_MEMORY_MB", "9999999");
}

TEST_CASE("index copies get 1024 MiB unless DOPPEL_INDEX_MEMORY_MB says otherwise") {
  auto c = load({});
  REQUIRE(c);
  CHECK(c->index_memory_mb == 1024);
  auto small = load({{"DOPPEL_INDEX_MEMORY_MB", "64"}});
  REQUIRE(small);
  CHECK(small->index_memory_mb == 64);
}

TEST_CASE("job workers run at nice 10 unless DOPPEL_WORKER_NICE says otherwise") {
  auto c = load({});
  REQUIRE(c);
  CHECK(c->worker_nice == 10);
  auto same = load({{"DOPPEL_WORKER_NICE", "0"}});
  REQUIRE(same);
  CHECK(same->worker_nice == 0);
}

TEST_CASE("DOPPEL_INBOX_RETENTION_HOURS: default 72, whole hours from 1 to 8760") {
  auto d = load({});
  REQUIRE(d);
  CHECK(d->inbox_retention == std::chrono::hours(72));
  auto c = load({{"DOPPEL_INBOX_RETENTION_HOURS", "24"}});
  REQUIRE(c);
  CHECK(c->inbox_retention == std::chrono::hours(24));
  for (const auto* bad : {"0", "8761", "-5", "3.5", "72h", "one"}) expect_bad("DOPPEL_INBOX_RETENTION_HOURS", bad);
  auto e = load({{"DOPPEL_INBOX_RETENTION_HOURS", "0"}});
  REQUIRE_FALSE(e);
  CHECK(e.error().message == "DOPPEL_INBOX_RETENTION_HOURS: must be an integer from 1 to 8760");
}
