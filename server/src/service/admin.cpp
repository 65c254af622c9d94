// Admin use-cases: the Jira-admin check, then one transaction each.
#include "service/admin.hpp"

#include "service/backfill.hpp"
#include "service/tenants.hpp"
#include "service/ui_modifications.hpp"
#include "store/job_queue.hpp"
#include "store/tenant_store.hpp"
#include "util/log.hpp"

#include <boost/json.hpp>

namespace doppel::service {

status require_admin(context& ctx, const caller& who) {
  if (who.account_id.empty())
    return make_error(errc::forbidden, "not_admin", "This call carries no user; only Jira administrators may do this");
  if (auto known = ctx.admins.get(who.tenant_id, who.account_id)) {
    if (*known) return ok();
    return make_error(errc::forbidden, "not_admin", "Only Jira administrators may do this");
  }
  auto jira = jira_for_tenant(ctx, who.tenant_id, &who);
  if (!jira) {
    if (jira.error().code == errc::not_found) return jira.error();
    return make_error(errc::unavailable, "jira_unreachable", "Jira could not confirm admin rights; try again");
  }
  auto is_admin = (*jira)->is_jira_admin(who.account_id);
  if (!is_admin) {
    log::warn("jira admin check failed", {{"tenant", who.tenant_id}, {"error", is_admin.error().stable_code}});
    return make_error(errc::unavailable, "jira_unreachable", "Jira could not confirm admin rights; try again");
  }
  ctx.admins.put(who.tenant_id, who.account_id, *is_admin);
  if (!*is_admin) return make_error(errc::forbidden, "not_admin", "Only Jira administrators may do this");
  return ok();
}

result<tenant_settings> get_settings(context& ctx, const caller& who) {
  if (auto allowed = require_admin(ctx, who); !allowed) return allowed.error();
  return ctx.db.read([&](store::read_tx& tx) { return load_settings(tx, who.tenant_id); });
}

result<tenant_settings> put_settings(context& ctx, const caller& who, std::string_view body) {
  // The admin check comes before the body is read: a non-admin learns nothing from validation errors.
  if (auto allowed = require_admin(ctx, who); !allowed) return allowed.error();
  boost::system::error_code ec;
  auto json = boost::json::parse(body, ec);
  if (ec) return make_error(errc::bad_request, "invalid_json", "Body is not valid JSON");
  if (!json.is_object()) return make_error(errc::bad_request, "invalid_json", "Body must be a JSON object");
  auto settings = settings_from_json(json);
  if (!settings) return settings.error();
  ctx.db.write([&](store::write_tx& tx) {
    const bool scope_changed = load_settings(tx, who.tenant_id).projects != settings->projects;
    save_settings(tx, who.tenant_id, *settings);
    // The create-dialog hints follow the project scope (Forge only: Connect has no hook in that dialog).
    auto tenant = store::find_tenant(tx, who.tenant_id);
    if (scope_changed && tenant && tenant->kind == "forge") queue_ui_modification_sync(tx, who.tenant_id);
  });
  ctx.index.invalidate(who.tenant_id);
  ctx.tenants->forget(who.tenant_id);  // this replica at once; the others on save_settings' NOTIFY
  log::info("tenant settings saved", {{"tenant", who.tenant_id}});
  return settings;
}

status start_backfill(context& ctx, const caller& who) {
  if (auto allowed = require_admin(ctx, who); !allowed) return allowed;
  ctx.db.write([&](store::write_tx& tx) {
    begin_backfill(tx, who.tenant_id, load_settings(tx, who.tenant_id).projects, backfill_start::restart);
  });
  log::info("backfill started", {{"tenant", who.tenant_id}});
  return ok();
}

result<std::string> stop_backfill(context& ctx, const caller& who) {
  if (auto allowed = require_admin(ctx, who); !allowed) return allowed.error();
  auto state = stop_backfill(ctx, who.tenant_id);
  log::info("backfill stopped", {{"tenant", who.tenant_id}});
  return state;
}

result<bool> queue_rescan(context& ctx, const caller& who) {
  if (auto allowed = require_admin(ctx, who); !allowed) return allowed.error();
  return ctx.db.write(
      [&](store::write_tx& tx) { return store::enqueue(tx, who.tenant_id, store::job_kind::rescan, "rescan", "{}"); });
}

result<admin_statistics> statistics(context& ctx, const caller& who) {
  if (auto allowed = require_admin(ctx, who); !allowed) return allowed.error();
  return ctx.db.read([&](store::read_tx& tx) {
    return admin_statistics{store::read_index_overview(tx, who.tenant_id), store::count_by_status(tx, who.tenant_id),
                            store::count_jobs(tx, who.tenant_id), store::read_backfill(tx, who.tenant_id),
                            create_dialog_hints(tx, who.tenant_id)};
  });
}

result<store::deleted_counts> delete_data(context& ctx, const caller& who) {
  if (auto allowed = require_admin(ctx, who); !allowed) return allowed.error();
  auto d = ctx.db.write([&](store::write_tx& tx) { return store::delete_tenant_data(tx, who.tenant_id); });
  ctx.index.invalidate(who.tenant_id);
  log::info("tenant data deleted on request",
            {{"tenant", who.tenant_id}, {"issues", d.issues}, {"pairs", d.pairs}, {"events", d.events}});
  return d;
}

}  // namespace doppel::service
