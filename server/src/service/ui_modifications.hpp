// Create-dialog hints (Forge): Doppel's UI modification entity for the site, kept in step with the admin's project
// scope by a background job, removed at uninstall, and its state for the admin page. Connect has no such hook.
#pragma once

#include "service/context.hpp"
#include "store/database.hpp"
#include "util/result.hpp"

#include <string>

namespace doppel::service {

// Queues the sync job (now; coalesced) and marks the state pending unless already active. Forge tenants only: the
// caller knows the kind. Called at install/upgrade, on a scope change, and when the job has to wait.
void queue_ui_modification_sync(store::write_tx& tx, const std::string& tenant_id);

// A sync waiting for a system token runs now (a Forge call just stored one); any other queued sync keeps its time.
void wake_ui_modification_sync(store::write_tx& tx, const std::string& tenant_id);

// The job: the scope's contexts (project ids for the listed project keys, or one context per issue type for all
// projects) → find Doppel's entity among the app's (stored id, else by name and data) → update it when its
// contexts differ, or create it; extra copies are deleted. Waits (re-queued, state "waiting") without a usable
// system token; a Jira refusal is recorded ("failed", its code) without a retry; other failures throw (the job
// queue retries with backoff). Re-queues itself daily so new projects' ids and new issue types are picked up.
void sync_ui_modification(store::write_tx& tx, context& ctx, const std::string& tenant_id);

// At uninstall, with the uninstall call's own token: deletes Doppel's entities (stored id and any found by name and
// data) and records "removed". Best effort: errors are logged and returned, the uninstall goes on.
doppel::status remove_ui_modification(context& ctx, const caller& who);

// For GET /api/admin/stats: {"state","scope","projects","contexts","reason"}. Connect tenants: state "unsupported",
// reason "connect_no_hook".
struct hints_status {
  std::string state, scope, reason;
  int projects = 0, contexts = 0;
};
hints_status create_dialog_hints(store::tx_base& tx, const std::string& tenant_id);

}  // namespace doppel::service
