// Keeps this replica's in-memory index copies current with other replicas' writes (LISTEN doppel_index), and what
// it keeps of tenants (secrets, rows, settings) current with every tenant change (LISTEN doppel_tenant).
#pragma once

#include "store/index_cache.hpp"

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace doppel::store {

// What is told of doppel_tenant: `changed(tenant_id)` on each notification; `resync(listening)` whenever
// notifications may have been missed: false when the listening connection is lost (forget everything, keep nothing
// until listening again), true once LISTEN is active again (forget everything read before).
struct tenant_change_handlers {
  std::function<void(const std::string& tenant_id)> changed;
  std::function<void(bool listening)> resync;
};

class index_listener {
 public:
  index_listener(std::string conninfo, store::index_cache& cache, tenant_change_handlers tenants = {});
  ~index_listener();
  void start();
  void stop();

 private:
  void run();
  std::string conninfo_;
  store::index_cache& cache_;
  tenant_change_handlers tenants_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace doppel::store
