// Tenants and their lifecycle, the Forge app system token, and the Jira client for a tenant's credentials.
#include "service/tenants.hpp"

#include "auth/forge_token.hpp"
#include "service/backfill.hpp"
#include "service/settings.hpp"
#include "service/ui_modifications.hpp"
#include "store/job_queue.hpp"
#include "store/tenant_store.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"

#include <random>

namespace doppel::service {
namespace {

constexpr std::size_t max_secret_length = 128;
constexpr std::size_t max_client_key_length = 255;

std::int64_t now_s() { return unix_seconds(std::chrono::system_clock::now()); }

std::optional<store::tenant_record> find_tenant(context& ctx, const std::string& tenant_id) {
  return ctx.db.read([&](store::read_tx& tx) { return store::find_tenant(tx, tenant_id); });
}

}  // namespace

result<bool> install_connect(context& ctx, const connect_install_request& in) {
  if (in.key != ctx.app_key) return make_error(errc::bad_request, "wrong_app_key", "Install is for another app key");
  if (in.client_key.empty() || in.client_key.size() > max_client_key_length)
    return make_error(errc::bad_request, "invalid_install", "clientKey must be 1 to 255 characters");
  if (in.shared_secret.empty() || in.shared_secret.size() > max_secret_length)
    return make_error(errc::bad_request, "invalid_install", "sharedSecret must be 1 to 128 characters");
  if (auto s = ctx.allowed_hosts.check_base_url(in.base_url); !s) return s.error();
  store::connect_install row;
  row.client_key = in.client_key;
  row.base_url = in.base_url;
  while (!row.base_url.empty() && row.base_url.back() == '/') row.base_url.pop_back();
  row.display_url = in.display_url;
  if (!row.display_url.empty() && !ctx.allowed_hosts.check_base_url(row.display_url)) row.display_url.clear();
  row.product_type = in.product_type;
  row.oauth_client_id = in.oauth_client_id;
  row.cloud_id = in.cloud_id;
  row.sealed_secret = ctx.secrets.seal(in.shared_secret);
  bool first = ctx.db.write([&](store::write_tx& tx) {
    bool is_new = store::upsert_connect_install(tx, row);
    // First install (or a site import's new clientKey): index the existing backlog.
    begin_backfill(tx, row.client_key, {}, backfill_start::if_never_run);
    return is_new;
  });
  ctx.tenant_keys.forget(row.client_key);  // a reinstall may bring a new secret
  ctx.tenants->forget(row.client_key);
  log::info("tenant installed", {{"tenant", row.client_key}, {"first_install", first}});
  return first;
}

void uninstall(context& ctx, const std::string& tenant_id) {
  long retention = long(ctx.uninstall_retention.count());
  ctx.db.write([&](store::write_tx& tx) {
    if (store::mark_uninstalled(tx, tenant_id, retention))
      store::enqueue(tx, tenant_id, store::job_kind::purge_tenant, "purge", "{}", retention);
  });
  ctx.tenant_keys.forget(tenant_id);
  ctx.tenants->forget(tenant_id);
  log::info("tenant uninstalled", {{"tenant", tenant_id}, {"retention_seconds", retention}});
}

bool set_tenant_state(context& ctx, const std::string& tenant_id, const std::string& state) {
  bool changed = ctx.db.write([&](store::write_tx& tx) { return store::set_tenant_state(tx, tenant_id, state); });
  ctx.tenant_keys.forget(tenant_id);  // this replica at once; the others on the trigger's NOTIFY
  ctx.tenants->forget(tenant_id);
  log::info("tenant state", {{"tenant", tenant_id}, {"state", state}, {"changed", changed}});
  return changed;
}

bool register_forge_call(context& ctx, const caller& who, bool begin, const store::inbound_event* product_event) {
  return ctx.db.write([&](store::write_tx& tx) {
    store::upsert_forge_install(tx, who.tenant_id, who.forge_api_base_url, who.forge_cloud_id, who.forge_site_url,
                                begin);
    remember_system_token(tx, ctx, who, true);
    if (begin) {
      begin_backfill(tx, who.tenant_id, {}, backfill_start::if_never_run);
      queue_ui_modification_sync(tx, who.tenant_id);  // the create-dialog hints' entity (created or brought up to date)
    }
    return product_event && store::accept_event(tx, *product_event);
  });
}

doppel::status uninstall_forge(context& ctx, const caller& who) {
  auto removed = remove_ui_modification(ctx, who);  // while the app and its token still work
  uninstall(ctx, who.tenant_id);
  return removed;
}

bool accept_event(context& ctx, const store::inbound_event& ev) {
  // Group commit: one statement in autocommit for every event that arrived meanwhile; its synchronous commit makes
  // the event durable before the acknowledgement.
  return ctx.inbox->accept(ev);
}

void accept_event_async(context& ctx, const store::inbound_event& ev, store::inbox_accepted_fn done) {
  ctx.inbox->accept_async(ev, std::move(done));
}

namespace {

// The client for these credentials with the site's gate, as a request's or a job's.
std::shared_ptr<jira::jira_client> gated_client(context& ctx, const std::string& tenant_id, const caller* who,
                                                jira::credentials creds) {
  jira::jira_client_deps deps;
  deps.http = ctx.http;
  deps.gate = ctx.jira_gates->gate_for(tenant_id);
  auto client = std::make_shared<jira::jira_client>(std::move(creds), std::move(deps));
  if (who) client->limit_to_request(request_jira_budget);
  else client->limit_to_job(jira_job_budget, jira_attempt_budget);
  return client;
}

}  // namespace

result<std::shared_ptr<jira::jira_client>> jira_for_tenant(context& ctx, const std::string& tenant_id,
                                                          const caller* who) {
  if (who && who->forge && !who->forge_api_base_url.empty() && auth::plausible_system_token(who->forge_system_token))
    return gated_client(ctx, tenant_id, who, jira::forge_credentials{who->forge_api_base_url, who->forge_system_token});
  auto tenant = who ? tenant_snapshot_of(ctx, tenant_id)->row : find_tenant(ctx, tenant_id);
  if (!tenant || tenant->state == "uninstalled") return make_error(errc::not_found, "unknown_tenant", "Unknown tenant");
  if (tenant->kind == "forge") {
    auto problem = auth::system_token_problem(!tenant->system_token_box.empty(), tenant->system_token_expires, now_s());
    if (!problem.empty())
      return make_error(errc::unavailable, problem, problem == "forge_token_missing"
                                                        ? "No Forge app system token stored for this site yet"
                                                        : "The stored Forge app system token has expired");
    auto token = ctx.secrets.open(tenant->system_token_box);
    if (!token) return make_error(errc::internal, "secret_unavailable", "Stored system token cannot be opened");
    // For a Forge tenant base_url is the FIT's app.apiBaseUrl (see store::upsert_forge_install).
    return gated_client(ctx, tenant_id, who, jira::forge_credentials{tenant->base_url, std::move(*token)});
  }
  auto secret = ctx.secrets.open(tenant->secret_box);
  if (!secret) return make_error(errc::internal, "secret_unavailable", "Tenant secret cannot be opened");
  return gated_client(ctx, tenant_id, who, jira::connect_credentials{tenant->base_url, ctx.app_key, std::move(*secret)});
}

std::shared_ptr<const tenant_snapshot> tenant_snapshot_of(context& ctx, const std::string& tenant_id) {
  return ctx.tenants->get(tenant_id, [&] {
    return ctx.db.read([&](store::read_tx& tx) {
      return tenant_snapshot{store::find_tenant(tx, tenant_id), load_settings(tx, tenant_id)};
    });
  });
}

result<permission_check_fn> permission_checker(context& ctx, const caller& who) {
  auto client = jira_for_tenant(ctx, who.tenant_id, &who);  // a request's client: request_jira_budget
  if (!client) return client.error();
  return checker_of(*client);
}

bool jira_should_wait(const error& e) {
  return e.code == errc::rate_limited || e.stable_code == "jira_busy" || e.stable_code == "jira_rate_limited";
}

void throw_jira_failure(context& ctx, const std::string& tenant_id, const error& e, std::string_view what) {
  if (!jira_should_wait(e)) throw std::runtime_error(std::string(what) + ": " + e.message);
  static thread_local std::minstd_rand random{std::random_device{}()};
  const double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(random);
  throw store::job_deferred(std::string(what) + ": " + e.message, ctx.jira_gates->gate_for(tenant_id)->retry_in(jitter));
}

result<viewer_check> viewer_check_for(context& ctx, const caller& who) {
  auto viewer = viewer_of(who);
  if (!viewer) return viewer.error();
  auto check = permission_checker(ctx, who);
  if (!check) return check.error();
  return viewer_check{*viewer, std::move(*check)};
}

std::string stored_system_token_box(context& ctx, const std::string& tenant_id) {
  auto tenant = find_tenant(ctx, tenant_id);
  return tenant && tenant->kind == "forge" ? tenant->system_token_box : std::string();
}

bool remember_system_token(store::write_tx& tx, context& ctx, const caller& who, bool force) {
  if (!who.forge || !auth::plausible_system_token(who.forge_system_token)) return false;
  auto expires = auth::system_token_expiry(who.forge_system_token, now_s());
  if (expires && *expires <= now_s()) return false;  // already expired: keep whatever is stored
  if (!store::save_system_token(tx, who.tenant_id, ctx.secrets.seal(who.forge_system_token), expires, force))
    return false;
  // Work waiting for a token runs now: a backfill, a sync of the create-dialog hints' entity.
  store::make_due_now(tx, who.tenant_id, store::job_kind::backfill);
  wake_ui_modification_sync(tx, who.tenant_id);  // not the daily refresh: only a sync that waits for a token
  tx.after_commit([&ctx, tenant_id = who.tenant_id] { ctx.tenants->forget(tenant_id); });  // the others: NOTIFY
  return true;
}

bool remember_system_token(context& ctx, const caller& who) {
  if (!who.forge || who.forge_system_token.empty()) return false;
  return ctx.db.write([&](store::write_tx& tx) { return remember_system_token(tx, ctx, who, false); });
}

site_urls site_of(context& ctx, const std::string& tenant_id) {
  const auto snapshot = tenant_snapshot_of(ctx, tenant_id);
  const auto& t = snapshot->row;
  if (!t) return {};
  return {t->base_url, t->display_url};
}

void purge_if_due(store::write_tx& tx, context& ctx, const std::string& tenant_id) {
  auto status = store::lock_for_purge(tx, tenant_id);
  if (!status) return;  // reinstalled: keep everything
  if (!status->due) {
    store::enqueue(tx, tenant_id, store::job_kind::purge_tenant, "purge:later", "{}",
                   std::max<long>(1, status->seconds_left));
    return;
  }
  // The tenant row (and with it every table's rows, by cascade, this job's row too) goes right after this commit.
  tx.after_commit([&ctx, tenant_id] {
    ctx.db.write([&](store::write_tx& tx2) { store::delete_tenant_if_due(tx2, tenant_id); });
    ctx.index.invalidate(tenant_id);
    ctx.tenants->forget(tenant_id);
    log::info("tenant data deleted", {{"tenant", tenant_id}});
  });
}

}  // namespace doppel::service
