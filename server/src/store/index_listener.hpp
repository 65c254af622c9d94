// Keeps this replica's in-memory index copies current with other replicas' writes (LISTEN doppel_index), and its
// cached tenant secrets current with every tenant change (LISTEN doppel_tenant).
#pragma once

#include "auth/tenant_key_cache.hpp"
#include "store/index_cache.hpp"

#include <atomic>
#include <string>
#include <thread>

namespace doppel::store {

class index_listener {
 public:
  index_listener(std::string conninfo, store::index_cache& cache, auth::tenant_key_cache* tenant_keys = nullptr);
  ~index_listener();
  void start();
  void stop();

 private:
  void run();
  std::string conninfo_;
  store::index_cache& cache_;
  auth::tenant_key_cache* tenant_keys_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace doppel::store
