// Keeps this replica's in-memory index copies current with other replicas' writes (LISTEN doppel_index).
#pragma once

#include "store/index_cache.hpp"

#include <atomic>
#include <string>
#include <thread>

namespace doppel::app {

class index_listener {
 public:
  index_listener(std::string conninfo, store::index_cache& cache);
  ~index_listener();
  void start();
  void stop();

 private:
  void run();
  std::string conninfo_;
  store::index_cache& cache_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace doppel::app
