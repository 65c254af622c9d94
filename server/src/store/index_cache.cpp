// index_cache implementation: lazy load with generation checks, in-order delta application (out-of-order
// changes held), reload when behind for longer than the grace period, invalidation.
#include "store/index_cache.hpp"

namespace doppel::store {

index_cache::index_cache(loader_fn loader, std::chrono::milliseconds grace)
    : loader_(std::move(loader)), grace_(grace) {}

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

void index_cache::catch_up(entry& e) {
  for (auto it = e.held.upper_bound(e.generation); it != e.held.end() && it->first == e.generation + 1; ++it) {
    apply_to(*e.index, it->second);
    e.generation = it->first;
  }
  // The most recent applied changes stay for a load running meanwhile, whose snapshot may be older.
  e.held.erase(e.held.begin(), e.held.lower_bound(e.generation - keep_applied));
  if (e.newest_seen <= e.generation) e.behind_since = {};
  else if (e.behind_since == std::chrono::steady_clock::time_point{}) e.behind_since = std::chrono::steady_clock::now();
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
    auto& slot = entries_[tenant_id];
    if (!slot) slot = std::make_shared<entry>();
    e = slot;
  }
  {
    std::shared_lock lock(e->mutex);
    if (!due_for_reload(*e)) return e;
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
  auto fresh = std::make_unique<core::search_index>(loader_(tenant_id, generation));
  std::unique_lock lock(e->mutex);
  e->index = std::move(fresh);
  e->generation = generation;
  e->behind_since = {};
  // Changes committed during the load that the snapshot does not hold were held (or are still to
  // come): apply them in order; if some never come, the grace period triggers another load.
  // Invalidated during the load (stale again): the next use loads again.
  if (!e->stale) catch_up(*e);
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
  if (!e->index) return;
  if (change.generation <= e->generation) return;  // already part of the loaded snapshot
  // Held even while stale: a load in progress may end before this generation.
  e->held.emplace(change.generation, change);
  if (e->held.size() > max_held) {
    e->held.clear();
    e->stale = true;
    return;
  }
  if (!e->stale) catch_up(*e);
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
