// Tenants table access: install upserts keyed by tenant id (never by base URL), state changes, lookups.
#pragma once

#include <pqxx/pqxx>

#include <cstdint>
#include <optional>
#include <string>

namespace doppel::store {

struct tenant_record {
  std::string tenant_id;
  std::string kind;          // "connect" | "forge"
  std::string base_url;
  std::string display_url;
  std::string product_type;
  std::string oauth_client_id;
  std::string cloud_id;
  std::string secret_box;    // sealed shared secret (Connect); empty for Forge
  std::string state;         // installed | enabled | disabled | uninstalled
  std::string system_token_box;                   // sealed Forge app system token; empty when none
  std::optional<std::int64_t> system_token_expires;  // its exp (unix seconds) when known
};

struct connect_install {
  std::string client_key;
  std::string base_url;
  std::string display_url;
  std::string product_type;
  std::string oauth_client_id;
  std::string cloud_id;
  std::string sealed_secret;
};

// Insert or update by clientKey; a reinstall rotates the secret and clears any pending deletion.
// Returns true when the tenant is new (first install).
bool upsert_connect_install(pqxx::work& tx, const connect_install& install);

// Insert or refresh a Forge installation (tenant id = installationId). `reinstall` (an install or upgrade event)
// brings an uninstalled tenant back and clears its pending deletion; other calls leave an uninstalled one as it is.
bool upsert_forge_install(pqxx::work& tx, const std::string& installation_id, const std::string& api_base_url,
                          const std::string& cloud_id, const std::string& site_url, bool reinstall);

// Stores a Forge app system token (already sealed) for an existing Forge tenant. Without `force` it replaces the
// stored one only when that one is missing, expired, of unknown expiry, or expires earlier than this one; with
// `force` (tokens from Forge's own event deliveries) it always replaces. Returns true when the row changed.
bool save_system_token(pqxx::work& tx, const std::string& tenant_id, const std::string& sealed_token,
                       std::optional<std::int64_t> expires_s, bool force);

// Forgets the stored token (Jira rejected it), unless a different one arrived meanwhile (same sealed value).
void clear_system_token(pqxx::work& tx, const std::string& tenant_id, const std::string& sealed_token);

std::optional<tenant_record> find_tenant(pqxx::transaction_base& tx, const std::string& tenant_id);

// Announces at commit that the tenant's row or settings changed (NOTIFY doppel_tenant, the channel migration 0006's
// trigger uses for secret, state and kind changes): every replica forgets what it keeps of the tenant in memory.
// The writes below call it for the columns the trigger does not watch; settings_store for the settings.
void notify_tenant_changed(pqxx::transaction_base& tx, const std::string& tenant_id);

// Sets installed/enabled/disabled. Returns false when the tenant does not exist.
bool set_tenant_state(pqxx::work& tx, const std::string& tenant_id, const std::string& state);

// Marks the tenant uninstalled with data deletion due after retention_seconds.
bool mark_uninstalled(pqxx::work& tx, const std::string& tenant_id, long retention_seconds);

// The purge job's view of an uninstalled tenant (row-locked): nullopt when it is not uninstalled (reinstalled).
struct purge_status {
  bool due = false;          // its retention has passed
  long seconds_left = 0;     // until then
};
std::optional<purge_status> lock_for_purge(pqxx::work& tx, const std::string& tenant_id);
// Deletes the tenant row (and by cascade every table's rows) if it is still uninstalled and due.
void delete_tenant_if_due(pqxx::work& tx, const std::string& tenant_id);

}  // namespace doppel::store
