// Tenants table access: install upserts keyed by tenant id (never by base URL), state changes, lookups.
#pragma once

#include <pqxx/pqxx>

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

// Insert or refresh a Forge installation (tenant id = installationId).
bool upsert_forge_install(pqxx::work& tx, const std::string& installation_id, const std::string& api_base_url,
                          const std::string& cloud_id, const std::string& site_url);

std::optional<tenant_record> find_tenant(pqxx::transaction_base& tx, const std::string& tenant_id);

// Sets installed/enabled/disabled. Returns false when the tenant does not exist.
bool set_tenant_state(pqxx::work& tx, const std::string& tenant_id, const std::string& state);

// Marks the tenant uninstalled with data deletion due after retention_seconds.
bool mark_uninstalled(pqxx::work& tx, const std::string& tenant_id, long retention_seconds);

}  // namespace doppel::store
