// SQL for tenant_settings.
#include "store/settings_store.hpp"

#include "store/tenant_store.hpp"

namespace doppel::store {

std::optional<std::string> read_settings(pqxx::transaction_base& tx, const std::string& tenant_id) {
  auto rows = tx.exec_params("SELECT settings::text FROM tenant_settings WHERE tenant_id = $1", tenant_id);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

void write_settings(pqxx::work& tx, const std::string& tenant_id, const std::string& json) {
  tx.exec_params0(
      "INSERT INTO tenant_settings (tenant_id, settings, updated_at) VALUES ($1, $2::jsonb, now())"
      " ON CONFLICT (tenant_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()",
      tenant_id, json);
  notify_tenant_changed(tx, tenant_id);  // every replica's kept settings (service/tenant_cache)
}

}  // namespace doppel::store
