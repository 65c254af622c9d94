// Tenants and their lifecycle: Connect installs, Forge installations, state changes, uninstall and purge,
// the Forge app system token, and the outgoing Jira client a tenant's credentials give.
#pragma once

#include "jira/jira_client.hpp"
#include "service/context.hpp"
#include "service/permissions.hpp"
#include "store/inbox.hpp"
#include "util/result.hpp"

#include <memory>
#include <optional>
#include <string>

namespace doppel::service {

// The fields of a Connect `installed` callback body.
struct connect_install_request {
  std::string key, client_key, shared_secret, base_url, display_url, product_type, oauth_client_id, cloud_id;
};

// Validates the install (app key, lengths, base URL allowlist), stores the sealed secret and, on a first install,
// begins the backlog backfill. Errors: errc::bad_request (invalid_install, wrong_app_key, host not allowed).
// Returns true for a first install.
result<bool> install_connect(context& ctx, const connect_install_request& in);
// Marks the tenant uninstalled (data kept for the retention window, then purged by a job).
void uninstall(context& ctx, const std::string& tenant_id);
// enabled | disabled. Returns whether the state changed.
bool set_tenant_state(context& ctx, const std::string& tenant_id, const std::string& state);

// Registers (or refreshes) the Forge installation of a verified Forge call and keeps its app system token; on
// install/upgrade (`begin`) an uninstalled site is installed again, the backlog backfill starts and the
// create-dialog hints' entity is synced; a product event is stored in the inbox with its job (a late one never
// revives an uninstalled site). One transaction. Returns whether the product event was new (false for a redelivery or when none was given).
bool register_forge_call(context& ctx, const caller& who, bool begin, const store::inbound_event* product_event);
// Forge's pre-uninstall call: deletes the create-dialog hints' entity with the call's token (best effort; its error
// is returned for the log), then uninstalls like Connect (data kept for the retention window, then purged).
doppel::status uninstall_forge(context& ctx, const caller& who);
// A Connect webhook's event: stored with its job in one synchronous statement shared with the events that arrived
// meanwhile (group commit); returns once committed. False for a redelivery. Throws when the commit failed.
bool accept_event(context& ctx, const store::inbound_event& ev);
// accept_event without waiting: `done` is told once the event is committed (or why not), on the committing thread;
// the event must stay alive until then. The request answers from there, so no handler thread waits per event.
void accept_event_async(context& ctx, const store::inbound_event& ev, store::inbox_accepted_fn done);

// For a Connect tenant: its base URL, our app key, its opened shared secret. For a Forge tenant: its apiBaseUrl
// and an app system token: the one on this request (who is a Forge caller with x-forge-oauth-system), else the
// latest stored one (background jobs pass who = nullptr).
// Every call goes through the site's gate (ctx.jira_gates: a few calls at a time per site, none while its Retry-After
// runs). With who (a user request): all calls within request_jira_budget, a busy or throttled site fails at once
// ("jira_busy", "jira_rate_limited"), nothing slept out. Without (a job): within jira_job_budget, each attempt within
// jira_attempt_budget, no retry slept out either: a job that cannot call is rescheduled (throw_jira_failure).
// Errors: errc::not_found "unknown_tenant"; errc::unavailable "forge_token_missing" / "forge_token_expired"
// (no usable system token: wait for the next Forge call); errc::internal "secret_unavailable".
result<std::shared_ptr<jira::jira_client>> jira_for_tenant(context& ctx, const std::string& tenant_id,
                                                          const caller* who);

// The tenant's row and settings as user requests read them: from this replica's memory (service/tenant_cache),
// else one read. Background jobs read the row itself (a token stored a moment ago must be the one they use).
std::shared_ptr<const tenant_snapshot> tenant_snapshot_of(context& ctx, const std::string& tenant_id);

// The viewer's permission check on a user request: Jira as the app (jira_for_tenant with who), all its calls within
// request_jira_budget (a long Retry-After fails fast instead of sleeping on the request thread).

// A background job's Jira budgets: all its calls together (well inside the job's lease) and each attempt.
inline constexpr std::chrono::milliseconds jira_job_budget{40000};
inline constexpr std::chrono::milliseconds jira_attempt_budget{10000};

// Whether a failed Jira call means "this site cannot be called now" (it throttles, or its slots are taken): the job
// should wait for the site instead of failing.
bool jira_should_wait(const error& e);
// A job's Jira call failed: throws store::job_deferred (the job runs again after the site's Retry-After or a short
// pause, not counted as an attempt and not holding a worker) when jira_should_wait, else std::runtime_error
// "<what>: <message>" (an ordinary failure, retried with backoff).
[[noreturn]] void throw_jira_failure(context& ctx, const std::string& tenant_id, const error& e, std::string_view what);
result<permission_check_fn> permission_checker(context& ctx, const caller& who);

// The viewer of a user request with its permission check: what every use-case that reads or writes issues for a
// user starts from. errc::unauthorized "anonymous_viewer" without a user; permission_checker's errors.
struct viewer_check {
  auth::viewer viewer;
  permission_check_fn check;
};
result<viewer_check> viewer_check_for(context& ctx, const caller& who);

// The sealed token a client from jira_for_tenant(who = nullptr) uses for a Forge tenant (to forget exactly that
// one when Jira rejects it); empty for Connect tenants.
std::string stored_system_token_box(context& ctx, const std::string& tenant_id);

// Keeps the system token of a verified Forge call (never logged): sealed, with its exp. `force` = the call is a
// Forge event delivery (always the latest); UI calls replace only an older token. When the stored token changed, a
// backfill or create-dialog hints sync waiting for one is made due now. Returns true when stored.
bool remember_system_token(store::write_tx& tx, context& ctx, const caller& who, bool force);
// The same in a transaction of its own (a Forge UI call's token, kept by authentication).
bool remember_system_token(context& ctx, const caller& who);

// Where the tenant's pages may be framed from and its issues browsed: base URL and display URL (empty if unknown).
struct site_urls {
  std::string base_url, display_url;
};
site_urls site_of(context& ctx, const std::string& tenant_id);

// The purge job: deletes an uninstalled tenant's data once its retention has passed (re-queues itself until then;
// a reinstall keeps everything).
void purge_if_due(store::write_tx& tx, context& ctx, const std::string& tenant_id);

}  // namespace doppel::service
