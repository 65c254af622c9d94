// LISTEN loop: "tenant generation" payloads mark newer generations, a tenant id on doppel_tenant is told to the
// tenant handlers; a lost connection drops every copy and resyncs the tenant handlers.
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
  tenant_receiver(pqxx::connection_base& c, const std::function<void(const std::string&)>& changed)
      : pqxx::notification_receiver(c, "doppel_tenant"), changed_(changed) {}
  void operator()(const std::string& payload, int) override { changed_(payload); }

 private:
  const std::function<void(const std::string&)>& changed_;
};

}  // namespace

index_listener::index_listener(std::string conninfo, store::index_cache& cache, tenant_change_handlers tenants)
    : conninfo_(std::move(conninfo)), cache_(cache), tenants_(std::move(tenants)) {}

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
      if (tenants_.changed) tenants.emplace(conn, tenants_.changed);
      // Anything written while we were not listening is unknown: reload lazily (LISTEN is active from here on).
      if (connected_before) cache_.invalidate_all();
      if (tenants_.resync) tenants_.resync(true);
      connected_before = true;
      while (!stopping_.load()) conn.await_notification(0, 250000);
    } catch (const std::exception& e) {
      if (stopping_.load()) break;
      log::warn("index listener: connection lost; retrying", {{"what", e.what()}});
      cache_.invalidate_all();
      if (tenants_.resync) tenants_.resync(false);
      for (int i = 0; i < 10 && !stopping_.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

}  // namespace doppel::store
