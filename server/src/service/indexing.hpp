// Keeping a tenant's index current: apply its inbox events, project deletions and rescans, and publish each
// committed change to this replica's memory copy and (NOTIFY) to the others.
#pragma once

#include "core/index.hpp"
#include "core/issue_document.hpp"
#include "service/context.hpp"
#include "store/index_store.hpp"

#include <string>
#include <vector>

namespace doppel::service {

// The index changes of one transaction: written through it, published once it commits.
class index_batch {
 public:
  explicit index_batch(std::string tenant_id) : tenant_id_(std::move(tenant_id)) {}
  // Stores the issue's new version; false when it was stale or deleted since. `indexed` (optional) receives it.
  bool put(store::write_tx& tx, const core::issue_document& doc, core::indexed_document* indexed = nullptr);
  void remove(store::write_tx& tx, const std::string& issue_id, std::int64_t when_ms);
  void remove_project(store::write_tx& tx, const std::string& project, std::int64_t when_ms);
  // NOTIFY for other replicas in tx; this replica's memory copy right after the commit.
  void publish(store::write_tx& tx, context& ctx);

 private:
  std::string tenant_id_;
  std::vector<store::index_change> changes_;
};

// The apply job: the issue's unprocessed deliveries in order, then suggestions for a just-created issue.
void apply_issue_events(store::write_tx& tx, context& ctx, const std::string& tenant_id, const std::string& issue_id);
// A deleted project: its issues leave the index and their pairs go.
void apply_project_delete(store::write_tx& tx, context& ctx, const std::string& tenant_id, const std::string& project);

// A new issue's likely duplicates among older issues, rated from both ends, stored as pending pairs: run by its
// flags job (queued by the apply when a pair may be likely) once the issue is in this replica's memory copy. False
// while the issue is live but not in this copy yet (the job is retried); true otherwise (also when deleted since).
bool store_new_issue_pairs(store::write_tx& tx, context& ctx, const std::string& tenant_id, const std::string& issue_id);

// One rescan batch (issues after `after_issue_id`): each issue's likely duplicates among older issues are stored as
// pending pairs. Queues the next batch, or plans the next scheduled pass. `scheduled` runs stop when the schedule is
// off.
void rescan_batch(store::write_tx& tx, context& ctx, const std::string& tenant_id, const std::string& after_issue_id,
                  bool scheduled);

}  // namespace doppel::service
