// index_cache implementation: lazy load with generation checks, in-order delta application (out-of-order
// changes held), reload when behind for longer than the grace period, invalidation, the memory budget with
// least-recently-used eviction.
#include "store/index_cache.hpp"

#include "util/log.hpp"

#include <algorithm>

namespace doppel::store {

index_cache::index_cache(loader_fn loader, std::chrono::milliseconds grace, std::size_t budget_bytes)
    : loader_(std::move(loader)), grace_(grace), budget_bytes_(budget_bytes) {}

namespace {

void apply_to(core::search_index& index, const index_change& change) {
  switch (change.what) {
    case index_change::kind::put: index.put(change.document); break;
    case index_change::kind::remove: index.remove(change.issue_id); break;
    case index_change::kind::remove_project: index.remove_project(change.project); break;
    default: break;
  }
}

}  // namespace

std::size_t index_cache::catch_up(entry& e) {
  std::size_t applied = 0;
  for (auto it = e.held.upper_bound(e.generation); it != e.held.end() && it->first == e.generation + 1; ++it) {
    apply_to(*e.index, it->second);
    e.generation = it->first;
    ++applied;
  }
  // The most recent applied changes stay for a load running meanwhile, whose snapshot may be older.
  e.held.erase(e.held.begin(), e.held.lower_bound(e.generation - keep_applied));
  if (e.newest_seen <= e.generation) e.behind_since = {};
  else if (e.behind_since == std::chrono::steady_clock::time_point{}) e.behind_since = std::chrono::steady_clock::now();
  return applied;
}

bool index_cache::due_for_reload(const entry& e) const {
  if (e.stale || !e.index) return true;
  return e.behind_since != std::chrono::steady_clock::time_point{} &&
         std::chrono::steady_clock::now() - e.behind_since >= grace_;
}

std::shared_ptr<index_cache::entry> index_cache::find(const std::string& tenant_id) const {
  std::lock_guard lock(map_mutex_);
  auto it = entries_.find(tenant_id);
  return it == entries_.end() ? nullptr : it->second;
}

std::shared_ptr<index_cache::entry> index_cache::current(const std::string& tenant_id) {
  std::shared_ptr<entry> e;
  {
    std::lock_guard lock(map_mutex_);
    auto it = entries_.find(tenant_id);
    if (it == entries_.end()) {
      it = entries_.emplace(tenant_id, std::make_shared<entry>()).first;
      lru_.push_front(tenant_id);
      it->second->lru = lru_.begin();
      it->second->in_map = true;
    } else {
      lru_.splice(lru_.begin(), lru_, it->second->lru);  // most recently used
    }
    e = it->second;
  }
  {
    std::shared_lock lock(e->mutex);
    if (!due_for_reload(*e)) {
      ++hits_;
      return e;
    }
  }
  std::lock_guard load(e->load_mutex);
  {
    std::shared_lock lock(e->mutex);
    if (!due_for_reload(*e)) return e;  // another thread loaded it meanwhile
  }
  {
    std::unique_lock lock(e->mutex);
    if (e->newest_seen == INT64_MAX) e->newest_seen = -1;  // invalidated: what was announced before is moot
    e->stale = false;
  }
  std::int64_t generation = 0;
  ++loads_;
  auto fresh = std::make_unique<core::search_index>(loader_(tenant_id, generation));
  const std::size_t bytes = fresh->memory_bytes();
  std::vector<std::shared_ptr<entry>> dropped;  // evicted copies, freed after the lock is released
  std::unique_lock lock(e->mutex);
  e->index = std::move(fresh);
  e->generation = generation;
  e->behind_since = {};
  // Changes committed during the load that the snapshot does not hold were held (or are still to
  // come): apply them in order; if some never come, the grace period triggers another load.
  // Invalidated during the load (stale again): the next use loads again.
  if (!e->stale) catch_up(*e);
  e->unmeasured = 0;
  dropped = account(tenant_id, *e, bytes);
  return e;
}

std::vector<std::shared_ptr<index_cache::entry>> index_cache::account(const std::string& tenant_id, entry& e,
                                                                      std::size_t bytes) {
  std::vector<std::shared_ptr<entry>> dropped;
  bool oversized = false;
  {
    std::lock_guard lock(map_mutex_);
    if (!e.in_map) return dropped;  // evicted or cleared meanwhile: freed with its last reader
    resident_bytes_ = resident_bytes_ - e.bytes + bytes;
    e.bytes = bytes;
    if (!e.counted) {
      e.counted = true;
      ++copies_;
    }
    // From the least recently used end; copies still loading hold nothing yet and are passed over.
    for (auto it = lru_.end(); resident_bytes_ > budget_bytes_ && it != lru_.begin();) {
      auto candidate = std::prev(it);
      auto found = entries_.find(*candidate);
      if (found->second.get() == &e || !found->second->counted) {
        it = candidate;
        continue;
      }
      dropped.push_back(erase_locked(found));  // erases `candidate` only: `it` stays valid
      ++evictions_;
    }
    oversized = bytes > budget_bytes_ && warned_oversized_.insert(tenant_id).second;
  }
  if (oversized)
    log::warn("index copy larger than DOPPEL_INDEX_MEMORY_MB: served alone, every other copy evicted",
              {{"tenant", tenant_id},
               {"copy_mb", double(bytes) / (1024.0 * 1024.0)},
               {"budget_mb", double(budget_bytes_) / (1024.0 * 1024.0)}});
  return dropped;
}

std::shared_ptr<index_cache::entry> index_cache::erase_locked(
    std::unordered_map<std::string, std::shared_ptr<entry>>::iterator it) {
  auto e = it->second;
  lru_.erase(e->lru);
  e->in_map = false;
  resident_bytes_ -= e->bytes;
  e->bytes = 0;
  if (e->counted) --copies_;
  e->counted = false;
  entries_.erase(it);
  return e;
}

index_cache::figures index_cache::stats() const {
  std::lock_guard lock(map_mutex_);
  return {budget_bytes_, resident_bytes_, copies_, hits_.load(), loads_.load(), evictions_.load()};
}

std::vector<core::search_hit> index_cache::search_issue(const std::string& tenant_id, const std::string& issue_id,
                                                        const core::search_filter& filter) {
  return read(tenant_id, [&](const core::search_index& idx) { return idx.search_issue(issue_id, filter); });
}

std::vector<core::search_hit> index_cache::search(const std::string& tenant_id, const core::query& q,
                                                  const core::search_filter& filter) {
  return read(tenant_id, [&](const core::search_index& idx) { return idx.search(q, filter); });
}

void index_cache::apply(const std::string& tenant_id, const index_change& change) {
  if (change.what == index_change::kind::none) return;
  std::vector<std::shared_ptr<entry>> dropped;  // freed after the locks are released
  if (change.what == index_change::kind::clear) {
    std::lock_guard lock(map_mutex_);
    auto it = entries_.find(tenant_id);
    if (it != entries_.end()) dropped.push_back(erase_locked(it));
    return;
  }
  auto e = find(tenant_id);
  if (!e) return;
  std::unique_lock lock(e->mutex);
  e->newest_seen = std::max(e->newest_seen, change.generation);
  if (!e->index) return;
  if (change.generation <= e->generation) return;  // already part of the loaded snapshot
  // Held even while stale: a load in progress may end before this generation.
  e->held.emplace(change.generation, change);
  if (e->held.size() > max_held) {
    e->held.clear();
    e->stale = true;
    return;
  }
  if (e->stale) return;
  // The size is measured again once the applied changes reach 1 % of the copy's issues (at least 64): measuring
  // walks the whole copy, so doing it per change would cost more than the change.
  e->unmeasured += catch_up(*e);
  if (e->unmeasured >= std::max<std::size_t>(64, e->index->size() / 100)) {
    e->unmeasured = 0;
    dropped = account(tenant_id, *e, e->index->memory_bytes());
  }
}

void index_cache::invalidate(const std::string& tenant_id) {
  auto e = find(tenant_id);
  if (!e) return;
  std::unique_lock lock(e->mutex);
  e->stale = true;
  e->newest_seen = INT64_MAX;
}

void index_cache::note_generation(const std::string& tenant_id, std::int64_t generation) {
  auto e = find(tenant_id);
  if (!e) return;
  std::unique_lock lock(e->mutex);
  e->newest_seen = std::max(e->newest_seen, generation);
  if (generation > e->generation && e->behind_since == std::chrono::steady_clock::time_point{})
    e->behind_since = std::chrono::steady_clock::now();
}

void index_cache::invalidate_all() {
  std::vector<std::shared_ptr<entry>> all;
  {
    std::lock_guard lock(map_mutex_);  // never held while an entry's mutex is taken (account takes them the other way)
    for (auto& [tenant, e] : entries_) all.push_back(e);
  }
  for (auto& e : all) {
    std::unique_lock l(e->mutex);
    e->stale = true;
    e->newest_seen = INT64_MAX;
  }
}

bool index_cache::loaded(const std::string& tenant_id) const {
  auto e = find(tenant_id);
  if (!e) return false;
  std::shared_lock lock(e->mutex);
  return e->index && !e->stale;
}

std::int64_t index_cache::generation(const std::string& tenant_id) const {
  auto e = find(tenant_id);
  if (!e) return -1;
  std::shared_lock lock(e->mutex);
  return e->index ? e->generation : -1;
}

}  // namespace doppel::store
