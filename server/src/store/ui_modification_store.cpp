// SQL for ui_modifications.
#include "store/ui_modification_store.hpp"

namespace doppel::store {
namespace {

constexpr const char* columns =
    "COALESCE(entity_id, ''), state, COALESCE(scope, ''), projects, contexts, COALESCE(reason, ''),"
    " synced_at IS NOT NULL";

ui_modification_row row_of(const pqxx::row& r) {
  return {r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<int>(),
          r[4].as<int>(),         r[5].as<std::string>(), r[6].as<bool>()};
}

std::optional<std::string> opt(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

}  // namespace

std::optional<ui_modification_row> read_ui_modification(pqxx::transaction_base& tx, const std::string& tenant_id) {
  auto rows = tx.exec_params(std::string("SELECT ") + columns + " FROM ui_modifications WHERE tenant_id = $1", tenant_id);
  if (rows.empty()) return std::nullopt;
  return row_of(rows[0]);
}

ui_modification_row lock_ui_modification(pqxx::work& tx, const std::string& tenant_id) {
  tx.exec_params0("INSERT INTO ui_modifications (tenant_id) VALUES ($1) ON CONFLICT (tenant_id) DO NOTHING", tenant_id);
  return row_of(tx.exec_params1(
      std::string("SELECT ") + columns + " FROM ui_modifications WHERE tenant_id = $1 FOR UPDATE", tenant_id));
}

void write_ui_modification(pqxx::work& tx, const std::string& tenant_id, const ui_modification_row& row) {
  tx.exec_params0(
      "UPDATE ui_modifications SET entity_id = $2, state = $3, scope = $4, projects = $5, contexts = $6, reason = $7,"
      "  synced_at = CASE WHEN $8 THEN now() ELSE synced_at END, updated_at = now()"
      " WHERE tenant_id = $1",
      tenant_id, opt(row.entity_id), row.state, opt(row.scope), row.projects, row.contexts, opt(row.reason),
      row.synced);
}

void mark_ui_modification_pending(pqxx::work& tx, const std::string& tenant_id) {
  tx.exec_params0(
      "INSERT INTO ui_modifications (tenant_id) VALUES ($1)"
      " ON CONFLICT (tenant_id) DO UPDATE SET state = 'pending', reason = NULL, updated_at = now()"
      "   WHERE ui_modifications.state NOT IN ('active', 'pending')",
      tenant_id);
}

}  // namespace doppel::store
