// LISTEN loop: "tenant generation" payloads mark newer generations, a tenant id on doppel_tenant drops its cached
// secret; a lost connection drops every copy and every cached secret.
#include "store/index_listener.hpp"

#include "util/log.hpp"

#include <pqxx/pqxx>

#include <chrono>
#include <optional>

namespace doppel::store {
namespace {

class receiver : public pqxx::notification_receiver {
 public:
  receiver(pqxx::connection_base& c, store::index_cache& cache)
      : pqxx::notification_receiver(c, "doppel_index"), cache_(cache) {}
  void operator()(const std::string& payload, int) override {
    auto space = payload.rfind(' ');
    if (space == std::string::npos) return;
    try {
      cache_.note_generation(payload.substr(0, space), std::stoll(payload.substr(space + 1)));
    } catch (const std::exception&) {
    }
  }

 private:
  store::index_cache& cache_;
};

class tenant_receiver : public pqxx::notification_receiver {
 public:
  tenant_receiver(pqxx::connection_base& c, auth::tenant_key_cache& keys)
      : pqxx::notification_receiver(c, "doppel_tenant"), keys_(keys) {}
  void operator()(const std::string& payload, int) override { keys_.forget(payload); }

 private:
  auth::tenant_key_cache& keys_;
};

}  // namespace

index_listener::index_listener(std::string conninfo, store::index_cache& cache, auth::tenant_key_cache* tenant_keys)
    : conninfo_(std::move(conninfo)), cache_(cache), tenant_keys_(tenant_keys) {}

index_listener::~index_listener() { stop(); }

void index_listener::start() { thread_ = std::thread([this] { run(); }); }

void index_listener::stop() {
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
}

void index_listener::run() {
  bool connected_before = false;
  while (!stopping_.load()) {
    try {
      pqxx::connection conn(conninfo_);
      receiver r(conn, cache_);
      std::optional<tenant_receiver> tenants;
      if (tenant_keys_) tenants.emplace(conn, *tenant_keys_);
      // Anything written while we were not listening is unknown: reload lazily.
      if (connected_before) cache_.invalidate_all();
      if (tenant_keys_) tenant_keys_->clear();
      connected_before = true;
      while (!stopping_.load()) conn.await_notification(0, 250000);
    } catch (const std::exception& e) {
      if (stopping_.load()) break;
      log::warn("index listener: connection lost; retrying", {{"what", e.what()}});
      cache_.invalidate_all();
      if (tenant_keys_) tenant_keys_->clear();
      for (int i = 0; i < 10 && !stopping_.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

}  // namespace doppel::store
