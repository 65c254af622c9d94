// Create-dialog hints: the sync job, the removal at uninstall, and the state the admin page shows.
#include "service/ui_modifications.hpp"

#include "jira/ui_modifications.hpp"
#include "service/settings.hpp"
#include "service/tenants.hpp"
#include "store/job_queue.hpp"
#include "store/tenant_store.hpp"
#include "store/ui_modification_store.hpp"
#include "util/log.hpp"

#include <chrono>
#include <set>
#include <stdexcept>

namespace doppel::service {
namespace {

constexpr const char* job_key = "uim";
constexpr long wait_seconds = 600;         // retry while the site has no usable system token (a new one: at once)
constexpr long refresh_seconds = 86400;    // daily: new projects' ids, new issue types, an entity deleted by hand
constexpr std::chrono::seconds uninstall_budget{20};  // the pre-uninstall call has 55 s

// Jira answered that it will not do it (no use retrying the same request): recorded, not retried.
bool refused(const error& e) {
  return e.stable_code == "jira_forbidden" || e.stable_code == "jira_bad_request" || e.stable_code == "jira_not_found";
}

void enqueue_sync(store::write_tx& tx, const std::string& tenant_id, long delay_seconds) {
  store::enqueue(tx, tenant_id, store::job_kind::sync_ui_modification, job_key, "{}", delay_seconds);
}

void wait_for_token(store::write_tx& tx, const std::string& tenant_id, store::ui_modification_row row,
                    const std::string& reason) {
  if (row.state != "waiting" || row.reason != reason)
    log::warn("ui modification sync waiting for a system token", {{"tenant", tenant_id}, {"reason", reason}});
  row.state = "waiting";
  row.reason = reason;
  row.synced = false;
  store::write_ui_modification(tx, tenant_id, row);
  enqueue_sync(tx, tenant_id, wait_seconds);
}

// The contexts the settings ask for, with the scope facts of the row filled in.
result<std::vector<jira::uim_context>> wanted_contexts(jira::jira_client& client, const tenant_settings& settings,
                                                        store::ui_modification_row& row) {
  if (settings.projects.empty()) {
    auto types = jira::issue_type_ids(client);
    if (!types) return types.error();
    auto contexts = jira::contexts_for_issue_types(*types);
    row.scope = "all";
    row.projects = 0;
    row.contexts = int(contexts.size());
    return contexts;
  }
  auto ids = jira::project_ids_for_keys(client, settings.projects);
  if (!ids) return ids.error();
  auto contexts = jira::contexts_for_projects(*ids);
  row.scope = "projects";
  row.projects = int(contexts.size());
  row.contexts = int(contexts.size());
  return contexts;
}

// Makes Jira hold exactly one Doppel entity with `wanted` (none when wanted is empty and none exists); returns its
// id ("" when none). Reuses the stored id when Jira still lists it, else the first one found by name and data.
result<std::string> converge(jira::jira_client& client, const std::string& stored_id,
                             const std::vector<jira::uim_context>& wanted) {
  auto mine = jira::list_own_ui_modifications(client);
  if (!mine) return mine.error();
  const jira::uim_entity* keep = nullptr;
  for (const auto& e : *mine)
    if (e.id == stored_id) keep = &e;
  if (!keep && !mine->empty()) keep = &mine->front();
  for (const auto& e : *mine) {
    if (&e == keep) continue;
    if (auto gone = jira::delete_ui_modification(client, e.id); !gone) return gone.error();
    log::info("extra ui modification deleted", {{"entity", e.id}});
  }
  if (keep) {
    if (jira::same_contexts(keep->contexts, wanted)) return keep->id;
    auto updated = jira::update_ui_modification(client, keep->id, wanted);
    if (updated) return keep->id;
    if (updated.error().code != errc::not_found) return updated.error();
    // deleted between the listing and the update: create it again
  }
  if (wanted.empty()) return std::string();
  return jira::create_ui_modification(client, wanted);
}

}  // namespace

void queue_ui_modification_sync(store::write_tx& tx, const std::string& tenant_id) {
  store::mark_ui_modification_pending(tx, tenant_id);
  enqueue_sync(tx, tenant_id, 0);
  store::make_due_now(tx, tenant_id, store::job_kind::sync_ui_modification);  // a queued daily refresh runs now
}

void wake_ui_modification_sync(store::write_tx& tx, const std::string& tenant_id) {
  auto row = store::read_ui_modification(tx, tenant_id);
  if (row && row->state == "waiting") store::make_due_now(tx, tenant_id, store::job_kind::sync_ui_modification);
}

void sync_ui_modification(store::write_tx& tx, context& ctx, const std::string& tenant_id) {
  auto tenant = store::find_tenant(tx, tenant_id);
  if (!tenant || tenant->kind != "forge" || tenant->state == "uninstalled") return;
  auto row = store::lock_ui_modification(tx, tenant_id);  // one sync per site at a time
  auto client = jira_for_tenant(ctx, tenant_id, nullptr);
  if (!client) {
    if (client.error().code == errc::unavailable) return wait_for_token(tx, tenant_id, row, client.error().stable_code);
    throw std::runtime_error("ui modification sync: " + client.error().message);
  }
  auto outcome = [&]() -> result<std::string> {
    auto wanted = wanted_contexts(**client, load_settings(tx, tenant_id), row);
    if (!wanted) return wanted.error();
    return converge(**client, row.entity_id, *wanted);
  }();
  if (!outcome) {
    const auto& e = outcome.error();
    // Jira no longer takes the stored token: wait for a fresh one (remember_system_token makes this job due).
    // The token is left for the backfill to forget, which reports the rejection on its own progress row.
    if (e.stable_code == "jira_unauthorized") return wait_for_token(tx, tenant_id, row, "forge_token_rejected");
    if (!refused(e)) throw std::runtime_error("ui modification sync: " + e.message);
    log::warn("ui modification refused by Jira", {{"tenant", tenant_id}, {"error", e.stable_code}});
    row.state = "failed";
    row.reason = e.stable_code;
    row.synced = false;
    store::write_ui_modification(tx, tenant_id, row);
    return;
  }
  row.entity_id = *outcome;
  row.state = row.contexts > 0 ? "active" : "inactive";
  row.reason = row.contexts > 0 ? "" : row.scope == "all" ? "no_issue_types" : "no_known_project";
  row.synced = true;
  store::write_ui_modification(tx, tenant_id, row);
  enqueue_sync(tx, tenant_id, refresh_seconds);
  log::info("ui modification synced",
            {{"tenant", tenant_id}, {"state", row.state}, {"scope", row.scope}, {"contexts", row.contexts}});
}

doppel::status remove_ui_modification(context& ctx, const caller& who) {
  auto client = jira_for_tenant(ctx, who.tenant_id, &who);
  if (!client) return client.error();
  (*client)->limit_to_request(std::chrono::duration_cast<std::chrono::milliseconds>(uninstall_budget));
  return ctx.db.write([&](store::write_tx& tx) -> status {
    auto row = store::lock_ui_modification(tx, who.tenant_id);
    std::set<std::string> ids;
    if (!row.entity_id.empty()) ids.insert(row.entity_id);
    if (auto mine = jira::list_own_ui_modifications(**client))
      for (const auto& e : *mine) ids.insert(e.id);
    for (const auto& id : ids) {
      if (auto gone = jira::delete_ui_modification(**client, id); !gone) {
        log::warn("ui modification not deleted at uninstall", {{"tenant", who.tenant_id}, {"error", gone.error().stable_code}});
        row.state = "failed";
        row.reason = gone.error().stable_code;
        store::write_ui_modification(tx, who.tenant_id, row);
        return gone.error();
      }
    }
    row = {};
    row.state = "removed";
    row.synced = true;
    store::write_ui_modification(tx, who.tenant_id, row);
    log::info("ui modification removed", {{"tenant", who.tenant_id}, {"deleted", int(ids.size())}});
    return ok();
  });
}

hints_status create_dialog_hints(store::tx_base& tx, const std::string& tenant_id) {
  auto tenant = store::find_tenant(tx, tenant_id);
  if (!tenant || tenant->kind != "forge") return {"unsupported", "", "connect_no_hook"};
  auto row = store::read_ui_modification(tx, tenant_id);
  if (!row) return {"pending", "", "not_synced"};
  return {row->state, row->scope, row->reason, row->projects, row->contexts};
}

}  // namespace doppel::service
