// index_cache implementation: lazy load with generation checks, delta application, invalidation.
#include "store/index_cache.hpp"

namespace doppel::store {

index_cache::index_cache(loader_fn loader) : loader_(std::move(loader)) {}

std::shared_ptr<index_cache::entry> index_cache::find(const std::string& tenant_id) const {
  std::lock_guard lock(map_mutex_);
  auto it = entries_.find(tenant_id);
  return it == entries_.end() ? nullptr : it->second;
}

std::shared_ptr<index_cache::entry> index_cache::current(const std::string& tenant_id) {
  std::shared_ptr<entry> e;
  {
    std::lock_guard lock(map_mutex_);
    auto& slot = entries_[tenant_id];
    if (!slot) slot = std::make_shared<entry>();
    e = slot;
  }
  {
    std::shared_lock lock(e->mutex);
    if (!e->stale && e->index) return e;
  }
  std::lock_guard load(e->load_mutex);
  {
    std::shared_lock lock(e->mutex);
    if (!e->stale && e->index) return e;  // another thread loaded it meanwhile
  }
  {
    std::unique_lock lock(e->mutex);
    e->newest_seen = -1;
    e->stale = false;
  }
  std::int64_t generation = 0;
  auto fresh = std::make_unique<core::search_index>(loader_(tenant_id, generation));
  std::unique_lock lock(e->mutex);
  e->index = std::move(fresh);
  e->generation = generation;
  // Writes announced during the load that the snapshot may not hold: load again next time.
  if (e->newest_seen > generation) e->stale = true;
  return e;
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
  if (change.what == index_change::kind::clear) {
    std::lock_guard lock(map_mutex_);
    entries_.erase(tenant_id);
    return;
  }
  auto e = find(tenant_id);
  if (!e) return;
  std::unique_lock lock(e->mutex);
  e->newest_seen = std::max(e->newest_seen, change.generation);
  if (!e->index || e->stale) return;
  if (change.generation <= e->generation) return;  // already part of the loaded snapshot
  if (change.generation != e->generation + 1) {
    e->stale = true;
    return;
  }
  switch (change.what) {
    case index_change::kind::put: e->index->put(change.document); break;
    case index_change::kind::remove: e->index->remove(change.issue_id); break;
    case index_change::kind::remove_project: e->index->remove_project(change.project); break;
    default: break;
  }
  e->generation = change.generation;
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
  if (generation > e->generation) e->stale = true;
}

void index_cache::invalidate_all() {
  std::lock_guard lock(map_mutex_);
  for (auto& [tenant, e] : entries_) {
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
