// Backfill: index a site's existing backlog from Jira's search API, a few pages per job run, resumable.
#pragma once

#include "service/context.hpp"

#include <string>
#include <vector>

namespace doppel::service {

// The fields every read of a Jira issue asks for (backfill pages, the panel's fetch of a not-yet-indexed issue).
const std::vector<std::string>& indexed_issue_fields();

enum class backfill_start {
  if_never_run,  // installs: a reinstall keeps the earlier run's progress
  restart,       // the admin's "Backfill now": from the first page, counters reset
};

// The one way a backfill begins: the progress row (whole site, or the given projects) and its job, in `tx`.
// Returns whether a run was started.
bool begin_backfill(store::write_tx& tx, const std::string& tenant_id, const std::vector<std::string>& projects,
                    backfill_start mode);
// Stops a running backfill; returns the state afterwards (idle when there never was one).
std::string stop_backfill(context& ctx, const std::string& tenant_id);

// The backfill job: a few pages into the index, progress recorded; queues its next run, or the rescan when done.
// A Forge site without a usable system token waits (progress kept) and says why on the progress row.
void run_backfill_step(store::write_tx& tx, context& ctx, const std::string& tenant_id);

}  // namespace doppel::service
