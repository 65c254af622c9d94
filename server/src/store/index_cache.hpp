// Per-tenant memory-resident copies of the duplicate index: loaded from PostgreSQL on first use,
// kept current by the writer's index_change after commit, invalidated by other replicas' NOTIFY.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/index.hpp"
#include "store/index_store.hpp"

namespace doppel::store {

class index_cache {
 public:
  // Opens a repeatable-read snapshot and loads the tenant (store::load_index); injected so the
  // cache works with any connection source (the server passes its db_pool).
  using loader_fn = std::function<core::search_index(const std::string& tenant_id, std::int64_t& generation)>;

  explicit index_cache(loader_fn loader);

  // Runs fn(const core::search_index&) under the tenant's shared lock, loading the tenant first
  // when it is absent or stale. Many readers run at once.
  template <class Fn>
  auto read(const std::string& tenant_id, Fn&& fn) {
    auto e = current(tenant_id);
    std::shared_lock lock(e->mutex);
    return fn(*e->index);
  }

  std::vector<core::search_hit> search_issue(const std::string& tenant_id, const std::string& issue_id,
                                             const core::search_filter& filter);
  std::vector<core::search_hit> search(const std::string& tenant_id, const core::query& q,
                                       const core::search_filter& filter);

  // Applies a committed write. A copy that is not loaded is left alone; a change that does not
  // follow the copy's generation (missed or reordered writes) marks it stale for reloading.
  void apply(const std::string& tenant_id, const index_change& change);
  // Marks the tenant's copy stale (another replica wrote; tenant settings changed).
  void invalidate(const std::string& tenant_id);
  // Marks it stale only if generation is newer than the copy's (NOTIFY payload carrying it).
  void note_generation(const std::string& tenant_id, std::int64_t generation);
  void invalidate_all();

  bool loaded(const std::string& tenant_id) const;
  std::int64_t generation(const std::string& tenant_id) const;  // -1 when not loaded

 private:
  struct entry {
    std::shared_mutex mutex;  // guards index, generation, stale, newest_seen
    std::mutex load_mutex;    // one loader at a time
    std::unique_ptr<core::search_index> index;
    std::int64_t generation = -1;
    std::int64_t newest_seen = -1;  // highest generation announced while (re)loading
    bool stale = true;
  };

  std::shared_ptr<entry> find(const std::string& tenant_id) const;
  std::shared_ptr<entry> current(const std::string& tenant_id);

  loader_fn loader_;
  mutable std::mutex map_mutex_;
  std::unordered_map<std::string, std::shared_ptr<entry>> entries_;
};

}  // namespace doppel::store
