// Per-tenant memory-resident copies of the duplicate index: loaded from PostgreSQL on first use,
// kept current by the writer's index_change after commit, reloaded when a generation announced by
// NOTIFY (another replica's write) or a gap in the changes is not filled by local changes within
// the grace period. Local changes arriving out of order (two workers committing close together,
// the NOTIFY of our own commit arriving before its change) are held and applied in order, so a
// busy tenant is not reloaded after every write. The copies share a memory budget: when their
// measured size (core::search_index::memory_bytes) exceeds it, the least recently searched copies
// are dropped whole and reloaded on their next search; a copy bigger than the budget is still served
// (alone). An evicted copy's changes and notifications are dropped like those of any copy not loaded.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/index.hpp"
#include "store/index_store.hpp"

namespace doppel::store {

class index_cache {
 public:
  // Opens a repeatable-read snapshot and loads the tenant (store::load_index); injected so the
  // cache works with any connection source (the server passes its db_pool).
  using loader_fn = std::function<core::search_index(const std::string& tenant_id, std::int64_t& generation)>;

  static constexpr std::size_t unlimited = std::numeric_limits<std::size_t>::max();

  // budget_bytes bounds the copies' total measured size (one copy bigger than it is still kept alone).
  explicit index_cache(loader_fn loader, std::chrono::milliseconds grace = std::chrono::milliseconds(1000),
                       std::size_t budget_bytes = unlimited);

  // Figures for /metrics and benchmarks.
  struct figures {
    std::size_t budget_bytes = 0;
    std::size_t resident_bytes = 0;  // measured size of the copies held (see index_cache.cpp for the lag)
    std::size_t copies = 0;          // loaded copies held
    std::uint64_t hits = 0;          // searches served by a loaded, current copy
    std::uint64_t loads = 0;         // loads from PostgreSQL (first use, after eviction, stale copies)
    std::uint64_t evictions = 0;     // copies dropped to stay within the budget
  };
  figures stats() const;

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
  // follow the copy's generation is held until the missing ones arrive (the copy is reloaded if
  // they do not arrive within the grace period, or if too many are held).
  void apply(const std::string& tenant_id, const index_change& change);
  // Marks the tenant's copy stale (tenant settings changed, data deleted): reloaded on next use.
  void invalidate(const std::string& tenant_id);
  // A generation was committed (NOTIFY payload): if the copy does not reach it within the grace
  // period through local changes (another replica wrote it), the copy is reloaded on next use.
  void note_generation(const std::string& tenant_id, std::int64_t generation);
  void invalidate_all();

  bool loaded(const std::string& tenant_id) const;
  std::int64_t generation(const std::string& tenant_id) const;  // -1 when not loaded

 private:
  struct entry {
    std::shared_mutex mutex;  // guards index, generation, stale, newest_seen, held, behind_since, unmeasured
    std::mutex load_mutex;    // one loader at a time
    std::unique_ptr<core::search_index> index;
    std::int64_t generation = -1;
    std::int64_t newest_seen = -1;  // highest generation announced (NOTIFY or change)
    bool stale = true;
    std::map<std::int64_t, index_change> held;  // recent and out-of-order changes, by generation
    std::chrono::steady_clock::time_point behind_since{};  // copy behind newest_seen since; {} = current
    std::size_t unmeasured = 0;  // changes applied since the size was last measured
    // Guarded by map_mutex_ (taken after, never before, an entry's mutex):
    std::list<std::string>::iterator lru;  // position in lru_ while in entries_
    bool in_map = false;                   // false once erased (evicted, cleared): its size no longer counts
    std::size_t bytes = 0;                 // measured size counted in resident_bytes_
    bool counted = false;                  // a loaded copy counted in copies_
  };
  static constexpr std::size_t max_held = 4096;      // more held changes: reload instead
  static constexpr std::int64_t keep_applied = 256;  // applied changes kept for a concurrent load

  // Applies held changes that now follow the generation; notes whether the copy is still behind.
  // Returns how many were applied.
  static std::size_t catch_up(entry& e);
  bool due_for_reload(const entry& e) const;

  std::shared_ptr<entry> find(const std::string& tenant_id) const;
  std::shared_ptr<entry> current(const std::string& tenant_id);
  // Records e's measured size (e's mutex held by the caller) and evicts least recently used copies other than e
  // while the total exceeds the budget; returns the evicted entries for the caller to free once unlocked.
  std::vector<std::shared_ptr<entry>> account(const std::string& tenant_id, entry& e, std::size_t bytes);
  // Drops the entry from the map and the LRU list (map_mutex_ held); returns it so the caller frees it unlocked.
  std::shared_ptr<entry> erase_locked(std::unordered_map<std::string, std::shared_ptr<entry>>::iterator it);

  loader_fn loader_;
  std::chrono::milliseconds grace_;
  std::size_t budget_bytes_;
  mutable std::mutex map_mutex_;
  std::unordered_map<std::string, std::shared_ptr<entry>> entries_;
  std::list<std::string> lru_;  // most recently searched first
  std::size_t resident_bytes_ = 0;
  std::size_t copies_ = 0;
  std::unordered_set<std::string> warned_oversized_;
  std::atomic<std::uint64_t> hits_{0}, loads_{0}, evictions_{0};
};

}  // namespace doppel::store
