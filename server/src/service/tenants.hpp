// Tenants and their lifecycle: Connect installs, Forge installations, state changes, uninstall and purge,
// the Forge app system token, and the outgoing Jira client a tenant's credentials give.
#pragma once

#include "jira/jira_client.hpp"
#include "service/context.hpp"
#include "service/permissions.hpp"
#include "store/inbox.hpp"

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
// install/upgrade (`begin`) the backlog backfill starts; a product event is stored in the inbox with its job. One
// transaction. Returns whether the product event was new (false for a redelivery or when none was given).
bool register_forge_call(context& ctx, const caller& who, bool begin, const store::inbound_event* product_event);
// A Connect webhook's event: stored with its job in one synchronous statement. False for a redelivery.
bool accept_event(context& ctx, const store::inbound_event& ev);

// For a Connect tenant: its base URL, our app key, its opened shared secret. For a Forge tenant: its apiBaseUrl
// and an app system token: the one on this request (who is a Forge caller with x-forge-oauth-system), else the
// latest stored one (background jobs pass who = nullptr).
// Errors: errc::not_found "unknown_tenant"; errc::unavailable "forge_token_missing" / "forge_token_expired"
// (no usable system token: wait for the next Forge call); errc::internal "secret_unavailable".
result<std::shared_ptr<jira::jira_client>> jira_for_tenant(context& ctx, const std::string& tenant_id,
                                                          const caller* who);

// The tenant's row and settings as user requests read them: from this replica's memory (service/tenant_cache),
// else one read. Background jobs read the row itself (a token stored a moment ago must be the one they use).
std::shared_ptr<const tenant_snapshot> tenant_snapshot_of(context& ctx, const std::string& tenant_id);

// The viewer's permission check on a user request: Jira as the app (jira_for_tenant with who), all its calls within
// permission_check_budget (a long Retry-After fails fast instead of sleeping on the request thread).
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
// backfill waiting for one is made due now. Returns true when stored.
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
