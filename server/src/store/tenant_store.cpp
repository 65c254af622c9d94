// SQL for the tenants table.
#include "store/tenant_store.hpp"

namespace doppel::store {
namespace {

std::optional<std::string> opt(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

}  // namespace

bool upsert_connect_install(pqxx::work& tx, const connect_install& in) {
  auto row = tx.exec_params1(
      "INSERT INTO tenants (tenant_id, kind, base_url, display_url, product_type, oauth_client_id, cloud_id,"
      "                     secret_box, state)"
      " VALUES ($1, 'connect', $2, $3, $4, $5, $6, $7, 'installed')"
      " ON CONFLICT (tenant_id) DO UPDATE SET"
      "   base_url = EXCLUDED.base_url, display_url = EXCLUDED.display_url,"
      "   product_type = EXCLUDED.product_type, oauth_client_id = EXCLUDED.oauth_client_id,"
      "   cloud_id = COALESCE(EXCLUDED.cloud_id, tenants.cloud_id), secret_box = EXCLUDED.secret_box,"
      "   state = CASE WHEN tenants.state = 'uninstalled' THEN 'installed' ELSE tenants.state END,"
      "   uninstalled_at = NULL, delete_after = NULL, updated_at = now()"
      " RETURNING (xmax = 0) AS inserted",
      in.client_key, in.base_url, opt(in.display_url), opt(in.product_type), opt(in.oauth_client_id),
      opt(in.cloud_id), in.sealed_secret);
  notify_tenant_changed(tx, in.client_key);  // base or display URL may change with the same secret
  return row[0].as<bool>();
}

bool upsert_forge_install(pqxx::work& tx, const std::string& installation_id, const std::string& api_base_url,
                          const std::string& cloud_id, const std::string& site_url, bool reinstall) {
  // Called on every Forge event: other replicas are told (NOTIFY) only when a column they keep changed. The CTE
  // `before` reads the row as it was before this statement's update.
  auto row = tx.exec_params1(
      "WITH before AS (SELECT base_url, display_url, cloud_id FROM tenants WHERE tenant_id = $1),"
      " up AS (INSERT INTO tenants (tenant_id, kind, base_url, display_url, cloud_id, state)"
      "  VALUES ($1, 'forge', $2, $3, $4, 'installed')"
      "  ON CONFLICT (tenant_id) DO UPDATE SET"
      "   base_url = EXCLUDED.base_url, display_url = COALESCE(EXCLUDED.display_url, tenants.display_url),"
      "   cloud_id = COALESCE(EXCLUDED.cloud_id, tenants.cloud_id),"
      "   state = CASE WHEN tenants.state = 'uninstalled' AND $5 THEN 'installed' ELSE tenants.state END,"
      "   uninstalled_at = CASE WHEN $5 THEN NULL ELSE tenants.uninstalled_at END,"
      "   delete_after = CASE WHEN $5 THEN NULL ELSE tenants.delete_after END, updated_at = now()"
      "  WHERE tenants.kind = 'forge'"
      "  RETURNING (xmax = 0) AS inserted, base_url, display_url, cloud_id)"
      " SELECT up.inserted, (b.base_url, b.display_url, b.cloud_id) IS DISTINCT FROM (up.base_url, up.display_url,"
      "   up.cloud_id) FROM up LEFT JOIN before b ON true",
      installation_id, api_base_url, opt(site_url), opt(cloud_id), reinstall);
  if (row[1].as<bool>()) notify_tenant_changed(tx, installation_id);
  return row[0].as<bool>();
}

std::optional<tenant_record> find_tenant(pqxx::transaction_base& tx, const std::string& tenant_id) {
  auto rows = tx.exec_params(
      "SELECT tenant_id, kind, base_url, COALESCE(display_url, ''), COALESCE(product_type, ''),"
      "       COALESCE(oauth_client_id, ''), COALESCE(cloud_id, ''), COALESCE(secret_box, ''), state,"
      "       COALESCE(system_token_box, ''), EXTRACT(EPOCH FROM system_token_expires_at)::bigint"
      " FROM tenants WHERE tenant_id = $1",
      tenant_id);
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  tenant_record t{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                  r[3].as<std::string>(), r[4].as<std::string>(), r[5].as<std::string>(),
                  r[6].as<std::string>(), r[7].as<std::string>(), r[8].as<std::string>(),
                  r[9].as<std::string>(), std::nullopt};
  if (!r[10].is_null()) t.system_token_expires = r[10].as<std::int64_t>();
  return t;
}

bool save_system_token(pqxx::work& tx, const std::string& tenant_id, const std::string& sealed_token,
                       std::optional<std::int64_t> expires_s, bool force) {
  auto r = tx.exec_params(
      "UPDATE tenants SET system_token_box = $2, system_token_expires_at = to_timestamp($3::bigint),"
      "  system_token_received_at = now()"
      " WHERE tenant_id = $1 AND kind = 'forge' AND ($4 OR system_token_box IS NULL"
      "   OR system_token_expires_at IS NULL OR system_token_expires_at <= now() OR $3::bigint IS NULL"
      "   OR system_token_expires_at < to_timestamp($3::bigint))",
      tenant_id, sealed_token, expires_s, force);
  if (r.affected_rows() != 1) return false;
  notify_tenant_changed(tx, tenant_id);
  return true;
}

void clear_system_token(pqxx::work& tx, const std::string& tenant_id, const std::string& sealed_token) {
  auto r = tx.exec_params(
      "UPDATE tenants SET system_token_box = NULL, system_token_expires_at = NULL"
      " WHERE tenant_id = $1 AND system_token_box = $2",
      tenant_id, sealed_token);
  if (r.affected_rows() > 0) notify_tenant_changed(tx, tenant_id);
}

void notify_tenant_changed(pqxx::transaction_base& tx, const std::string& tenant_id) {
  tx.exec_params("SELECT pg_notify('doppel_tenant', $1)", tenant_id);
}

bool set_tenant_state(pqxx::work& tx, const std::string& tenant_id, const std::string& state) {
  auto r = tx.exec_params(
      "UPDATE tenants SET state = $2, updated_at = now() WHERE tenant_id = $1 AND state <> 'uninstalled'",
      tenant_id, state);
  return r.affected_rows() == 1;
}

bool mark_uninstalled(pqxx::work& tx, const std::string& tenant_id, long retention_seconds) {
  auto r = tx.exec_params(
      "UPDATE tenants SET state = 'uninstalled', uninstalled_at = now(), updated_at = now(),"
      "  delete_after = now() + make_interval(secs => $2)"
      " WHERE tenant_id = $1",
      tenant_id, double(retention_seconds));
  return r.affected_rows() == 1;
}

std::optional<purge_status> lock_for_purge(pqxx::work& tx, const std::string& tenant_id) {
  auto rows = tx.exec_params(
      "SELECT state, delete_after <= now(), EXTRACT(EPOCH FROM (delete_after - now()))::bigint FROM tenants"
      " WHERE tenant_id = $1 FOR UPDATE",
      tenant_id);
  if (rows.empty() || rows[0][0].as<std::string>() != "uninstalled") return std::nullopt;
  purge_status s;
  s.due = rows[0][1].is_null() || rows[0][1].as<bool>();
  s.seconds_left = rows[0][2].is_null() ? 0 : rows[0][2].as<long>();
  return s;
}

void delete_tenant_if_due(pqxx::work& tx, const std::string& tenant_id) {
  tx.exec_params0("DELETE FROM tenants WHERE tenant_id = $1 AND state = 'uninstalled' AND delete_after <= now()",
                  tenant_id);
}

}  // namespace doppel::store
