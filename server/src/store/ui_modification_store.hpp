// The ui_modifications table: per site, Jira's id of Doppel's UI modification entity and its sync state.
#pragma once

#include <pqxx/pqxx>

#include <optional>
#include <string>

namespace doppel::store {

struct ui_modification_row {
  std::string entity_id;        // empty when no entity is known
  std::string state = "pending";  // pending | active | inactive | waiting | failed | removed
  std::string scope;            // all | projects | "" (not synced yet)
  int projects = 0;
  int contexts = 0;
  std::string reason;           // stable code when not active; empty otherwise
  bool synced = false;          // the last create/update/delete reached Jira (synced_at is set)
};

std::optional<ui_modification_row> read_ui_modification(pqxx::transaction_base& tx, const std::string& tenant_id);

// The row of the tenant (made first as 'pending' when missing), locked until the transaction ends: one sync or
// removal at a time per site, so two runs never both create an entity.
ui_modification_row lock_ui_modification(pqxx::work& tx, const std::string& tenant_id);

// Writes the state (the row exists: lock_ui_modification made it). `synced` sets synced_at to now.
void write_ui_modification(pqxx::work& tx, const std::string& tenant_id, const ui_modification_row& row);

// A sync is queued: the row says pending unless it is already there (an active entity stays active meanwhile).
void mark_ui_modification_pending(pqxx::work& tx, const std::string& tenant_id);

}  // namespace doppel::store
