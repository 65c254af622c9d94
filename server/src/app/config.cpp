// Parses DOPPEL_* variables into app::config with strict validation and clear one-line errors.
#include "app/config.hpp"

#include "auth/host_allowlist.hpp"
#include "util/encoding.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace doppel::app {
namespace {

error bad(std::string_view name, std::string_view problem) {
  return make_error(errc::bad_request, "bad_config", std::string(name) + ": " + std::string(problem));
}

std::optional<long> parse_int(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Validates an absolute http(s) URL with no query, fragment or userinfo.
std::optional<std::string> check_url(std::string_view value) {
  auto u = boost::urls::parse_absolute_uri(value);
  if (!u) return "must be an absolute URL";
  if (u->scheme() != "http" && u->scheme() != "https") return "scheme must be http or https";
  if (u->has_userinfo() || u->has_query() || u->has_fragment()) return "must not carry userinfo, query or fragment";
  if (u->host().empty()) return "must have a host";
  return std::nullopt;
}

std::string default_source_path(std::string_view rel) {
  return (std::filesystem::path(DOPPEL_SOURCE_DIR) / std::string(rel)).string();
}

}  // namespace

env_lookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

result<config> load_config(const env_lookup& getenv) {
  config c;
  auto get = [&](std::string_view name) -> std::optional<std::string> {
    auto v = getenv(name);
    if (v && v->empty()) return std::nullopt;  // empty means unset
    return v;
  };

  if (auto v = get("DOPPEL_PORT")) {
    auto n = parse_int(*v);
    if (!n || *n > 65535) return bad("DOPPEL_PORT", "must be an integer from 0 to 65535");
    c.port = std::uint16_t(*n);
  }
  if (auto v = get("DOPPEL_BIND")) {
    boost::system::error_code ec;
    auto addr = boost::asio::ip::make_address(*v, ec);
    (void)addr;
    if (ec) return bad("DOPPEL_BIND", "must be an IPv4 or IPv6 address");
    c.bind = *v;
  }
  if (auto v = get("DOPPEL_BASE_URL")) {
    if (auto problem = check_url(*v)) return bad("DOPPEL_BASE_URL", *problem);
    if (v->size() > 200) return bad("DOPPEL_BASE_URL", "must be at most 200 characters (Connect limit)");
    c.base_url = *v;
    while (!c.base_url.empty() && c.base_url.back() == '/') c.base_url.pop_back();
  } else {
    c.base_url = "http://localhost:" + std::to_string(c.port);
  }
  if (auto v = get("DOPPEL_DATABASE_URL")) {
    if (v->rfind("postgres://", 0) != 0 && v->rfind("postgresql://", 0) != 0)
      return bad("DOPPEL_DATABASE_URL", "must be a postgresql:// URI");
    c.database_url = *v;
  }
  if (auto v = get("DOPPEL_DATA_DIR")) c.data_dir = *v;
  if (auto v = get("DOPPEL_SECRET_KEY")) {
    auto raw = hex_decode(*v);
    if (v->size() != 64 || !raw) return bad("DOPPEL_SECRET_KEY", "must be 64 hex characters (a 256-bit key)");
    c.secret_key = *raw;
  }
  if (auto v = get("DOPPEL_APP_KEY")) {
    bool ok = v->size() <= 64 && std::all_of(v->begin(), v->end(), [](char ch) {
      return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.' || ch == '_';
    });
    if (!ok) return bad("DOPPEL_APP_KEY", "must match [a-zA-Z0-9-._]+ and be at most 64 characters");
    c.app_key = *v;
  }
  if (auto v = get("DOPPEL_INSTALL_KEYS_URL")) {
    if (auto problem = check_url(*v)) return bad("DOPPEL_INSTALL_KEYS_URL", *problem);
    c.install_keys_url = *v;
    while (!c.install_keys_url.empty() && c.install_keys_url.back() == '/') c.install_keys_url.pop_back();
  }
  if (auto v = get("DOPPEL_ALLOWED_HOSTS")) {
    auto list = auth::host_allowlist::parse(*v);
    if (!list || list->size() == 0) return bad("DOPPEL_ALLOWED_HOSTS", list ? "must list at least one host" : list.error().message);
    c.allowed_hosts = *v;
  }
  if (auto v = get("DOPPEL_FORGE_APP_ID")) {
    std::string id = *v;
    if (id.rfind("ari:cloud:ecosystem::app/", 0) != 0) id = "ari:cloud:ecosystem::app/" + id;
    auto tail = std::string_view(id).substr(25);
    bool ok = !tail.empty() && tail.size() <= 64 && std::all_of(tail.begin(), tail.end(), [](char ch) {
      return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-';
    });
    if (!ok) return bad("DOPPEL_FORGE_APP_ID", "must be ari:cloud:ecosystem::app/<uuid>");
    c.forge_app_id = id;
  }
  if (auto v = get("DOPPEL_FORGE_JWKS_URL")) {
    if (auto problem = check_url(*v)) return bad("DOPPEL_FORGE_JWKS_URL", *problem);
    c.forge_jwks_url = *v;
  }
  if (auto v = get("DOPPEL_LOG_LEVEL")) {
    if (*v == "debug") c.log_level = log::level::debug;
    else if (*v == "info") c.log_level = log::level::info;
    else if (*v == "warn") c.log_level = log::level::warn;
    else if (*v == "error") c.log_level = log::level::error;
    else return bad("DOPPEL_LOG_LEVEL", "must be one of debug, info, warn, error");
  }
  c.tls_cert_file = get("DOPPEL_TLS_CERT_FILE");
  c.tls_key_file = get("DOPPEL_TLS_KEY_FILE");
  if (c.tls_cert_file.has_value() != c.tls_key_file.has_value())
    return bad("DOPPEL_TLS_CERT_FILE", "DOPPEL_TLS_CERT_FILE and DOPPEL_TLS_KEY_FILE must be set together");
  for (auto* f : {&c.tls_cert_file, &c.tls_key_file})
    if (f->has_value() && !std::filesystem::exists(**f))
      return bad(f == &c.tls_cert_file ? "DOPPEL_TLS_CERT_FILE" : "DOPPEL_TLS_KEY_FILE", "file does not exist");

  c.static_dir = get("DOPPEL_STATIC_DIR").value_or(default_source_path("frontend/dist"));
  c.descriptor_dir = get("DOPPEL_DESCRIPTOR_DIR").value_or(default_source_path("connect-descriptor"));
  c.migrations_dir = get("DOPPEL_MIGRATIONS_DIR").value_or(default_source_path("migrations"));

  auto int_var = [&](std::string_view name, int lo, int hi, int& out) -> std::optional<error> {
    if (auto v = get(name)) {
      auto n = parse_int(*v);
      if (!n || *n < lo || *n > hi)
        return bad(name, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
      out = int(*n);
    }
    return std::nullopt;
  };
  if (auto e = int_var("DOPPEL_HTTP_THREADS", 1, 64, c.http_threads)) return *e;
  if (auto e = int_var("DOPPEL_WORKERS", 0, 64, c.worker_threads)) return *e;
  if (auto e = int_var("DOPPEL_WORKER_NICE", 0, 19, c.worker_nice)) return *e;
  if (auto e = int_var("DOPPEL_DB_POOL_SIZE", 2, 256, c.db_pool_size)) return *e;
  int index_memory_mb = int(c.index_memory_mb);
  if (auto e = int_var("DOPPEL_INDEX_MEMORY_MB", 1, 4 * 1024 * 1024, index_memory_mb)) return *e;
  c.index_memory_mb = std::size_t(index_memory_mb);
  int drain = int(c.drain_timeout.count());
  if (auto e = int_var("DOPPEL_DRAIN_SECONDS", 1, 600, drain)) return *e;
  c.drain_timeout = std::chrono::seconds(drain);
  int read_timeout = int(c.read_timeout.count());
  if (auto e = int_var("DOPPEL_READ_TIMEOUT_SECONDS", 1, 300, read_timeout)) return *e;
  c.read_timeout = std::chrono::seconds(read_timeout);
  int retention_days = int(c.uninstall_retention.count() / 86400);
  if (auto e = int_var("DOPPEL_RETENTION_DAYS", 0, 3650, retention_days)) return *e;
  c.uninstall_retention = std::chrono::seconds(std::int64_t(retention_days) * 86400);
  int inbox_hours = int(c.inbox_retention.count());
  if (auto e = int_var("DOPPEL_INBOX_RETENTION_HOURS", 1, 8760, inbox_hours)) return *e;
  c.inbox_retention = std::chrono::hours(inbox_hours);
  return c;
}

}  // namespace doppel::app
